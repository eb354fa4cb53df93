"""hPSCreg standard names: validate any name, and take a strict one apart or put it together.

The strict form (domain guide §2): a provider code of 2-5 uppercase letters, a type letter (`i`
induced, `e` embryonic), a 3-digit donor number, `-` and a clone letter; each genetically
modified subclone appends `-` and a digit 1-9 to its parent's name. 15 characters at most.

Names registered before the nomenclature settled break it (`MNZTASi001-A`, `ESIBIe003-A-10`,
`UOWe010-A-W`, `MCRI001-A`, `Genea019`): they get a `warning` saying how. A name that no
registry could hold gets `invalid` with the reason. No Django here but its gettext: the
messages are read in the reader's language.
"""

import re
import string
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "HUMAN",
    "MAX_LENGTH",
    "TYPE_LETTERS",
    "NameVerdict",
    "StandardName",
    "TypeLetter",
    "Verdict",
    "check_name",
    "own_name_problem",
    "parse_standard_name",
    "species_problem",
    "type_letter_of",
    "type_letter_problem",
]

Verdict = Literal["valid", "warning", "invalid"]
TypeLetter = Literal["i", "e"]

HUMAN = "Homo sapiens"
MAX_LENGTH = 15
TYPE_LETTERS = ("i", "e")
_ALLOWED = frozenset(string.ascii_letters + string.digits + "-")
_HEAD = re.compile(r"(?P<letters>[A-Za-z]+)(?P<digits>[0-9]+)")


def species_problem(species: str) -> str:
    """Why a line of `species` gets no standard name ('' for a human line): hPSCreg's scheme,
    and its registry, are for human pluripotent stem cell lines only."""
    if species == HUMAN:
        return ""
    if not species:
        return _(
            "hPSCreg standard names are for human lines; a line of no species keeps its "
            "provider's own name"
        )
    return _(
        "hPSCreg standard names are for human lines; a line of %(species)s keeps its "
        "provider's own name"
    ) % {"species": species}


_OWN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")


def own_name_problem(name: str) -> str:
    """Why `name` cannot be a non-human line's own name ('' when it can): its provider names it
    (`E14TG2a`, `R1`, `IRMR-MES1`): letters, digits, '.', '_', '/' and '-', 64 at most,
    starting with a letter or digit."""
    if _OWN_NAME.fullmatch(name):
        return ""
    if not name:
        return _("a line needs a name")
    if len(name) > 64:
        return _("has %(count)d characters; 64 at most") % {"count": len(name)}
    return _("uses letters, digits, '.', '_', '/' and '-' only, starting with a letter or digit")


@dataclass(frozen=True)
class NameVerdict:
    name: str
    verdict: Verdict
    messages: tuple[str, ...]


@dataclass(frozen=True)
class StandardName:
    """The parts of a strict standard name; `str()` puts them back together."""

    provider_code: str
    type_letter: TypeLetter
    donor_number: str
    clone_letter: str
    subclones: tuple[int, ...] = ()

    def __str__(self) -> str:
        suffix = "".join(f"-{number}" for number in self.subclones)
        return (
            f"{self.provider_code}{self.type_letter}{self.donor_number}-{self.clone_letter}{suffix}"
        )

    @property
    def donor_prefix(self) -> str:
        """What every name from the same donor starts with, e.g. `NSCBi001-`."""
        return f"{self.provider_code}{self.type_letter}{self.donor_number}-"


def check_name(name: str) -> NameVerdict:
    """The verdict on a name: `valid` (strict form), `warning` (a registered legacy form) or
    `invalid` (no registry could hold it), with one message per problem."""
    problems = _character_problems(name)
    if problems:
        return NameVerdict(name, "invalid", tuple(problems))
    head, *rest = name.split("-")
    match = _HEAD.fullmatch(head)
    problem = _structure_problem(head, rest, match)
    if problem or match is None:
        return NameVerdict(name, "invalid", (problem,))
    deviations = _deviations(name, match, rest)
    return NameVerdict(name, "warning" if deviations else "valid", tuple(deviations))


def parse_standard_name(name: str) -> StandardName | None:
    """The parts of `name` if it is in the strict form, else None (`check_name` says why)."""
    if check_name(name).verdict != "valid":
        return None
    head, clone, *subclones = name.split("-")
    return StandardName(
        provider_code=head[:-4],
        type_letter="i" if head[-4] == "i" else "e",
        donor_number=head[-3:],
        clone_letter=clone,
        subclones=tuple(int(number) for number in subclones),
    )


def type_letter_of(name: str) -> TypeLetter | None:
    """The type letter a name carries after its provider code (`i`, `e`), or None when it has
    none (`MCRI001-A`) or is no name at all."""
    if check_name(name).verdict == "invalid":
        return None
    match = _HEAD.fullmatch(name.split("-")[0])
    if match is None:
        return None
    _code, letter = _split_code(match["letters"])
    return "i" if letter == "i" else "e" if letter == "e" else None


