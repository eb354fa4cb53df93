"""The coverage curve drawn on the server as SVG: the share of the population the best n lines
serve, against n, with marks at 10, 50 and 100 lines labelled with their values, and the share
the network's homozygous holdings already serve drawn as dashed lines; described for screen
readers (role="img", title and desc)."""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 16, 52
INK, MUTED, GRID, CURVE, HELD, UNITS = (
    "#1f2933",
    "#52606d",
    "#cbd2d9",
    "#2b6cb0",
    "#2f6f4f",
    "#b7791f",
)
MARKS = (10, 50, 100)


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def coverage_svg(
    curve: Sequence[float], held_by_lines: float, held_with_units: float
) -> SafeString:
    """`curve[n - 1]`: the share the best n lines serve (0..1)."""
    n = len(curve)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(lines: float) -> float:
        return LEFT + plot_w * (lines / max(n, 1))

    def y(share: float) -> float:
        return TOP + plot_h * (1 - share)

    title = _("Coverage of the population by the number of homozygous lines")
    marks = [m for m in MARKS if m <= n]
    said = "; ".join(
        _("%(n)s lines serve %(share)s") % {"n": m, "share": _pct(curve[m - 1])} for m in marks
    )
    desc = _(
        "The best %(n)s lines serve %(share)s of the population. %(marks)s. Lines the network "
        "holds already serve %(lines)s; with its homozygous cord units, %(units)s."
    ) % {
        "n": n,
        "share": _pct(curve[-1]) if curve else _pct(0),
        "marks": said,
        "lines": _pct(held_by_lines),
        "units": _pct(held_with_units),
    }
    parts = [
        f'<svg class="coverage-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="coverage-title coverage-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="coverage-title">{escape(title)}</title>',
        f'<desc id="coverage-desc">{escape(desc)}</desc>',
    ]
    for share in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(share):.1f}" y2="{y(share):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 8}" y="{y(share) + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{MUTED}">{share * 100:.0f} %</text>'
        )
    ticks = sorted({0, 1, *marks, n}) if n else []  # from 0 lines, 0 %
    for lines in ticks:
        parts.append(
            f'<text x="{x(lines):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
            f'font-size="12" fill="{MUTED}">{lines}</text>'
        )
    axis = _("Number of homozygous lines")
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
        f'font-size="13" fill="{INK}">{escape(axis)}</text>'
    )
    if curve:
        points = " ".join(f"{x(i + 1):.1f},{y(share):.1f}" for i, share in enumerate(curve))
        start = f"{x(0):.1f},{y(0):.1f} "
        parts.append(
            f'<polyline points="{start}{points}" fill="none" stroke="{CURVE}" stroke-width="2.5"/>'
        )
    for share, colour, label in (
        (held_with_units, UNITS, _("held with cord units %(share)s")),
        (held_by_lines, HELD, _("held as lines %(share)s")),
    ):
        if share > 0:
            parts.append(
                f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(share):.1f}" y2="{y(share):.1f}" '
                f'stroke="{colour}" stroke-width="2" stroke-dasharray="6 4"/>'
                f'<text x="{WIDTH - RIGHT - 4}" y="{y(share) + 16:.1f}" text-anchor="end" '
                f'font-size="12" fill="{colour}">{escape(label % {"share": _pct(share)})}</text>'
            )
    for m in marks:
        share = curve[m - 1]
        text = _("%(n)s lines: %(share)s") % {"n": m, "share": _pct(share)}
        parts.append(
            f'<circle cx="{x(m):.1f}" cy="{y(share):.1f}" r="4.5" fill="{CURVE}">'
            f"<title>{escape(text)}</title></circle>"
            f'<text x="{x(m) + 6:.1f}" y="{y(share) + 16:.1f}" font-size="12" '
            f'fill="{INK}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
