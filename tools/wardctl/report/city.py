"""The city at a glance: every ward's latest state, the counts, and wards ready over time against the deadline.

Shared by `wardctl status` (a terminal table) and `wardctl report --city` (the dashboard, CSV, JSON).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from wardctl.report import advice, fmt
from wardctl.report.context import CityContext
from wardctl.report.i18n import Lang, parse_time
from wardctl.report.record import Record, RunInfo, WardRecord, contract_status
from wardctl.report.ward import WardReport, build_ward

# The city table needs only these reports; the rest stay in the database (and out of memory).
CITY_KINDS = ("router", "line_check", "room_readiness", "conference_client", "endpoint_hardening")
STATUS_ORDER = ("done", "failed", "unreachable", "pending")


@dataclass
class CityRow:
    ward: str
    display_name: str
    report: WardReport | None = None  # None: no rollout has recorded this ward yet
    ready_since: str | None = None

    @property
    def record(self) -> WardRecord | None:
        return self.report.record if self.report else None

    @property
    def status(self) -> str:
        """The contract's status (done | failed | unreachable | pending)."""
        return self.record.contract_status if self.record else "pending"

    @property
    def live_status(self) -> str:
        """As recorded, `running` included: the terminal and the dashboard show it."""
        return self.record.status if self.record else "pending"


@dataclass
class CityReport:
    ctx: CityContext
    run: RunInfo | None  # the run asked for; None: each ward's latest attempt
    rows: list[CityRow]
    timeline: list[tuple[datetime, int]]  # (when, wards ready by then), one step per ward
    start: datetime | None  # the first apply run: where the chart's time axis begins
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    has_runs: bool = True

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUS_ORDER, 0)
        for row in self.rows:
            out[row.status] += 1
        return out

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def ready(self) -> int:
        return self.counts["done"]

    @property
    def deadline_at(self) -> datetime | None:
        """The end of the deadline day in the city's time zone; None when the city set no deadline."""
        if self.ctx.deadline is None:
            return None
        return datetime.combine(self.ctx.deadline + timedelta(days=1), time(), self.ctx.tz)

    def days_left(self) -> int | None:
        if self.ctx.deadline is None:
            return None
        return (self.ctx.deadline - today(self)).days


def build_city(record: Record | None, ctx: CityContext, run_id: str | None = None) -> CityReport:
    """Every ward of the inventory (or of the record, without one); four queries whatever the city's size."""
    run = record.require_run(run_id) if record is not None and run_id is not None else None
    records = record.records(run_id, kinds=CITY_KINDS) if record is not None else {}
    since = record.ready_since() if record is not None else {}
    orphans = record.run_failures({r.run_id for r in records.values()}) if record is not None else {}
    known = ctx.ward_ids
    if run is not None:
        order = [w for w in known if w in records] + [w for w in records if w not in known]
    else:
        order = known or list(records)
    rows = []
    for ward in order:
        rec = records.get(ward)
        inv = ctx.ward(ward)
        name = (inv.display_name if inv and inv.display_name else None) or (rec.display_name if rec else ward)
        report = build_ward(rec, ctx, orphans.get(rec.run_id)) if rec else None
        rows.append(CityRow(ward, name, report, since.get(ward)))
    wanted = {row.ward for row in rows}
    stamps = sorted(t for w, s in since.items() if w in wanted and (t := parse_time(s)) is not None)
    timeline = [(when, index + 1) for index, when in enumerate(stamps)]
    start = parse_time(record.first_started()) if record is not None else None
    return CityReport(ctx, run, rows, timeline, start, has_runs=bool(record and record.has_runs()))


# --- what holds a ward back ----------------------------------------------------------------------------------
def holding(row: CityRow, lang: Lang) -> str:
    """The first thing between this ward and "done", in a few words (empty when done and fine)."""
    report = row.report
    if report is None:
        return ""
    rec = report.record
    if rec.status == "running":
        return lang.status("running")
    steps = advice.advise(report)
    for step in steps:
        if step.code == "unreachable":
            return f"{lang.status('unreachable')}: {step.params['host']}"
        if step.code == "failed_task":
            return f"{step.params['host']}: {step.params['task']}: {step.params['message']}"
        if step.code == "run_failure":
            return f"{step.params['task']}: {step.params['message']}"
        if step.code == "hardening_failed":
            area = fmt.area_name(step.params["area"], lang)
            return f"{step.params['host']}: {area}: {step.params['reason'] or lang.status('failed')}"
    if rec.message and rec.status in ("failed", "unreachable"):
        return rec.message
    reasons = []
    if report.line_verdict == "unfit":
        reasons.append(lang.t("city.line_unfit_reason"))
    if report.missing_devices:
        reasons.append(lang.t("city.room_missing_reason", items=advice.device_names(report.missing_devices, lang)))
    if rec.run.check_mode and rec.status == "done" and rec.changed:
        reasons.append(lang.t("next.dry_run_changes", n=rec.changed))
    return "; ".join(reasons)


def row_json(row: CityRow, lang: Lang) -> dict[str, Any]:
    report, rec = row.report, row.record
    router = report.router if report else None
    endpoints = report.endpoints if report else []
    return {
        "ward": row.ward,
        "display_name": row.display_name,
        "status": contract_status(row.live_status),
        "running": row.live_status == "running",
        "run_id": rec.run_id if rec else None,
        "check_mode": rec.run.check_mode if rec else None,
        "finished_at": rec.finished_at if rec else None,
        "changed": rec.changed if rec else 0,
        "ready_since": row.ready_since,
        "router": None if router is None else {
            "host": router.host, "measured": router.measured, "model": router.model,
            "os_version": router.os_version, "changed_lines": router.changed_lines,
            "backup_path": router.backup_path,
        },
        "endpoints": {"ok": sum(1 for e in endpoints if e.ok), "total": len(endpoints)},
        "clients": _pair(report.clients if report else None, "installed", "machines"),
        "hardening": _pair(report.hardening if report else None, "applied", "enabled"),
        "line_verdict": report.line_verdict if report else None,
        "missing_devices": report.missing_devices if report else [],
        "failures": len(rec.failures) if rec else 0,
        "holding": holding(row, lang) or None,
    }  # fmt: skip


def _pair(pair: tuple[int, int] | None, first: str, second: str) -> dict[str, int] | None:
    return None if pair is None else {first: pair[0], second: pair[1]}


def city_json(city: CityReport, lang: Lang) -> dict[str, Any]:
    return {
        "city": city.ctx.city_id,
        "display_name": city.ctx.name,
        "view": "run" if city.run else "latest",
        "run_id": city.run.run_id if city.run else None,
        "generated_at": city.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "deadline": city.ctx.deadline.isoformat() if city.ctx.deadline else None,
        "counts": city.counts | {"total": city.total},
        "wards": [row_json(row, lang) for row in city.rows],
        "timeline": [{"at": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "ready": n} for when, n in city.timeline],
    }


def deadline_text(city: CityReport, lang: Lang) -> str:
    days = city.days_left()
    if city.ctx.deadline is None or days is None:
        return lang.t("city.no_deadline")
    when = lang.date(datetime.combine(city.ctx.deadline, time()))
    if city.ready == city.total and city.total:
        return when
    return f"{when} ({lang.t('city.days_left', n=days) if days >= 0 else lang.t('city.overdue', n=-days)})"


def today(city: CityReport) -> date:
    return city.generated_at.astimezone(city.ctx.tz).date()