TYPE_WORDS = {"i": gettext_lazy("induced"), "e": gettext_lazy("embryonic")}


def type_letter_problem(name: str, expected: TypeLetter) -> str:
    """Why the name's type letter contradicts the line's type ('' when it does not): `expected`
    is the letter of the line's type (`i` for iPSC, `e` for ESC, NT-ESC and parthenogenetic)."""
    letter = type_letter_of(name)
    if letter is None or letter == expected:
        return ""
    return _(
        "'%(name)s' carries the type letter '%(letter)s' (%(letter_type)s), but the line is "
        "%(line_type)s: its standard name needs '%(expected)s'"
    ) % {
        "name": name,
        "letter": letter,
        "letter_type": TYPE_WORDS[letter],
        "line_type": TYPE_WORDS[expected],
        "expected": expected,
    }


def _split_code(letters: str) -> tuple[str, str]:
    """Provider code and type letter ('' if none) from the letters that start a name."""
    code, last = letters[:-1], letters[-1:]
    if last in TYPE_LETTERS and code.isupper():
        return code, last
    return letters, ""


def _character_problems(name: str) -> list[str]:
    if not name:
        return [_("the name is empty")]
    problems = []
    if any(char.isspace() for char in name):
        problems.append(_("contains whitespace; a standard name is a single word"))
    illegal = sorted({char for char in name if char not in _ALLOWED and not char.isspace()})
    if illegal:
        shown = ", ".join(repr(char) for char in illegal)
        problems.append(
            _("contains %(characters)s; only letters, digits and '-' are allowed")
            % {"characters": shown}
        )
    if len(name) > MAX_LENGTH:
        problems.append(
            _("has %(count)d characters; registered names have at most %(limit)d")
            % {"count": len(name), "limit": MAX_LENGTH}
        )
    return problems


def _structure_problem(head: str, rest: list[str], match: re.Match[str] | None) -> str:
    """Why a name of legal characters is still no name at all ('' if it is one)."""
    if not head or "" in rest:
        return _("has an empty part: it starts or ends with '-' or contains '--'")
    if head[0].isdigit():
        return _("starts with a digit; a standard name starts with the provider code")
    if match is None:
        if not any(char.isdigit() for char in head):
            return _("'%(part)s' has no donor number after the provider code") % {"part": head}
        return _("'%(part)s' has letters after the donor number") % {"part": head}
    letters = match["letters"]
    if letters[0].islower():
        return _("starts with lowercase '%(letters)s'; a provider code is uppercase letters") % {
            "letters": letters
        }
    code, _letter = _split_code(letters)
    if len(code) < 2:
        return _("provider code '%(code)s' has 1 letter; a provider code has at least 2") % {
            "code": code
        }
    return ""


def _deviations(name: str, match: re.Match[str], rest: list[str]) -> list[str]:
    """How a well-formed name departs from the strict form (empty if it does not)."""
    code, type_letter = _split_code(match["letters"])
    digits = match["digits"]
    found = []
    if not code.isupper():
        found.append(_("provider code '%(code)s' is not all uppercase") % {"code": code})
    if len(code) > 5:
        found.append(
            _("provider code '%(code)s' has %(count)d letters; the strict form has 2 to 5")
            % {"code": code, "count": len(code)}
        )
    if not type_letter:
        found.append(
            _("no type letter ('i' induced or 'e' embryonic) after the provider code '%(code)s'")
            % {"code": code}
        )
    if len(digits) != 3:
        found.append(
            _("donor number '%(number)s' has %(count)d digits; the strict form has 3")
            % {"number": digits, "count": len(digits)}
        )
    if not rest:
        found.append(
            _(
                "no clone letter: the strict form ends in '-' and an uppercase letter "
                "(e.g. '%(example)s')"
            )
            % {"example": f"{name}-A"}
        )
        return found
    clone, *subclones = rest
    if not (len(clone) == 1 and clone.isupper()):
        found.append(_("clone '%(clone)s' is not a single uppercase letter") % {"clone": clone})
    found.extend(_subclone_deviation(s) for s in subclones if not _strict_subclone(s))
    return found


def _strict_subclone(suffix: str) -> bool:
    return len(suffix) == 1 and suffix in "123456789"


def _subclone_deviation(suffix: str) -> str:
    if not suffix.isdigit():
        return _(
            "subclone suffix '%(suffix)s' is not a number; the strict form uses a digit 1 to 9"
        ) % {"suffix": suffix}
    if int(suffix) == 0:
        return _("subclone number '%(suffix)s' is zero; subclones are numbered from 1") % {
            "suffix": suffix
        }
    return _(
        "subclone number '%(suffix)s' has %(count)d digits; the strict form uses one digit, 1 to 9"
    ) % {"suffix": suffix, "count": len(suffix)}
