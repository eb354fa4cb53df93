"""Survival after transplant: the Kaplan–Meier estimate, and the rules that keep it honest.

Never extrapolate. An estimate at a time t (day 100, 1, 3, 5 years) is shown only when at least
`MIN_AT_RISK` patients are still at risk at t, i.e. followed (alive) up to t or beyond; a patient
followed for exactly t counts as reaching it. Otherwise the answer is "not yet estimable", with
how far follow-up runs. A median is shown only when the curve reaches 50 %, and only while the
same number of patients are still at risk then. The plot stops each curve at its group's last
follow-up and prints the numbers at risk under the time axis.

Input everywhere: a list of (days, died) — days from the infusion to death, or to the last
follow-up of a patient alive (censored).
"""

import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_lazy

MIN_AT_RISK = 5
DAYS_PER_MONTH = 365.25 / 12
# Milestones in whole days: 1, 3 and 5 years of 365.25 days, rounded (365, 1096, 1826).
MILESTONES = (
    (100, gettext_lazy("day 100")),
    (365, gettext_lazy("1 year")),
    (1096, gettext_lazy("3 years")),
    (1826, gettext_lazy("5 years")),
)

Times = list[tuple[int, bool]]


def kaplan_meier(times_events: Times) -> list[tuple[int, float]]:
    """Steps (day, survival probability) of the product-limit estimate; event True = death."""
    steps = [(0, 1.0)]
    survival = 1.0
    at_risk = len(times_events)
    for day in sorted({t for t, _ in times_events}):
        deaths = sum(1 for t, e in times_events if t == day and e)
        if deaths and at_risk:
            survival *= 1 - deaths / at_risk
            steps.append((day, survival))
        at_risk -= sum(1 for t, _ in times_events if t == day)
    return steps


def survival_at(steps: list[tuple[int, float]], day: int) -> float:
    """The estimate at `day`: the last step at or before it."""
    return next(s for d, s in reversed(steps) if d <= day)


def at_risk(times_events: Times, day: int) -> int:
    """Patients whose follow-up (or death) reaches `day`: still under observation then."""
    return sum(1 for t, _ in times_events if t >= day)


