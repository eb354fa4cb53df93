"""Levey–Jennings charts drawn on the server as SVG (no JavaScript): the target mean and the
±1, ±2 and ±3 SD lines labelled with their values, the runs in date order on a time axis,
warnings and rejections drawn as their own shapes with a tooltip (`<title>`) naming the
rules, and the chart described for screen readers (role="img", title and desc)."""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WIDTH, HEIGHT = 960, 340
LEFT, RIGHT, TOP, BOTTOM = 78, 96, 16, 74
# Colours the stylesheet's badges use: in control, warning, rejected.
INK, MUTED, GRID = "#1f2933", "#52606d", "#cbd2d9"
WARN, BAD, GOOD = "#b7791f", "#c53030", "#2f6f4f"


@dataclass(frozen=True)
class ChartPoint:
    when: datetime.datetime
    value: Decimal
    accepted: bool = True
    rules: tuple[str, ...] = ()
    words: str = ""  # the rules in words, for the tooltip


@dataclass(frozen=True)
class Chart:
    title: str
    mean: Decimal
    sd: Decimal
    unit: str
    points: Sequence[ChartPoint] = field(default_factory=tuple)
    start: datetime.date | None = None
    end: datetime.date | None = None


def _number(value: float, sd: Decimal) -> str:
    places = max(0, min(4, -Decimal(sd).adjusted() + 1))
    return f"{value:.{places}f}"


def _state(point: ChartPoint) -> str:
    if not point.accepted:
        return "rejected"
    return "warning" if point.rules else "ok"


def _marker(state: str, x: float, y: float, tip: str) -> str:
    title = f"<title>{escape(tip)}</title>"
    if state == "rejected":  # a diamond, filled red
        path = (
            f"M{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y:.1f} L{x:.1f},{y + 7:.1f} L{x - 7:.1f},{y:.1f} Z"
        )
        return f'<path class="lj-rejected" d="{path}" fill="{BAD}" stroke="#fff">{title}</path>'
    if state == "warning":  # a triangle, amber
        path = f"M{x:.1f},{y - 7:.1f} L{x + 6.5:.1f},{y + 5:.1f} L{x - 6.5:.1f},{y + 5:.1f} Z"
        return f'<path class="lj-warning" d="{path}" fill="{WARN}" stroke="#fff">{title}</path>'
    return f'<circle class="lj-ok" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{GOOD}">{title}</circle>'


