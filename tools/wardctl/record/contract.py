"""The stable JSON contract for CI (docs/rollout.md): one ward of one run, built only here.

`Store.ward_json` and `wardctl report WARD --format json` both return this; the report adds its own sections
beside these keys, which are never renamed or retyped.
"""

from __future__ import annotations

from typing import Any

from wardctl.record.read import WardRecord


def contract(rec: WardRecord) -> dict[str, Any]:
    """From the record as read (already masked): one unreadable report row cannot fail the whole document."""
    return {
        "run_id": rec.run_id,
        "ward": rec.ward,
        "display_name": rec.display_name,
        "status": rec.contract_status,
        "gate": rec.gate,
        "message": rec.message,
        "changed": rec.changed,
        "finished_at": rec.finished_at,
        "hosts": [
            {"ok": h.ok, "changed": h.changed, "failed": h.failed, "unreachable": h.unreachable, "skipped": h.skipped,
             "name": h.name}
            for h in rec.hosts
        ],
        "failures": [{"host": f.host, "task": f.task, "message": f.message, "phase": f.phase} for f in rec.failures],
        "reports": rec.reports,
    }  # fmt: skip
