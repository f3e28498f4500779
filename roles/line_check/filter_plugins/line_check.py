"""The line check's verdict, gate message and city-wide CSV, made on the controller from the probe's figures.

One implementation: the role's tasks, the verify playbook and the tests all call these functions. Every band is
"good" up to the first bound, "degraded" up to the second, "unfit" beyond it (README: how each bound was chosen).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

VERDICTS = ("good", "degraded", "unfit")
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 (diacritics intact) only when it starts with a byte-order mark
# The figures the verdict judges, at the top level of the report (the run record's reports read these names).
CSV_FIGURES = (
    "rtt_min_ms", "rtt_avg_ms", "rtt_max_ms", "jitter_ms", "loss_percent", "down_mbps", "up_mbps", "dns_ms",
    "ntp_offset_ms",
)  # fmt: skip
CSV_COLUMNS = ("ward", "ward_display_name", "host", "target", *CSV_FIGURES, "verdict", "gate", "reasons")


def _num(value: float) -> str:
    """A figure as people read it: whole numbers from 100, one decimal from 10, two below; no trailing zeros."""
    value = float(value)
    text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _worst(levels: Iterable[str]) -> str:
    return max(levels, key=VERDICTS.index, default="good")


class _Judge:
    """Collects one level and, when not good, one reason per judged figure, and the bounds used."""

    def __init__(self) -> None:
        self.checks: dict[str, str] = {}
        self.reasons: list[str] = []
        self.thresholds: dict[str, dict[str, float]] = {}

    def above(self, key: str, label: str, value: float | None, unit: str, degraded: float, unfit: float | None,
              missing: str | None = None, missing_level: str = "unfit") -> None:  # fmt: skip
        """Worse when higher: good up to `degraded`, degraded up to `unfit`, unfit beyond. A missing value counts
        at `missing_level` when `missing` (the reason) is given, else it is not judged."""
        self.thresholds[key] = {"max": degraded, **({"unfit_max": unfit} if unfit is not None else {})}
        if value is None:
            if missing is not None:
                self._set(key, missing_level, missing)
            return
        # A clock offset is bad either way: compare its size, show its sign.
        size, op = (abs(value), "beyond ±") if key.startswith("ntp") else (value, "> ")
        if unfit is not None and size > unfit:
            self._set(key, "unfit", f"{label} {_num(value)} {unit} {op}{_num(unfit)} {unit} (unfit bound)")
        elif size > degraded:
            self._set(key, "degraded", f"{label} {_num(value)} {unit} {op}{_num(degraded)} {unit} (degraded bound)")
        else:
            self.checks[key] = "good"

    def below(self, key: str, label: str, value: float | None, unit: str, good: float, unfit: float, why: str,
              missing: str) -> None:  # fmt: skip
        """Worse when lower: good from `good`, degraded from `unfit`, unfit below; missing counts as unfit."""
        self.thresholds[key] = {"min": good, "unfit_min": unfit}
        if value is None:
            self._set(key, "unfit", missing)
        elif value < unfit:
            self._set(key, "unfit", f"{label} {_num(value)} {unit} < {_num(unfit)} {unit} (unfit bound: {why})")
        elif value < good:
            self._set(key, "degraded", f"{label} {_num(value)} {unit} < {_num(good)} {unit} (degraded bound)")
        else:
            self.checks[key] = "good"

    def _set(self, key: str, level: str, reason: str) -> None:
        self.checks[key] = level
        self.reasons.append(reason)


def _error(errors: list[str], word: str) -> str | None:
    return next((e for e in errors if word in e), None)


def line_check_verdict(figures: dict[str, Any], settings: dict[str, Any], errors: list[str] | None = None) -> dict:
    """{verdict, reasons, checks, thresholds} for a set of figures.

    `settings` holds the role's thresholds (its variables without the `line_check_` prefix) and which areas ran
    (`latency`, `throughput`, `dns`, `ntp`, `province`: booleans). A figure that should have been measured but was not
    counts against the line: unfit when city hall cannot be reached or measured, degraded for time (NTP).
    """
    s, errs, j = settings, list(errors or []), _Judge()
    if s.get("latency", True):
        target = s.get("target", "city hall")
        sent = figures.get("ping_sent") or 0
        lost = f"{target} did not answer: {_num(figures.get('loss_percent') or 100.0)} % loss of {sent} pings"
        no_answer = _error(errs, "ping ") or lost
        j.above("rtt_ms", "RTT avg", figures.get("rtt_avg_ms"), "ms", s["rtt_degraded_ms"], s["rtt_unfit_ms"],
                missing=no_answer)  # fmt: skip
        # With no answer at all, the RTT reason says so; loss and jitter are then not judged on their own.
        answered = figures.get("rtt_avg_ms") is not None
        j.above("loss_percent", "loss", figures.get("loss_percent") if answered else None, "%",
                s["loss_degraded_percent"], s["loss_unfit_percent"])  # fmt: skip
        j.above("jitter_ms", "jitter", figures.get("jitter_ms"), "ms", s["jitter_degraded_ms"], s["jitter_unfit_ms"])
    if s.get("throughput", True):
        need = float(s["participants"]) * float(s["mbps_per_participant"])
        good = round(need * (1 + float(s["headroom_percent"]) / 100.0), 3)
        per = _num(float(s["mbps_per_participant"]))
        why = f"{_num(float(s['participants']))} participants × {per} Mbit/s"  # noqa: RUF001 (the sign people read)
        for direction in ("down", "up"):
            err = _error(errs, f"iperf3 {direction}")
            missing = f"throughput {direction} not measured ({err or 'no result'})"
            j.below(f"{direction}_mbps", f"throughput {direction}", figures.get(f"{direction}_mbps"), "Mbit/s", good,
                    round(need, 3), why, missing=missing)  # fmt: skip
    if s.get("dns", True):
        err = _error(errs, "resolve ")
        j.above("dns_ms", f"DNS lookup of {s.get('dns_name', 'the conference service')}", figures.get("dns_ms"), "ms",
                s["dns_degraded_ms"], None, missing=f"DNS: {err or 'no answer'}")  # fmt: skip
    if s.get("ntp", True):
        no_time = _error(errs, "NTP") or "NTP: no answer"
        j.above("ntp_offset_ms", "NTP offset", figures.get("ntp_offset_ms"), "ms", s["ntp_degraded_ms"],
                s["ntp_unfit_ms"], missing=no_time, missing_level="degraded")  # fmt: skip
    if s.get("province", False):
        server = s.get("province_target", "province server")
        sent = figures.get("province_ping_sent") or 0
        j.above("province_rtt_ms", f"province RTT avg ({server})", figures.get("province_rtt_avg_ms"), "ms",
                s["rtt_degraded_ms"], s["rtt_unfit_ms"],
                missing=f"province server {server} did not answer ({sent} pings)")  # fmt: skip
        answered = figures.get("province_rtt_avg_ms") is not None
        j.above("province_loss_percent", "province loss", figures.get("province_loss_percent") if answered else None,
                "%", s["loss_degraded_percent"], s["loss_unfit_percent"])  # fmt: skip
        j.above("province_jitter_ms", "province jitter", figures.get("province_jitter_ms"), "ms",
                s["jitter_degraded_ms"], s["jitter_unfit_ms"])  # fmt: skip
    return {"verdict": _worst(j.checks.values()), "reasons": j.reasons, "checks": j.checks, "thresholds": j.thresholds}


def line_check_report(figures: dict[str, Any], settings: dict[str, Any], errors: list[str] | None = None,
                      identity: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """The `line_check_report` fact: identity, the judged figures at the top level, verdict, reasons, thresholds,
    gate (pass / waived / fail) and the remaining details (ports used, sample counts, errors…)."""
    verdict = line_check_verdict(figures, settings, errors)
    waived = bool(settings.get("waive_unfit", False))
    gate = "pass" if verdict["verdict"] != "unfit" else ("waived" if waived else "fail")
    judged = {
        "rtt_ms": {k: figures.get(f"rtt_{k}_ms") for k in ("min", "avg", "max")},
        **{k: figures.get(k) for k in ("jitter_ms", "loss_percent", "down_mbps", "up_mbps", "dns_ms", "ntp_offset_ms")},
    }
    shown = {"rtt_min_ms", "rtt_avg_ms", "rtt_max_ms", *judged}
    details = {k: v for k, v in sorted(figures.items()) if k not in shown}
    return {
        **(identity or {}),
        **judged,
        **verdict,
        "waived": waived,
        "gate": gate,
        "details": {**details, "errors": list(errors or [])},
    }


def line_check_gate_message(report: dict[str, Any]) -> str:
    """One line: which ward, which room, why it fails its gate, and how a ward may be waived."""
    ward = report.get("ward") or "?"
    name = report.get("ward_display_name") or ward
    why = "; ".join(report.get("reasons") or []) or "unfit"
    return (
        f"line_check gate: {ward} ({name}) {report.get('host', '')} line unfit: {why} "
        f"[waive with line_check_waive_unfit: true in group_vars/{ward}.yml]"
    )


def line_check_summary(report: dict[str, Any]) -> str:
    """One line for the run's output: verdict, every judged figure (n/a when not measured), reasons."""

    def fig(value: Any, unit: str) -> str:
        return "n/a" if value is None else f"{_num(value)} {unit}"

    rtt = report.get("rtt_ms") or {}
    figures = ", ".join([
        f"RTT {fig(rtt.get('avg'), 'ms')}", f"jitter {fig(report.get('jitter_ms'), 'ms')}",
        f"loss {fig(report.get('loss_percent'), '%')}", f"down {fig(report.get('down_mbps'), 'Mbit/s')}",
        f"up {fig(report.get('up_mbps'), 'Mbit/s')}", f"DNS {fig(report.get('dns_ms'), 'ms')}",
        f"NTP offset {fig(report.get('ntp_offset_ms'), 'ms')}",
    ])  # fmt: skip
    why = "; ".join(report.get("reasons") or [])
    return f"{report.get('ward')} {report.get('host')}: {report.get('verdict')} ({figures}){': ' + why if why else ''}"