def levey_jennings_svg(chart: Chart, *, height: int = HEIGHT) -> SafeString:
    """The chart as an inline SVG element that scales to the page's width."""
    mean, sd = float(chart.mean), float(chart.sd)
    points = sorted(chart.points, key=lambda p: p.when)
    zs = [(float(p.value) - mean) / sd for p in points]
    reach = min(8.0, max(4.0, math.ceil(max((abs(z) for z in zs), default=0) + 0.5)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM

    def y_of(z: float) -> float:
        z = max(-reach, min(reach, z))
        return TOP + plot_h * (reach - z) / (2 * reach)

    days = [p.when for p in points]
    first = (
        datetime.datetime.combine(chart.start, datetime.time.min, tzinfo=days[0].tzinfo)
        if chart.start and days
        else (days[0] if days else None)
    )
    last = (
        datetime.datetime.combine(chart.end, datetime.time.max, tzinfo=days[-1].tzinfo)
        if chart.end and days
        else (days[-1] if days else None)
    )
    span = max(((last - first).total_seconds() if first and last else 0), 1.0)

    def x_of(when: datetime.datetime) -> float:
        if first is None:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (when - first).total_seconds() / span

    unit = chart.unit
    parts: list[str] = []
    # The SD lines: mean solid, ±1 dotted, ±2 dashed (warning), ±3 solid (rejection).
    for k in (3, 2, 1, 0, -1, -2, -3):
        y = y_of(k)
        colour = {0: INK, 1: GRID, 2: WARN, 3: BAD}[abs(k)]
        dash = {0: "", 1: ' stroke-dasharray="2 4"', 2: ' stroke-dasharray="6 4"', 3: ""}[abs(k)]
        label = _("mean") if k == 0 else f"{k:+d} SD"
        value = _number(mean + k * sd, chart.sd)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="{1.5 if k == 0 else 1}"{dash}/>'
            f'<text x="{LEFT + plot_w + 6}" y="{y + 4:.1f}" fill="{MUTED}" font-size="13">'
            f"{escape(label)}</text>"
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" fill="{MUTED}" font-size="13" '
            f'text-anchor="end">{escape(value)}</text>'
        )
    # The time axis: up to seven dated ticks.
    if first is not None and last is not None:
        ticks = 1 if span <= 1 else 6
        for i in range(ticks + 1):
            when = first + (last - first) * (i / ticks) if ticks > 1 else first
            x = x_of(when)
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 5}" '
                f'stroke="{MUTED}"/><text x="{x:.1f}" y="{TOP + plot_h + 19}" fill="{MUTED}" '
                f'font-size="13" text-anchor="middle">{when:%Y-%m-%d}</text>'
            )
            if ticks == 1:
                break
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        f'stroke="{MUTED}"/><line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" '
        f'stroke="{MUTED}"/>'
    )
    axis_y = _("Value (%(unit)s)") % {"unit": unit} if unit else _("Value")
    axis_x = _("Run date")
    parts.append(
        f'<text transform="translate(16 {TOP + plot_h / 2:.1f}) rotate(-90)" fill="{INK}" '
        f'font-size="14" text-anchor="middle">{escape(axis_y)}</text>'
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h + 38}" fill="{INK}" '
        f'font-size="13" text-anchor="middle">{escape(axis_x)}</text>'
    )
    # The runs, joined in date order, then each marked.
    if len(points) > 1:
        line = " ".join(
            f"{x_of(p.when):.1f},{y_of(z):.1f}" for p, z in zip(points, zs, strict=True)
        )
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{MUTED}" stroke-width="1" '
            f'stroke-opacity="0.6"/>'
        )
    for point, z in zip(points, zs, strict=True):
        tip = _("%(when)s: %(value)s %(unit)s (z = %(z)s)") % {
            "when": f"{point.when:%Y-%m-%d %H:%M}",
            "value": _number(float(point.value), chart.sd),
            "unit": unit,
            "z": f"{z:+.2f}",
        }
        if point.rules:
            state = _("rejected") if not point.accepted else _("warning")
            tip += f" — {state}: {point.words or ', '.join(point.rules)}"
        parts.append(_marker(_state(point), x_of(point.when), y_of(z), tip))
    if not points:
        nothing = _("No run in this period")
        parts.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" fill="{MUTED}" '
            f'font-size="14" text-anchor="middle">{escape(nothing)}</text>'
        )
    # The legend.
    legend_y = height - 14
    legend = [
        ("ok", _("in control")),
        ("warning", _("warning (1-2s)")),
        ("rejected", _("rejected")),
    ]
    x = LEFT
    for state, words in legend:
        parts.append(_marker(state, x + 6, legend_y - 4, words))
        parts.append(
            f'<text x="{x + 18}" y="{legend_y}" fill="{INK}" font-size="13">{escape(words)}</text>'
        )
        x += 34 + sum(14 if ord(ch) > 0x2E80 else 8 for ch in words)  # CJK is wider
    rejected = sum(1 for p in points if not p.accepted)
    warnings = sum(1 for p in points if p.accepted and p.rules)
    description = ngettext(
        "%(n)d run of target mean %(mean)s %(unit)s and SD %(sd)s %(unit)s; "
        "%(rejected)d rejected, %(warnings)d with a warning.",
        "%(n)d runs of target mean %(mean)s %(unit)s and SD %(sd)s %(unit)s; "
        "%(rejected)d rejected, %(warnings)d with a warning.",
        len(points),
    ) % {
        "n": len(points),
        "mean": chart.mean.normalize(),
        "sd": chart.sd.normalize(),
        "unit": unit,
        "rejected": rejected,
        "warnings": warnings,
    }
    ident = f"lj{abs(hash((chart.title, len(points), chart.start, chart.end))) % 10**8}"
    svg = (
        f'<svg class="lj-chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" aria-labelledby="{ident}-t {ident}-d" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">'
        f'<title id="{ident}-t">{escape(chart.title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>'
        f"{''.join(parts)}</svg>"
    )
    return mark_safe(svg)
