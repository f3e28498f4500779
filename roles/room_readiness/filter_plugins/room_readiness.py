"""The room's readiness report and the city-wide procurement CSV, from what the Linux or Windows probe found."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

ITEMS = ("camera", "microphone", "speaker", "display")
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 (diacritics intact) only when it starts with a byte-order mark
CSV_COLUMNS = ("ward", "ward_display_name", "host", *ITEMS, "missing", "procurement")


def room_readiness_report(items: dict[str, Any], identity: dict[str, Any] | None = None,
                          procurement: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    """The `room_readiness_report` fact: each checked item `present` or `missing` at the top level, the devices
    found (evidence), the missing items and what to buy for them."""
    names = procurement or {}
    checked = [i for i in ITEMS if i in items] + sorted(set(items) - set(ITEMS))
    state = {i: "present" if (items[i] or {}).get("present") else "missing" for i in checked}
    missing = [i for i in checked if state[i] == "missing"]
    return {
        **(identity or {}),
        **state,
        "devices": {i: list((items[i] or {}).get("devices") or []) for i in checked},
        "missing": missing,
        "procurement": [names.get(i, i) for i in missing],
    }


def room_readiness_csv(reports: Iterable[dict[str, Any]], ward_order: Iterable[str] | None = None) -> str:
    """The city-wide procurement.csv (UTF-8 with BOM, CRLF) for the finance office: one row per meeting room."""
    rank = {w: i for i, w in enumerate(ward_order or [])}
    rows = sorted(reports, key=lambda r: (rank.get(r.get("ward", ""), len(rank)), str(r.get("host", ""))))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        row = {c: r.get(c, "") for c in CSV_COLUMNS}
        row["missing"] = "; ".join(r.get("missing") or [])
        row["procurement"] = "; ".join(r.get("procurement") or [])
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return BOM + buf.getvalue()


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"room_readiness_report": room_readiness_report, "room_readiness_csv": room_readiness_csv}
