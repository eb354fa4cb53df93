"""Westgard multirule internal QC: judge an analytical run from its control measurements and
the runs before it. Pure Python; never imports Django.

A run holds one or two control measurements (control levels), each with the target mean and
SD of its control material. Each measurement is taken as its deviation in SDs,
z = (value − mean) / SD, computed exactly (decimals and integers as fractions, so that a value
lying exactly on a limit is on it, not a rounding error beyond it). The rules, as
westgard.com states them ("Westgard Rules", the multirule worksheets) for N = 2:

- 1-2s (warning): a measurement exceeds mean ± 2 SD. Reported only when no rejection rule
  is violated; in a computer all rejection rules are applied to every run (westgard.com no
  longer recommends the 1-2s rule as the gate to the others).
- 1-3s: a measurement exceeds mean ± 3 SD.
- 2-2s: two consecutive measurements exceed the same limit, mean + 2 SD or mean − 2 SD: both
  levels of one run, or one level in this run and the run before.
- R-4s: within the run, one measurement exceeds mean + 2 SD and another mean − 2 SD (their
  difference is then more than 4 SD). Never across runs.
- 4-1s: four consecutive measurements exceed the same limit, mean + 1 SD or mean − 1 SD: one
  level over four runs, or both levels over two runs (the last four measurements).
- 10-x: ten consecutive measurements fall on the same side of the mean: one level over ten
  runs, or both levels over five runs.

"Exceed" is strict: a measurement exactly on a limit does not exceed it, and one exactly on
the mean is on neither side. Rejected runs take no part in later runs' look-back: the run
was out of control and its cause corrected before the next one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

__all__ = [
    "ALL_RULES",
    "REJECTION_RULES",
    "Control",
    "Rule",
    "Run",
    "Verdict",
    "Violation",
    "WestgardError",
    "deviation",
    "evaluate",
    "evaluate_run",
]

Rule = Literal["1-2s", "1-3s", "2-2s", "R-4s", "4-1s", "10-x"]
ALL_RULES: tuple[Rule, ...] = ("1-2s", "1-3s", "2-2s", "R-4s", "4-1s", "10-x")
REJECTION_RULES: tuple[Rule, ...] = ("1-3s", "2-2s", "R-4s", "4-1s", "10-x")
Number = int | Decimal | float | Fraction


class WestgardError(ValueError):
    """A run that cannot be judged (an SD that is not positive, a level twice in one run)."""


def _exact(number: Number) -> Fraction:
    if isinstance(number, float):
        return Fraction(Decimal(repr(number)))  # as written, not its binary neighbour
    return Fraction(number)


def deviation(value: Number, mean: Number, sd: Number) -> Fraction:
    """(value − mean) / SD, exactly."""
    spread = _exact(sd)
    if spread <= 0:
        raise WestgardError(f"the SD must be positive, not {sd}")
    return (_exact(value) - _exact(mean)) / spread


@dataclass(frozen=True)
class Control:
    """One control measurement: its level (1, 2, ...), value, and the material's target."""

    level: int
    value: Number
    mean: Number
    sd: Number

    @property
    def z(self) -> Fraction:
        return deviation(self.value, self.mean, self.sd)


@dataclass(frozen=True)
class Run[Key: Hashable]:
    """An analytical run: the caller's key for it and its one or two control measurements."""

    key: Key
    controls: tuple[Control, ...]

    def __post_init__(self) -> None:
        if not self.controls:
            raise WestgardError("a run needs at least one control measurement")
        levels = [c.level for c in self.controls]
        if len(set(levels)) != len(levels):
            raise WestgardError("each control level is measured once in a run")
        for control in self.controls:
            control.z  # noqa: B018 — refuse a bad SD when the run is made


@dataclass(frozen=True)
class Violation[Key: Hashable]:
    """A rule the run violated, the levels involved, and the earlier runs that took part
    (their keys, oldest first; empty for a rule judged within the run)."""

    rule: Rule
    levels: tuple[int, ...]
    earlier_runs: tuple[Key, ...] = ()

    @property
    def rejects(self) -> bool:
        return self.rule in REJECTION_RULES


