"""Downloads per day as an SVG bar chart made on the server: no script, no inline style (CSP)."""

from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 720, 180
TOP, BOTTOM, LEFT = 12, 24, 44


def bar_chart(series: list[tuple[date, int]], label: str) -> SafeString:
    """One bar per day; each bar's title says its day and figure (shown on hover and to readers)."""
    peak = max((n for _, n in series), default=0) or 1
    plot_height = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT) / max(len(series), 1)
    bars = []
    for index, (day, count) in enumerate(series):
        height = round(plot_height * count / peak, 1)
        bars.append(
            (
                round(LEFT + index * step + step * 0.1, 1),
                round(TOP + plot_height - height, 1),
                round(step * 0.8, 1),
                height,
                day.isoformat(),
                f"{count:,}",
            )
        )
    first = series[0][0].isoformat() if series else ""
    last = series[-1][0].isoformat() if series else ""
    return format_html(
        '<svg class="analytics-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{label}">'
        '<line class="axis" x1="{left}" y1="{base}" x2="{w}" y2="{base}"/>'
        '<text class="tick" x="{tick_x}" y="{top_y}" text-anchor="end">{peak}</text>'
        '<text class="tick" x="{tick_x}" y="{base}" text-anchor="end">0</text>'
        "{bars}"
        '<text class="tick" x="{left}" y="{h}" dy="-4">{first}</text>'
        '<text class="tick" x="{w}" y="{h}" dy="-4" text-anchor="end">{last}</text>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        label=label,
        left=LEFT,
        base=TOP + plot_height,
        tick_x=LEFT - 6,
        top_y=TOP + 8,
        peak=f"{peak:,}",
        bars=format_html_join(
            "",
            '<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
            bars,
        ),
        first=first,
        last=last,
    )