def line_check_rows(report: dict[str, Any]) -> dict[str, Any]:
    """A report flattened to the CSV's columns."""
    rtt = report.get("rtt_ms") or {}
    flat = {**report, "rtt_min_ms": rtt.get("min"), "rtt_avg_ms": rtt.get("avg"), "rtt_max_ms": rtt.get("max")}
    row = {c: flat.get(c) for c in CSV_COLUMNS}
    row["reasons"] = "; ".join(report.get("reasons") or []) or "all figures in the good band"
    return row


def line_check_csv(reports: Iterable[dict[str, Any]], ward_order: Iterable[str] | None = None) -> str:
    """The city-wide line_quality.csv (UTF-8 with BOM, CRLF): one row per measured meeting room."""
    return BOM + _csv([line_check_rows(r) for r in _ordered(reports, ward_order)], CSV_COLUMNS)


def _ordered(reports: Iterable[dict[str, Any]], ward_order: Iterable[str] | None) -> list[dict[str, Any]]:
    rank = {w: i for i, w in enumerate(ward_order or [])}
    return sorted(reports, key=lambda r: (rank.get(r.get("ward", ""), len(rank)), str(r.get("host", ""))))


def _csv(rows: list[dict[str, Any]], columns: Iterable[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buf.getvalue()


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {
            "line_check_verdict": line_check_verdict,
            "line_check_report": line_check_report,
            "line_check_gate_message": line_check_gate_message,
            "line_check_summary": line_check_summary,
            "line_check_csv": line_check_csv,
        }
