"""Judging a result against the specification version in force, and the STR identity check
against the parent line (CLASTR's Tanabe score, `stemhub.strprofile`)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from stemhub.biobank.models import CellBank
from stemhub.core.errors import InvalidInput
from stemhub.quality.models import QcTest, SpecKind, StrFlag, _number
from stemhub.registry.models import CellLine
from stemhub.strprofile import Profile, ProfileError, compare, format_score, parse_profile

# CLASTR's reading (domain guide §5): Tanabe ≥ 90 % same line, 80–90 % related.
STR_SAME_LINE = Decimal("90")
STR_MIN_MARKERS = 8


@dataclass(frozen=True)
class Verdict:
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
        raise InvalidInput(f"{value!r} is not a number", fields={"value": ["a number"]}) from None
    if not number.is_finite():
        raise InvalidInput(f"{value!r} is not a number", fields={"value": ["a number"]})
    return number


def _possible(test: QcTest, number: Decimal) -> None:
    """Refuse a value no measurement can give, before it is judged (and fails a bank): a
    negative count, concentration or percentage, or a percentage above 100."""
    shown = f"{_number(number)} {test.unit}".strip()
    if number < 0:
        raise InvalidInput(
            f"{test.name}: {shown} is impossible; a measured value is not negative",
            fields={"value": ["not negative"]},
        )
    if test.unit.strip() == "%" and number > 100:
        raise InvalidInput(
            f"{test.name}: {shown} is impossible; a percentage lies between 0 and 100",
            fields={"value": ["between 0 and 100 %"]},
        )


def evaluate(test: QcTest, value: str, *, bank: CellBank | None = None) -> Verdict:
    """Judge `value` (as entered) against `test`. Raises InvalidInput for a value the
    specification cannot judge (a word not among the allowed results, a non-number)."""
    value = (value or "").strip()
    if not value:
        raise InvalidInput("Give the result", fields={"value": ["required"]})
    if test.spec_kind == SpecKind.QUALITATIVE:
        allowed = {a.lower(): a for a in test.allowed_results}
        word = allowed.get(value.lower())
        if word is None:
            raise InvalidInput(
                f"{test.name}: the result is one of {', '.join(test.allowed_results)}",
                fields={"value": [f"one of {', '.join(test.allowed_results)}"]},
            )
        ok = word in test.accepted_results
        verb = "meets" if ok else "does not meet"
        judgement = f"{word} {verb} the specification ({test.specification})"
        return Verdict(ok, judgement, value_text=word)
    if test.spec_kind == SpecKind.QUANTITATIVE:
        number = _as_decimal(value)
        _possible(test, number)
        ok = within_limits(test, number)
        shown = f"{_number(number)} {test.unit}".strip()
        verb = "within" if ok else "outside"
        return Verdict(
            ok, f"{shown} is {verb} the specification ({test.specification})", value_number=number
        )
    if bank is None:
        raise InvalidInput("An STR result needs its bank", fields={"bank": ["required"]})
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
        raise InvalidInput(f"STR profile: {error}", fields={"value": [str(error)]}) from None
    line = _line_of(bank)
    references = str_references(line)
    if not references:
        raise InvalidInput(
            f"{line.name} has no STR profile to compare with (nor a parent line or another line "
            "of its donor with one); record the line's profile in the registry first",
            fields={"value": ["no reference profile"]},
        )
    scored = []
    for name, reference in references:
        comparison = compare(profile, reference)
        if comparison.score is not None and comparison.str_markers >= STR_MIN_MARKERS:
            scored.append((comparison.score, name, comparison))
    if not scored:
        raise InvalidInput(
            f"The profile shares fewer than {STR_MIN_MARKERS} STR markers with "
            f"{', '.join(n for n, _ in references)}; type at least {STR_MIN_MARKERS} loci",
            fields={"value": [f"at least {STR_MIN_MARKERS} shared markers"]},
        )
    best, name, comparison = max(scored, key=lambda item: (item[0], item[1]))
    score = Decimal(format_score(best))
    limit = test.lower_limit if test.lower_limit is not None else Decimal("80")
    told = (
        f"Tanabe {score} % against {name} ({comparison.shared} shared alleles, "
        f"{comparison.str_markers} markers)"
    )
    canonical = profile.as_text()
    if best < float(limit):
        return Verdict(
            False,
            f"STR mismatch with parent line: {told}, below {_number(limit)} %",
            StrFlag.MISMATCH,
            score,
            canonical,
        )
    if best < float(STR_SAME_LINE):
        return Verdict(
            True,
            f"Related, not identical: {told}, below {STR_SAME_LINE} %; check for drift",
            StrFlag.RELATED,
            score,
            canonical,
        )
    return Verdict(True, f"Same line: {told}", StrFlag.NONE, score, canonical)