@dataclass(frozen=True)
class Verdict[Key: Hashable]:
    key: Key
    violations: tuple[Violation[Key], ...] = field(default=())

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(v.rule for v in self.violations)

    @property
    def accepted(self) -> bool:
        return not any(v.rejects for v in self.violations)

    @property
    def earlier_runs(self) -> tuple[Key, ...]:
        """Every earlier run that took part in any violation, oldest first."""
        seen: list[Key] = []
        for violation in self.violations:
            seen.extend(k for k in violation.earlier_runs if k not in seen)
        return tuple(seen)


@dataclass(frozen=True)
class _Point[Key: Hashable]:
    run: Key
    level: int
    z: Fraction
    current: bool


def _beyond(z: Fraction, limit: int, side: int) -> bool:
    return z > limit if side > 0 else z < -limit


def _window_rule[Key: Hashable](
    rule: Rule,
    size: int,
    limit: int,
    history: Sequence[_Point[Key]],
    current: Sequence[_Point[Key]],
) -> Violation[Key] | None:
    """`size` consecutive measurements beyond `limit` SDs on one side (limit 0: on one side of
    the mean), within one level, or across levels ending with the whole current run."""
    windows: list[list[_Point[Key]]] = []
    for point in current:
        same_level = [p for p in history if p.level == point.level] + [point]
        windows.append(same_level[-size:])
    combined = list(history) + list(current)
    windows.append(combined[-size:])
    for window in windows:
        if len(window) < size:
            continue
        for side in (1, -1):
            if all(_beyond(p.z, limit, side) for p in window):
                return _violation(rule, window)
    return None


def _violation[Key: Hashable](rule: Rule, points: Sequence[_Point[Key]]) -> Violation[Key]:
    earlier: list[Key] = []
    for p in points:
        if not p.current and p.run not in earlier:
            earlier.append(p.run)
    return Violation(rule, tuple(sorted({p.level for p in points})), tuple(earlier))


def _points[Key: Hashable](run: Run[Key], current: bool) -> list[_Point[Key]]:
    return [
        _Point(run.key, c.level, c.z, current) for c in sorted(run.controls, key=lambda c: c.level)
    ]


def evaluate_run[Key: Hashable](run: Run[Key], history: Sequence[Run[Key]]) -> Verdict[Key]:
    """Judge `run` after `history`: the earlier accepted runs of the same control procedure,
    oldest first (the caller leaves rejected runs out)."""
    current = _points(run, current=True)
    past = [p for earlier in history for p in _points(earlier, current=False)]
    found: list[Violation[Key]] = []

    beyond3 = [p for p in current if abs(p.z) > 3]
    if beyond3:
        found.append(_violation("1-3s", beyond3))

    two_two = _two_two(current, past)
    if two_two is not None:
        found.append(two_two)

    high = [p for p in current if p.z > 2]
    low = [p for p in current if p.z < -2]
    if high and low:
        found.append(_violation("R-4s", high + low))

    for rule, size, limit in (("4-1s", 4, 1), ("10-x", 10, 0)):
        hit = _window_rule(rule, size, limit, past, current)  # type: ignore[arg-type]
        if hit is not None:
            found.append(hit)

    if not found:
        beyond2 = [p for p in current if abs(p.z) > 2]
        if beyond2:
            found.append(_violation("1-2s", beyond2))
    order = {rule: i for i, rule in enumerate(ALL_RULES)}
    return Verdict(run.key, tuple(sorted(found, key=lambda v: order[v.rule])))


def _two_two[Key: Hashable](
    current: Sequence[_Point[Key]], past: Sequence[_Point[Key]]
) -> Violation[Key] | None:
    for side in (1, -1):
        within = [p for p in current if _beyond(p.z, 2, side)]
        if len(within) >= 2:
            return _violation("2-2s", within)
    for point in current:
        previous = next((p for p in reversed(past) if p.level == point.level), None)
        if previous is None:
            continue
        for side in (1, -1):
            if _beyond(point.z, 2, side) and _beyond(previous.z, 2, side):
                return _violation("2-2s", [previous, point])
    return None


def evaluate[Key: Hashable](runs: Sequence[Run[Key]]) -> list[Verdict[Key]]:
    """Judge each run in turn against the accepted runs before it."""
    accepted: list[Run[Key]] = []
    verdicts: list[Verdict[Key]] = []
    for run in runs:
        verdict = evaluate_run(run, accepted)
        verdicts.append(verdict)
        if verdict.accepted:
            accepted.append(run)
    return verdicts
