"""The dashboard's chart as inline SVG: wards ready over time (a cumulative step line) against the deadline.

No JavaScript and no library: the page is opened offline, and an SVG scales to any screen.
"""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta, tzinfo
from html import escape

from wardctl.report.city import CityReport
from wardctl.report.i18n import Lang, zone_label

WIDTH, HEIGHT = 800, 330
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 40, 44
GREEN, RED, GREY, INK, GRID = "#1a7f37", "#c62828", "#8a8f98", "#24292f", "#e3e6ea"


def _nice_step(span: float, ticks: int = 5) -> int:
    raw = max(span / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _domain(
    first_run: datetime | None, points: list[tuple[datetime, int]], deadline: datetime | None, now: datetime
) -> tuple[datetime, datetime, bool]:
    """(start, end, whether the deadline is on the axis) of the time axis.

    From the first apply run to the deadline or the last ward ready, whichever is later; today too when it is
    near (a page made years later does not squash the campaign into a corner). A deadline that passed before
    the first run stays off the axis, or the runs would be a sliver at its far end; so does a city without one.
    """
    starts = [t for t in (first_run, points[0][0] if points else None) if t is not None]
    start = min(starts) if starts else min(deadline or now, now) - timedelta(days=30)
    shows_deadline = deadline is not None and deadline > start
    end = max([deadline if deadline is not None and shows_deadline else start, *(t for t, _ in points[-1:])])
    if now > end and (now - end) < (end - start) / 2:
        end = now
    end = max(end, start + timedelta(hours=2))
    end += (end - start) * 0.04  # air after the last mark for its label
    return start, end, shows_deadline


_TICK_STEPS = [timedelta(hours=h) for h in (1, 2, 3, 6, 12)] + [
    timedelta(days=d) for d in (1, 2, 7, 14, 30, 91, 182, 365)
]


def _ticks(start: datetime, end: datetime, tz: tzinfo, lang: str) -> list[tuple[datetime, str]]:
    """At most seven (time, label) ticks on whole hours or days; the label's precision follows the step."""
    step = next((s for s in _TICK_STEPS if (end - start) / s <= 7), _TICK_STEPS[-1])
    local = start.astimezone(tz)
    if step < timedelta(days=1):
        hours = int(step.total_seconds() // 3600)
        tick = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        while tick.hour % hours:
            tick += timedelta(hours=1)
        fmt = "%H:%M"
    else:
        tick = datetime.combine(local.date() + timedelta(days=1), time(), tz)
        fmt = ("%d/%m" if lang == "vi" else "%m-%d") if step <= timedelta(days=30) else \
            ("%m/%Y" if lang == "vi" else "%Y-%m")  # fmt: skip
    out = []
    while tick < end:
        out.append((tick, tick.strftime(fmt)))
        tick += step
    return out


def chart(city: CityReport, lang: Lang) -> str:
    tz = city.ctx.tz
    total = max(city.total, 1)
    deadline = city.deadline_at
    now = city.generated_at
    points = city.timeline
    start, end, shows_deadline = _domain(city.start, points, deadline, now)
    span = (end - start).total_seconds()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(when: datetime) -> float:
        return LEFT + plot_w * min(max((when - start).total_seconds() / span, 0.0), 1.0)

    top = total * 1.1  # headroom: the target line and the deadline's label must not share a row

    def y(count: float) -> float:
        return TOP + plot_h * (1 - count / top)

    title = lang.t("city.chart")
    due = lang.date(deadline - timedelta(days=1)) if deadline is not None else lang.t("city.no_deadline")
    summary = f"{lang.t('city.ready_of', ready=city.ready, total=city.total)}; {lang.t('city.deadline')}: {due}"
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="chart-title '
        f'chart-desc" font-family="inherit" font-size="13">',
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(summary)}</desc>',
    ]
    # Horizontal grid and the count axis.
    step = _nice_step(total)
    for count in range(0, int(top) + 1, step):
        yy = _num(y(count))
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy}" y2="{yy}" stroke="{GRID}"/>')
        out.append(f'<text x="{LEFT - 8}" y="{yy}" dy="4" text-anchor="end" fill="{GREY}">{count}</text>')
    # Time axis: at most seven ticks, whole hours or days apart, in the city's time zone.
    for tick, label in _ticks(start, end, tz, lang.code):
        xx = _num(x(tick))
        out.append(f'<line x1="{xx}" x2="{xx}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM + 5}" stroke="{GREY}"/>')
        out.append(f'<text x="{xx}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" fill="{GREY}">{label}</text>')
    out.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" stroke="{GREY}"/>'
    )
    # The ticks' time zone, under the axis's right end.
    out.append(f'<text class="zone" x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end" fill="{GREY}" '
               f'font-size="11">{escape(zone_label(now.astimezone(tz)))}</text>')  # fmt: skip
    # The target and the pace needed to reach it by the deadline.
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_num(y(total))}" y2="{_num(y(total))}" stroke="{INK}" '
               f'stroke-dasharray="2 4"/>')  # fmt: skip
    label = f"{escape(lang.t('city.deadline'))} {escape(due)}"
    if deadline is not None and shows_deadline:
        # The pace needed to reach the target by the deadline, and the deadline itself.
        out.append(f'<line class="pace" x1="{_num(x(start))}" y1="{_num(y(0))}" x2="{_num(x(deadline))}" '
                   f'y2="{_num(y(total))}" stroke="{GREY}" stroke-width="1.5" stroke-dasharray="6 5"/>')  # fmt: skip
        dx = _num(x(deadline))
        out.append(f'<line class="deadline" x1="{dx}" x2="{dx}" y1="{TOP - 6}" y2="{HEIGHT - BOTTOM}" '
                   f'stroke="{RED}" stroke-width="2"/>')  # fmt: skip
        anchor = "end" if x(deadline) > WIDTH - RIGHT - 120 else "start"
        shift = -6 if anchor == "end" else 6
        out.append(f'<text x="{dx}" dx="{shift}" y="{TOP - 4}" text-anchor="{anchor}" fill="{RED}" '
                   f'font-weight="600">{label}</text>')  # fmt: skip
    elif deadline is not None:
        # The deadline passed before the first run: said in words, the time axis kept for the runs.
        out.append(f'<text class="deadline" x="{WIDTH - RIGHT}" y="{TOP - 4}" text-anchor="end" fill="{RED}" '
                   f'font-weight="600">{label} ({escape(lang.t("city.deadline_passed"))})</text>')  # fmt: skip
    # Wards ready: a step line from zero, held level until today (or the chart's edge).
    if points:
        path = [f"M{_num(x(start))},{_num(y(0))}"]
        level = 0
        for when, count in points:
            xx = _num(x(when))
            path.append(f"H{xx}V{_num(y(count))}")
            level = count
        hold = min(max(now, points[-1][0]), end)  # level until today, or the chart's edge
        path.append(f"H{_num(x(hold))}")
        line = "".join(path)
        area = f"{line}V{_num(y(0))}Z"
        out.append(f'<path d="{area}" fill="{GREEN}" fill-opacity="0.12" stroke="none"/>')
        out.append(f'<path class="ready" d="{line}" fill="none" stroke="{GREEN}" stroke-width="2.5" '
                   f'stroke-linejoin="round"/>')  # fmt: skip
        if len(points) <= 60:
            for when, count in points:
                out.append(f'<circle cx="{_num(x(when))}" cy="{_num(y(count))}" r="3" fill="{GREEN}"/>')
        # The count where the line last rose, to its right: the deadline line sits at the far right.
        lx, ly = x(points[-1][0]), y(level)
        out.append(f'<text x="{_num(lx)}" y="{_num(ly)}" dx="8" dy="-8" fill="{GREEN}" font-weight="700" '
                   f'font-size="15">{level}/{city.total}</text>')  # fmt: skip
    else:
        out.append(f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" text-anchor="middle" fill="{GREY}" '
                   f'font-size="15">{escape(lang.t("city.chart_empty"))}</text>')  # fmt: skip
    # Legend, top left, inside the plot where the pace line has not climbed yet.
    items = [(GREEN, "", lang.t("city.chart_ready")), (GREY, "6 5", lang.t("city.chart_pace")),
             (INK, "2 4", lang.t("city.chart_target", n=city.total))]  # fmt: skip
    if not shows_deadline:
        del items[1]  # no pace line without a deadline on the axis
    lx = LEFT + 10
    for colour, dash, label in items:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{lx}" x2="{lx + 22}" y1="{TOP - 22}" y2="{TOP - 22}" stroke="{colour}" '
                   f'stroke-width="2.5"{dash_attr}/>')  # fmt: skip
        out.append(f'<text x="{lx + 28}" y="{TOP - 18}" fill="{INK}">{escape(label)}</text>')
        lx += 44 + 8 * len(label)
    out.append("</svg>")
    return "\n".join(out)