def censor_marks(times_events: Times, steps: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """(day, survival) of each censored patient (alive at last follow-up), for the plot's ticks."""
    return sorted({(t, survival_at(steps, t)) for t, event in times_events if not event})


def followup_months(times_events: Times) -> int:
    """How far follow-up runs: the longest time known, in whole months."""
    longest = max((t for t, _ in times_events), default=0)
    return math.floor(longest / DAYS_PER_MONTH)


@dataclass(frozen=True)
class Estimate:
    """Survival at one milestone, or why it is not shown."""

    day: int
    label: str
    value: float | None  # None: not yet estimable
    at_risk: int
    reason: str = ""


def estimate(times_events: Times, day: int, label: Any) -> Estimate:
    """S(day) when enough patients are followed to `day`; else None with the reason."""
    risk = at_risk(times_events, day)
    if risk >= MIN_AT_RISK:
        return Estimate(day, str(label), survival_at(kaplan_meier(times_events), day), risk)
    reason = gettext(
        "Follow-up runs %(months)s months; survival at %(label)s is not yet estimable "
        "(%(risk)s of the %(needed)s patients needed are followed that long)."
    ) % {
        "months": followup_months(times_events),
        "label": label,
        "risk": risk,
        "needed": MIN_AT_RISK,
    }
    return Estimate(day, str(label), None, risk, reason)


def estimates(times_events: Times) -> list[Estimate]:
    return [estimate(times_events, day, label) for day, label in MILESTONES]


@dataclass(frozen=True)
class Median:
    """The median survival: the day, or why there is none (not reached, or reached while too
    few patients were still at risk for the estimate to mean anything)."""

    day: int | None
    reached: bool


def median_survival(times_events: Times) -> Median:
    """The first day the estimate falls to 50 % or below, if enough patients were at risk then."""
    day = next((day for day, s in kaplan_meier(times_events)[1:] if s <= 0.5), None)
    if day is None:
        return Median(None, reached=False)
    return Median(day if at_risk(times_events, day) >= MIN_AT_RISK else None, reached=True)


# The Kaplan–Meier plot: an SVG drawn on the server (no chart library). Plot area in px.
KM_WIDTH, KM_HEIGHT = 820, 320
KM_LEFT, KM_TOP, KM_RIGHT, KM_BOTTOM = 56, 16, 200, 48
KM_RISK_ROW = 18
KM_COLOURS = ("#0b5c85", "#a4161a", "#0b6e3a", "#8a4b00", "#5b3c88", "#4a5565")


def _nice_max(days: int) -> int:
    for step in (30, 100, 180, 365, 730, 1096, 1826, 3652, 7305):
        if days <= step:
            return step
    return (days // 3652 + 1) * 3652


def _x_ticks(x_max: int) -> list[int]:
    """Round tick days: years when the axis spans years, else fifths (or thirds)."""
    if x_max >= 730:
        years = x_max / 365.25
        step = 1 if years <= 6 else 2 if years <= 12 else 5
        return [round(365.25 * y) for y in range(0, int(years) + 1, step)]
    tick_step = x_max // 5 if x_max >= 100 else x_max // 3
    return list(range(0, x_max + 1, tick_step))


def _tick_label(day: int, x_max: int) -> str:
    if x_max >= 730:
        years = round(day / 365.25)
        # TRANSLATORS: years after the infusion, on the plot's time axis (short).
        return "0" if years == 0 else gettext("%(years)s y") % {"years": years}
    return str(day)


def km_plot(groups: dict[str, Times], short_names: dict[str, str] | None = None) -> dict[str, Any]:
    """Geometry of the survival plot: per group a step path (ending at its last follow-up),
    censoring ticks, a legend entry, and its numbers at risk under each time tick (the row
    named by `short_names`, else the group); axes with ticks at round times and at 0, 25, 50,
    75, 100 % survival."""
    short_names = short_names or {}
    inner_w = KM_WIDTH - KM_LEFT - KM_RIGHT
    inner_h = KM_HEIGHT - KM_TOP - KM_BOTTOM
    last = max((t for data in groups.values() for t, _ in data), default=0)
    x_max = _nice_max(max(last, 1))

    def x(day: float) -> float:
        return round(KM_LEFT + inner_w * day / x_max, 2)

    def y(survival: float) -> float:
        return round(KM_TOP + inner_h * (1 - survival), 2)

    ticks = _x_ticks(x_max)
    risk_top = KM_HEIGHT + 8
    curves = []
    for number, (name, data) in enumerate(sorted(groups.items())):
        steps = kaplan_meier(data)
        end = max(t for t, _ in data)
        points = [f"M{x(0)},{y(1.0)}"]
        level = 1.0
        for day, survival in steps[1:]:
            points.append(f"H{x(day)}")
            points.append(f"V{y(survival)}")
            level = survival
        points.append(f"H{x(end)}")
        colour = KM_COLOURS[number % len(KM_COLOURS)]
        curves.append(
            {
                "name": name,
                "colour": colour,
                "path": " ".join(points),
                "steps": steps,
                "ticks": [
                    {"x": x(day), "y": y(survival)} for day, survival in censor_marks(data, steps)
                ],
                "legend_y": KM_TOP + 8 + 22 * number,
                "patients": len(data),
                "deaths": sum(1 for _, event in data if event),
                "final": level,
                "risk_y": risk_top + 20 + KM_RISK_ROW * number,
                "at_risk": [{"x": x(day), "n": at_risk(data, day)} for day in ticks],
                "short": short_names.get(name, name),
            }
        )
    return {
        "width": KM_WIDTH,
        "height": risk_top + 20 + KM_RISK_ROW * len(curves),
        "left": KM_LEFT,
        "top": KM_TOP,
        "right": KM_LEFT + inner_w,
        "bottom": KM_TOP + inner_h,
        "legend_x": KM_LEFT + inner_w + 16,
        "x_mid": KM_LEFT + inner_w / 2,
        "y_mid": KM_TOP + inner_h / 2,
        "axis_label_y": KM_HEIGHT - 6,
        "risk_title_y": risk_top + 4,
        "x_max": x_max,
        "x_ticks": [{"x": x(d), "label": _tick_label(d, x_max)} for d in ticks],
        "y_ticks": [{"y": y(p / 100), "label": f"{p} %"} for p in (0, 25, 50, 75, 100)],
        "curves": curves,
    }
