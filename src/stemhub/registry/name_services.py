"""Issuing hPSCreg standard names: the next free one, never the same name twice.

Every issue for one provider code and type letter runs while holding that pair's NameCounter row
lock, so concurrent requests queue instead of racing; the unique IssuedName.name is the last guard.
A name counts as taken once it was issued, or is the name or a synonym of a line (ignoring case,
as name lookups do).
"""

import itertools
import string
from collections.abc import Iterable, Iterator

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require
from stemhub.core.errors import Conflict, InvalidInput
from stemhub.registry import naming
from stemhub.registry.models import CellLine, IssuedName, NameCounter, Synonym
from stemhub.registry.naming import StandardName, TypeLetter

MAX_DONOR_NUMBER = 999
MAX_SUBCLONE_NUMBER = 9
CLONE_LETTERS = string.ascii_uppercase


@transaction.atomic
def standard_name_issue(
    *,
    actor: User | None,
    provider_code: str,
    type_letter: TypeLetter,
    same_donor: str | None = None,
    subclone_of: str | None = None,
    species: str = naming.HUMAN,
) -> str:
    """Issue and record the next standard name for a provider code and type letter.

    Plain: a new donor number, clone `A`. `same_donor=NAME`: NAME's donor number with the next
    clone letter. `subclone_of=NAME`: NAME followed by the next `-N`. The actor needs
    registry.issue_names for the institution owning the provider code; `actor=None` is a
    system action (the server's own command line) and is recorded without a user. A line of
    another `species` than human gets none (hPSCreg's scheme is for human lines).
    """
    if problem := naming.species_problem(species):
        raise InvalidInput(problem, fields={"species": [problem]})
    if type_letter not in naming.TYPE_LETTERS:
        raise InvalidInput(
            _("The type letter must be 'i' (induced) or 'e' (embryonic), not %(letter)r")
            % {"letter": type_letter},
            fields={"type": [_("must be i or e")]},
        )
    if same_donor and subclone_of:
        raise InvalidInput(
            _("Ask for a clone of the same donor or for a subclone, not both"),
            fields={
                "same_donor": [_("not with subclone_of")],
                "subclone_of": [_("not with same_donor")],
            },
        )
    institution = Institution.objects.filter(provider_code=provider_code).first()
    if institution is None:
        raise InvalidInput(
            _("No institution has the provider code %(code)r") % {"code": provider_code},
            fields={"provider": [_("unknown provider code")]},
        )
    if actor is not None:
        require(actor, Perm.ISSUE_NAMES, institution.pk)
    counter = _locked_counter(provider_code, type_letter)
    if subclone_of:
        parent = _reference(subclone_of, "subclone_of", provider_code, type_letter)
        issued = _next_subclone(parent)
    elif same_donor:
        sibling = _reference(same_donor, "same_donor", provider_code, type_letter)
        issued = _next_clone(sibling)
    else:
        issued = _next_donor(provider_code, type_letter, counter.last_donor_number)
        counter.last_donor_number = int(issued.donor_number)
        counter.save(update_fields=["last_donor_number"])
    _record(issued, actor=actor, subclone_of=subclone_of or "")
    return str(issued)


def _locked_counter(provider_code: str, type_letter: str) -> NameCounter:
    """The pair's counter row, created on first use, locked until the transaction ends.

    get_or_create is safe under a race: a second creator waits on the unique index until the
    first commits, its savepoint then rolls back and it reads the committed row."""
    NameCounter.objects.get_or_create(provider_code=provider_code, type_letter=type_letter)
    return NameCounter.objects.select_for_update().get(
        provider_code=provider_code, type_letter=type_letter
    )


def _reference(value: str, field: str, provider_code: str, type_letter: str) -> StandardName:
    """A strict standard name given to build on, from this provider and type."""
    parts = naming.parse_standard_name(value)
    if parts is None:
        messages = list(naming.check_name(value).messages)
        raise InvalidInput(
            _("%(name)r is not a standard name in the strict form: %(problems)s")
            % {"name": value, "problems": "; ".join(messages)},
            fields={field: messages},
        )
    if (parts.provider_code, parts.type_letter) != (provider_code, type_letter):
        raise InvalidInput(
            _(
                "%(name)s has provider code %(code)s and type letter %(letter)s, not "
                "%(wanted_code)s and %(wanted_letter)s"
            )
            % {
                "name": value,
                "code": parts.provider_code,
                "letter": parts.type_letter,
                "wanted_code": provider_code,
                "wanted_letter": type_letter,
            },
            fields={field: [_("different provider code or type letter")]},
        )
    return parts


