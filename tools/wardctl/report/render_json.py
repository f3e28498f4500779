"""The ward report as JSON: the stable CI contract (record/contract.py) plus the report's own sections.

Contract keys (docs/rollout.md) are never renamed or retyped; extras are added beside them.
"""

from __future__ import annotations

from typing import Any

from wardctl.record.contract import contract
from wardctl.report import advice
from wardctl.report.i18n import Lang
from wardctl.report.ward import DiffSummary, WardReport

SCHEMA_VERSION = 1


def _diff(diff: DiffSummary | None) -> dict[str, Any] | None:
    if diff is None:
        return None
    return {"added": diff.added, "removed": diff.removed, "first_lines": diff.first}


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
             "client": None if ep.client is None else
             {"package": ep.client.package, "version": ep.client.version, "state": ep.client.state},
             "hardening": None if ep.hardening is None else
             {"areas": ep.hardening.areas, "not_applied": ep.hardening.not_applied,
              "lynis_index": ep.hardening.lynis_index}}
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
        "room": [{"host": room.host, "devices": room.devices, "missing": room.missing} for room in report.rooms],
        "run_failures": [{"host": f.host, "task": f.task, "message": f.message, "phase": f.phase}
                         for f in report.run_failures],
        "next_steps": [advice.as_json(step, lang, report.contact) for step in advice.advise(report)],
        "lang": lang.code,
    }  # fmt: skip
    return doc
