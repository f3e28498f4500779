"""HTML pages: one self-contained UTF-8 file each (inline CSS and SVG, no script, no external asset).

A technician opens the ward page offline on a laptop or a phone; the city office opens the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from wardctl.report import advice, fmt, svg
from wardctl.report.city import CityReport, CityRow, deadline_text, holding
from wardctl.report.i18n import Lang
from wardctl.report.ward import WardReport

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every value from the record is text, never markup
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # a typo in a template fails the tests, not a technician's page
    )
    env.globals["fmt"] = fmt
    env.globals["line_reasons"] = advice.line_reasons
    return env


@dataclass(frozen=True)
class SiteNav:
    """A published page's links (wardctl report --publish): the same page in the other language, and downloads."""

    other_lang: str
    other_code: str
    downloads: tuple[tuple[str, str], ...]  # (label, href)


def _common(lang: Lang, ctx_name: str, nav: SiteNav | None) -> dict[str, Any]:
    return {"t": lang.t, "lang": lang, "city_name": ctx_name, "nav": nav}


def ward_html(report: WardReport, lang: Lang, city_name: str, generated: str, nav: SiteNav | None = None) -> str:
    steps = advice.advise(report)
    next_steps = [(s.code, advice.text(s, lang, report.contact)) for s in steps]
    return environment().get_template("ward.html.j2").render(
        **_common(lang, city_name, nav), r=report, rec=report.record, next_steps=next_steps, generated=generated,
        devices=advice.DEVICE_ORDER,
    )  # fmt: skip


@dataclass(frozen=True)
class CityCells:
    """One table row as plain text: a 1,000-ward page renders in Jinja without a function call per cell."""

    ward: str
    name: str
    status: str
    status_label: str
    dry: bool
    router: str
    router_changed: str | None
    endpoints: str
    clients: str
    hardening: str
    verdict: str | None
    verdict_label: str
    finished: str | None
    run_id: str | None
    holding: str
    href: str | None = None  # the ward's own page, linked from its name


def city_cells(row: CityRow, lang: Lang) -> CityCells:
    r, rec = row.report, row.record
    router = r.router if r else None
    return CityCells(
        ward=row.ward, name=row.display_name, status=row.live_status, status_label=lang.status(row.live_status),
        dry=bool(rec and rec.run.check_mode), router=fmt.router_model(router, lang) if r else "—",
        router_changed=fmt.router_changed(router, lang) if router and router.measured else None,
        endpoints=fmt.endpoints_ok(r.endpoints) if r else "—", clients=fmt.ward_clients(r, lang) if r else "—",
        hardening=fmt.ward_hardening(r, lang) if r else "—", verdict=r.line_verdict if r else None,
        verdict_label=lang.verdict(r.line_verdict) if r else "—",
        finished=lang.time(rec.finished_at) if rec else None, run_id=rec.run_id if rec else None,
        holding=holding(row, lang),
    )  # fmt: skip


def city_html(city: CityReport, lang: Lang, links: dict[str, str] | None = None, nav: SiteNav | None = None) -> str:
    """`links`: ward -> the URL of its page, where one exists (the published site); none in a file report."""
    rows = [replace(city_cells(row, lang), href=(links or {}).get(row.ward)) for row in city.rows]
    return environment().get_template("city.html.j2").render(
        **_common(lang, city.ctx.name, nav), city=city, rows=rows, counts=city.counts, chart=svg.chart(city, lang),
        deadline=deadline_text(city, lang), generated=lang.time(city.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ")),
        percent=round(100 * city.ready / city.total) if city.total else 0,
    )  # fmt: skip