def _next_donor(provider_code: str, type_letter: TypeLetter, last_issued: int) -> StandardName:
    prefix = f"{provider_code}{type_letter}"
    used = [last_issued]
    for name in _names_starting_with(prefix):
        number, end = name[len(prefix) : len(prefix) + 3], name[len(prefix) + 3 :]
        if number.isdigit() and end[:1] in ("", "-"):
            used.append(int(number))
    candidates = (
        StandardName(provider_code, type_letter, f"{number:03d}", "A")
        for number in range(max(used) + 1, MAX_DONOR_NUMBER + 1)
    )
    return _first_free(
        candidates,
        _("%(prefix)s has used all %(count)d donor numbers; no new donor can be named")
        % {"prefix": prefix, "count": MAX_DONOR_NUMBER},
    )


def _next_clone(sibling: StandardName) -> StandardName:
    prefix = sibling.donor_prefix
    names = _names_starting_with(prefix)
    if not names:
        raise InvalidInput(
            _(
                "No name was issued or registered for donor %(donor)s; ask for a plain name to "
                "start a new donor"
            )
            % {"donor": prefix[:-1]},
            fields={"same_donor": [_("unknown donor")]},
        )
    used = {name[len(prefix) :][:1] for name in names} & set(CLONE_LETTERS)
    start = max(CLONE_LETTERS.index(letter) for letter in used) + 1 if used else 0
    candidates = (
        StandardName(sibling.provider_code, sibling.type_letter, sibling.donor_number, letter)
        for letter in CLONE_LETTERS[start:]
    )
    return _first_free(
        candidates,
        _("Donor %(donor)s has used every clone letter A to Z") % {"donor": prefix[:-1]},
    )


def _next_subclone(parent: StandardName) -> StandardName:
    name = str(parent)
    if len(name) + 2 > naming.MAX_LENGTH:
        raise InvalidInput(
            _(
                "A subclone of %(name)s would have %(count)d characters; standard names have at "
                "most %(limit)d"
            )
            % {"name": name, "count": len(name) + 2, "limit": naming.MAX_LENGTH},
            fields={"subclone_of": [_("name too long for a subclone")]},
        )
    if not _in_use(name):
        raise InvalidInput(
            _("No line, synonym or issued name is %(name)s; a subclone needs a known parent")
            % {"name": name},
            fields={"subclone_of": [_("unknown parent")]},
        )
    prefix = f"{name}-"
    used = [0]
    for child in _names_starting_with(prefix):
        number = child[len(prefix) :].split("-")[0]
        if number.isdigit():
            used.append(int(number))
    candidates = (
        StandardName(
            parent.provider_code,
            parent.type_letter,
            parent.donor_number,
            parent.clone_letter,
            (*parent.subclones, number),
        )
        for number in range(max(used) + 1, MAX_SUBCLONE_NUMBER + 1)
    )
    return _first_free(
        candidates,
        _("%(name)s has used every subclone number 1 to %(limit)d")
        % {"name": name, "limit": MAX_SUBCLONE_NUMBER},
    )


def _names_starting_with(prefix: str) -> list[str]:
    """Issued, line and synonym names that start with `prefix`, case included."""
    found: Iterable[str] = itertools.chain(
        IssuedName.objects.filter(name__startswith=prefix).values_list("name", flat=True),
        CellLine.objects.filter(name__startswith=prefix).values_list("name", flat=True),
        Synonym.objects.filter(name__startswith=prefix).values_list("name", flat=True),
    )
    # SQLite's LIKE ignores case; the prefix must match exactly.
    return [name for name in found if name.startswith(prefix)]


def _in_use(name: str) -> bool:
    return (
        IssuedName.objects.filter(name__iexact=name).exists()
        or CellLine.objects.filter(name__iexact=name).exists()
        or Synonym.objects.filter(name__iexact=name).exists()
    )


def _first_free(candidates: Iterator[StandardName], exhausted: str) -> StandardName:
    for candidate in candidates:
        if not _in_use(str(candidate)):
            return candidate
    raise Conflict(exhausted)


def _record(issued: StandardName, *, actor: User | None, subclone_of: str) -> None:
    row = IssuedName(
        name=str(issued),
        provider_code=issued.provider_code,
        type_letter=issued.type_letter,
        donor_number=issued.donor_number,
        clone_letter=issued.clone_letter,
        subclone_of=subclone_of,
        issued_to=actor,
    )
    row.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise Conflict(
            _(
                "%(name)s was issued by another request at the same moment; nothing was issued, "
                "please ask again"
            )
            % {"name": row.name}
        ) from None
