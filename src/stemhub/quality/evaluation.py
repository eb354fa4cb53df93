"""Judging a result against the specification version in force, and the STR identity check
against the parent line (CLASTR's Tanabe score, `stemhub.strprofile`)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from stemhub.biobank.models import CellBank
from stemhub.core.errors import InvalidInput
from stemhub.quality import wording
from stemhub.quality.models import QcTest, SpecKind, StrFlag, _number
from stemhub.registry.models import CellLine
from stemhub.strprofile import Profile, ProfileError, compare, format_score, parse_profile

# CLASTR's reading (domain guide §5): Tanabe ≥ 90 % same line, 80–90 % related.
STR_SAME_LINE = Decimal("90")
STR_MIN_MARKERS = 8


@dataclass(frozen=True)
class Verdict:
    """`judgement` is recorded in English (`wording.recorded` shows it translated)."""

    passed: bool
    judgement: str
    flag: str = StrFlag.NONE
    score: Decimal | None = None
    value_text: str = ""
    value_number: Decimal | None = None


def within_limits(test: QcTest, value: Decimal) -> bool:
    """True when `value` meets the quantitative limits (each inclusive or exclusive)."""
    low, high = test.lower_limit, test.upper_limit
    if low is not None and (value < low or (value == low and not test.lower_inclusive)):
        return False
    return not (high is not None and (value > high or (value == high and not test.upper_inclusive)))


def _as_decimal(value: object) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise _not_a_number(value) from None
    if not number.is_finite():
        raise _not_a_number(value)
    return number


def _not_a_number(value: object) -> InvalidInput:
    return InvalidInput(
        _("%(value)s is not a number") % {"value": repr(value)}, fields={"value": [_("a number")]}
    )


def _possible(test: QcTest, number: Decimal) -> None:
    """Refuse a value no measurement can give, before it is judged (and fails a bank): a
    negative count, concentration or percentage, or a percentage above 100."""
    shown = f"{_number(number)} {test.unit}".strip()
    if number < 0:
        raise InvalidInput(
            _("%(test)s: %(value)s is impossible; a measured value is not negative")
            % {"test": wording.term(test.name), "value": shown},
            fields={"value": [_("not negative")]},
        )
    if test.unit.strip() == "%" and number > 100:
        raise InvalidInput(
            _("%(test)s: %(value)s is impossible; a percentage lies between 0 and 100")
            % {"test": wording.term(test.name), "value": shown},
            fields={"value": [_("between 0 and 100 %")]},
        )


def evaluate(test: QcTest, value: str, *, bank: CellBank | None = None) -> Verdict:
    """Judge `value` (as entered) against `test`. Raises InvalidInput for a value the
    specification cannot judge (a word not among the allowed results, a non-number). A
    qualitative result may be entered in any interface language ("negative", "阴性"); it is
    recorded as the specification words it."""
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("Give the result"), fields={"value": [_("required")]})
    if test.spec_kind == SpecKind.QUALITATIVE:
        allowed = {
            spelling: a for a in test.allowed_results for spelling in wording.result_words(a)
        }
        word = allowed.get(value.lower())
        if word is None:
            words = wording.listing(wording.term(a) for a in test.allowed_results)
            raise InvalidInput(
                _("%(test)s: the result is one of %(results)s")
                % {"test": wording.term(test.name), "results": words},
                fields={"value": [_("one of %(results)s") % {"results": words}]},
            )
        ok = word in test.accepted_results
        sentence = wording.MEETS if ok else wording.FAILS
        judgement = sentence % {"result": word, "specification": test.specification}
        return Verdict(ok, judgement, value_text=word)
    if test.spec_kind == SpecKind.QUANTITATIVE:
        number = _as_decimal(value)
        _possible(test, number)
        ok = within_limits(test, number)
        shown = f"{_number(number)} {test.unit}".strip()
        sentence = wording.WITHIN if ok else wording.OUTSIDE
        return Verdict(
            ok,
            sentence % {"value": shown, "specification": test.specification},
            value_number=number,
        )
    if bank is None:
        raise InvalidInput(_("An STR result needs its bank"), fields={"bank": [_("required")]})
    return str_identity(test, value, bank)


def _line_of(bank: CellBank) -> CellLine:
    line = bank.line if bank.line_id else bank.product.line  # type: ignore[union-attr]
    assert line is not None  # a bank is of a line or of a product (database constraint)
    return line


def str_references(line: CellLine) -> list[tuple[str, Profile]]:
    """What a bank of `line` is compared with: the line's own registry profile; without one, its
    parent line's; without that, every other line of the same donor that has a profile."""
    for candidate in (line, line.parent):
        if candidate is not None and candidate.str_profile:
            return [(candidate.name, Profile.from_mapping(candidate.str_profile))]
    if line.donor_id is None:
        return []
    siblings = CellLine.objects.filter(donor_id=line.donor_id).exclude(pk=line.pk)
    return [
        (other.name, Profile.from_mapping(other.str_profile))
        for other in siblings.exclude(str_profile={}).order_by("name")
    ]


def str_identity(test: QcTest, text: str, bank: CellBank) -> Verdict:
    try:
        profile = parse_profile(text)
    except ProfileError as error:
        problem = f"{error.token!r}: {wording.str_problem(error.reason)}"
        raise InvalidInput(
            _("STR profile: %(problem)s") % {"problem": problem}, fields={"value": [problem]}
        ) from None
    line = _line_of(bank)
    references = str_references(line)
    if not references:
        raise InvalidInput(
            _(
                "%(line)s has no STR profile to compare with (nor a parent line or another line "
                "of its donor with one); record the line's profile in the registry first"
            )
            % {"line": line.name},
            fields={"value": [_("no reference profile")]},
        )
    scored = []
    for name, reference in references:
        comparison = compare(profile, reference)
        if comparison.score is not None and comparison.str_markers >= STR_MIN_MARKERS:
            scored.append((comparison.score, name, comparison))
    if not scored:
        raise InvalidInput(
            _(
                "The profile shares fewer than %(n)s STR markers with %(lines)s; type at least "
                "%(n)s loci"
            )
            % {"n": STR_MIN_MARKERS, "lines": wording.listing(n for n, _profile in references)},
            fields={"value": [_("at least %(n)s shared markers") % {"n": STR_MIN_MARKERS}]},
        )
    best, name, comparison = max(scored, key=lambda item: (item[0], item[1]))
    score = Decimal(format_score(best))
    limit = test.lower_limit if test.lower_limit is not None else Decimal("80")
    told = {
        "score": score,
        "reference": name,
        "shared": comparison.shared,
        "markers": comparison.str_markers,
    }
    canonical = profile.as_text()
    if best < float(limit):
        return Verdict(
            False,
            wording.STR_MISMATCH % {**told, "limit": _number(limit)},
            StrFlag.MISMATCH,
            score,
            canonical,
        )
    if best < float(STR_SAME_LINE):
        return Verdict(
            True,
            wording.STR_RELATED % {**told, "same": STR_SAME_LINE},
            StrFlag.RELATED,
            score,
            canonical,
        )
    return Verdict(True, wording.STR_SAME % told, StrFlag.NONE, score, canonical)
