"""`wardctl status [RUN] [--json]`: the city table in a terminal (or as JSON for scripts)."""

from __future__ import annotations

import json
import unicodedata

from wardctl.report import fmt
from wardctl.report.city import STATUS_ORDER, CityReport, city_json
from wardctl.report.i18n import Lang


def _width(text: str) -> int:
    """Columns a string takes in a terminal: Vietnamese letters may arrive decomposed (a + combining mark)."""
    return sum(1 for ch in unicodedata.normalize("NFC", text) if not unicodedata.combining(ch))


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def status_text(city: CityReport, lang: Lang) -> str:
    t = lang.t
    headers = [t("city.ward"), t("city.name"), t("city.status"), t("city.router"), t("city.router_lines"),
               t("city.endpoints"), t("city.clients_short"), t("city.hardening_short"), t("city.line"),
               f"{t('city.last_run')} ({lang.zone})"]  # fmt: skip
    rows = []
    for row in city.rows:
        r, rec = row.report, row.record
        status = lang.status(row.live_status) + (f" ({t('city.dry')})" if rec and rec.run.check_mode else "")
        last = f"{rec.run_id} {lang.time(rec.finished_at, zone=False)}" if rec else "—"
        rows.append([
            row.ward, row.display_name, status, fmt.router_model(r.router, lang) if r else "—",
            fmt.router_changed(r.router, lang) if r else "—", fmt.endpoints_ok(r.endpoints) if r else "—",
            fmt.ward_clients(r, lang, short=True), fmt.ward_hardening(r, lang, short=True),
            lang.verdict(r.line_verdict) if r else "—", last,
        ])  # fmt: skip
    out = []
    if not city.has_runs:
        out.append(t("city.no_runs"))
    if city.ctx.note:
        out.append(city.ctx.note)
    if rows:
        out.append(table(headers, rows))
    counts = city.counts
    summary = ", ".join(f"{counts[s]} {lang.status(s).lower()}" for s in STATUS_ORDER)
    if city.rows:
        scope = t("city.view_run", run_id=city.run.run_id) if city.run else t("city.view_latest")
        if city.run and city.run.check_mode:
            scope += f" ({t('city.dry')})"
        out.append(f"{city.ctx.name}: {t('city.ready_of', ready=city.ready, total=city.total)} ({summary}) — {scope}")
    return "\n".join(out) + "\n"


def status_json(city: CityReport, lang: Lang) -> str:
    doc = city_json(city, lang)
    if not city.has_runs:
        doc["message"] = "no rollout recorded yet; run `wardctl rollout`"
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
