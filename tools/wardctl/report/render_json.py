"""The ward report as JSON: the stable CI contract (record/contract.py) plus the report's own sections.

Contract keys (docs/rollout.md) are never renamed or retyped; extras are added beside them.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from wardctl.record.contract import contract
from wardctl.report import advice, fmt
from wardctl.report.endpoints import ClientView, HardeningView
from wardctl.report.i18n import Lang
from wardctl.report.ward import DiffSummary, WardReport

SCHEMA_VERSION = 1


def _diff(diff: DiffSummary | None) -> dict[str, Any] | None:
    if diff is None:
        return None
    return {"added": diff.added, "removed": diff.removed, "first_lines": diff.first}


def _client(view: ClientView | None) -> dict[str, Any] | None:
    """The `conference_client_report` fact as read (docs/report-facts.md); null: not measured."""
    return None if view is None else asdict(view) | {"ready": view.ready}


def _hardening(view: HardeningView | None) -> dict[str, Any] | None:
    """Each area's state, the failed ones' reasons, counts by state (docs/report-facts.md); null: not measured."""
    if view is None:
        return None
    return {"areas": view.areas, "reasons": view.reasons, "counts": view.counts, "applied": len(view.applied),
            "enabled": view.enabled, "failed": view.failed, "not_applied": view.not_applied,
            "check_mode": view.check_mode, "lynis_index": view.lynis_index}  # fmt: skip


def ward_doc(report: WardReport, lang: Lang) -> dict[str, Any]:
    rec = report.record
    doc = contract(rec)
    router = report.router
    doc |= {
        "schema": SCHEMA_VERSION,
        "record_status": rec.status,
        "check_mode": rec.run.check_mode,
        "wave": rec.wave,
        "started_at": rec.started_at,
        "technician": report.technician or None,
        "router": None if router is None else {
            "host": router.host, "device_type": router.device_type or None, "measured": router.measured,
            "model": router.model, "os_version": router.os_version, "changed": router.changed,
            "lines_pushed": router.lines_pushed, "diff": _diff(router.diff), "backup_path": router.backup_path,
        },
        "endpoints": [
            {"name": ep.host, "role": ep.role, "platform": ep.platform or None, "ok": ep.ok,
             "in_run": ep.counts is not None,
             "client": _client(ep.client), "hardening": _hardening(ep.hardening)}
            for ep in report.endpoints
        ],
        "line": [
            {"host": line.host, "verdict": line.verdict, "reasons": line.reasons,
             "gate": line.gate, "contract": line.contract or None,
             "checks": [{"metric": m.key, "value": m.value, "limit": m.limit, "bound": m.bound,
                         "unfit_limit": m.unfit_limit, "level": m.level, "ok": m.ok} for m in line.metrics]}
            for line in report.lines
        ],
        "line_verdict": report.line_verdict,
        "room": [{"host": room.host, "devices": room.devices, "missing": room.missing,
                  "to_buy": fmt.to_buy(room.buy, lang)} for room in report.rooms],
        "run_failures": [{"host": f.host, "task": f.task, "message": f.message, "phase": f.phase}
                         for f in report.run_failures],
        "next_steps": [advice.as_json(step, lang, report.contact) for step in advice.advise(report)],
        "lang": lang.code,
    }  # fmt: skip
    return doc
