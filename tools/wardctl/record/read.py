"""Read-only access to the run record (store.py's tables) for reports: a few set-based queries per page.

A city page for 1,000 wards costs four queries (wards, hosts, failures, reports), never one per ward per
section. Everything that leaves this module is already masked and cleaned (wardctl.masking), so no renderer can
forget to.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wardctl.errors import WardctlError
from wardctl.masking import clean, mask_text, might_hold_secret, scrub
from wardctl.record.state import state_dir
from wardctl.record.store import Store

NO_RUNS = "no rollout recorded yet; run `wardctl rollout`"
LATEST = "latest"  # accepted wherever a RUN is: the most recent run, whatever its kind (CI's dry run)
REPORT_KINDS = ("router", "conference_client", "endpoint_hardening", "line_check", "room_readiness")


def kind_name(kind: str) -> str:
    """`router_report` and `router` both mean the router's report (roles name facts `<kind>_report`)."""
    return kind.removesuffix("_report")


def contract_status(status: str) -> str:
    """The CI contract knows done, failed, unreachable and pending; a ward still running is not done yet."""
    return status if status in ("done", "failed", "unreachable") else "pending"


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    started_at: str
    finished_at: str | None
    status: str
    inventory: str
    check_mode: bool
    canary: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> RunInfo:
        return cls(row["run_id"], row["started_at"], row["finished_at"], row["status"], row["inventory"],
                   bool(row["check_mode"]), row["canary"])  # fmt: skip


@dataclass
class HostResult:
    name: str
    ok: int = 0
    changed: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0

    @property
    def healthy(self) -> bool:
        return not self.failed and not self.unreachable


@dataclass
class FailureEntry:
    host: str
    task: str
    message: str
    phase: str = "apply"


@dataclass
class WardRecord:
    """One ward's latest attempt in one run, with everything the reports show about it."""

    run: RunInfo
    ward: str
    display_name: str
    status: str  # as recorded: pending | running | done | failed | unreachable
    wave: int = 0
    gate: str | None = None
    message: str | None = None
    changed: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    hosts: list[HostResult] = field(default_factory=list)
    failures: list[FailureEntry] = field(default_factory=list)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # host -> kind -> data (masked)

    @property
    def run_id(self) -> str:
        return self.run.run_id

    @property
    def contract_status(self) -> str:
        return contract_status(self.status)

    def host(self, name: str) -> HostResult | None:
        return next((h for h in self.hosts if h.name == name), None)


def _text(value: object) -> str:
    return mask_text(str(value)) if value is not None else ""


def _load(data: str) -> Any:
    try:
        value = json.loads(data)
    except (ValueError, TypeError):
        return {}  # a report the record cannot parse counts as not measured, never as a crash
    # Most reports hold nothing secret-looking and no escaped control character: one scan of the raw JSON
    # spares walking them (a city page loads thousands).
    return scrub(value) if "\\u" in data or might_hold_secret(data) else value


class Record:
    """The record of one state directory, opened only if it exists (reading never creates state/)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    @classmethod
    def open(cls) -> Record | None:
        path = state_dir() / "runs.db"
        if not path.is_file():
            return None
        return cls(Store(path))  # an unreadable file is a one-line WardctlError from Store

    def close(self) -> None:
        self.store.close()

    # --- runs ---------------------------------------------------------------------------------------------
    def run(self, run_id: str | None = None) -> RunInfo | None:
        row = self.store.run(run_id)
        return RunInfo.from_row(row) if row else None

    def require_run(self, run_id: str) -> RunInfo:
        """The run named, or with `latest` the most recent one (a dry run included); one-line error if none."""
        info = self.run(None if run_id == LATEST else run_id)
        if info is None:
            recent = ", ".join(r["run_id"] for r in self.store.runs(3)) or "none"
            raise WardctlError(f"unknown run {run_id!r} (latest: {recent})")
        return info

    def has_runs(self) -> bool:
        return self.db.execute("SELECT 1 FROM runs LIMIT 1").fetchone() is not None

    # --- wards --------------------------------------------------------------------------------------------
    def records(
        self, run_id: str | None = None, wards: Sequence[str] | None = None, kinds: Iterable[str] | None = None
    ) -> dict[str, WardRecord]:
        """{ward: record}. With a run, that run's wards; without, each ward's latest attempt.

        The latest attempt prefers apply runs over dry runs (a merge request's --check says nothing about what
        is deployed) and an attempted ward over one left pending (a run stopped by its failure budget did not
        undo an earlier success).
        """
        params: dict[str, Any] = {"run": run_id}
        only = ""
        if wards is not None:
            names = list(wards)
            only = f" AND w.ward IN ({','.join(f':w{i}' for i in range(len(names)))})"
            params |= {f"w{i}": name for i, name in enumerate(names)}
        if run_id is not None:
            sel = f"SELECT w.run_id, w.ward FROM wards w WHERE w.run_id = :run{only}"
        else:
            sel = (
                "SELECT run_id, ward FROM (SELECT w.run_id, w.ward, ROW_NUMBER() OVER (PARTITION BY w.ward "
                "ORDER BY r.check_mode, w.status = 'pending', r.started_at DESC, r.rowid DESC) AS n "
                f"FROM wards w JOIN runs r ON r.run_id = w.run_id WHERE 1 = 1{only}) WHERE n = 1"
            )
        # The selection goes to a per-connection TEMP table with a primary key: the record's own tables have no
        # (run_id, ward) index, and joining a window query three times made SQLite rescan them per ward.
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS report_sel (run_id TEXT NOT NULL, ward TEXT NOT NULL, "
            "PRIMARY KEY (run_id, ward)) WITHOUT ROWID"
        )
        self.db.execute("DELETE FROM temp.report_sel")
        self.db.execute(f"INSERT INTO temp.report_sel {sel}", params)
        runs: dict[str, RunInfo] = {}
        out: dict[str, WardRecord] = {}
        by_key: dict[tuple[str, str], WardRecord] = {}
        rows = self.db.execute(
            "SELECT w.*, r.started_at AS r_started, r.finished_at AS r_finished, r.status AS r_status, r.inventory, "
            "r.check_mode, r.canary, r.run_id AS r_id FROM temp.report_sel s "
            "JOIN wards w ON w.run_id = s.run_id AND w.ward = s.ward JOIN runs r ON r.run_id = w.run_id "
            "ORDER BY r.started_at, w.wave, w.rowid"
        )
        for row in rows:
            info = runs.get(row["run_id"])
            if info is None:
                info = runs[row["run_id"]] = RunInfo(
                    row["r_id"], row["r_started"], row["r_finished"], row["r_status"], row["inventory"],
                    bool(row["check_mode"]), row["canary"],
                )  # fmt: skip
            rec = WardRecord(
                run=info, ward=row["ward"], display_name=clean(row["display_name"]), status=row["status"],
                wave=row["wave"], gate=row["gate"], message=_text(row["message"]) or None, changed=row["changed"],
                started_at=row["started_at"], finished_at=row["finished_at"],
            )  # fmt: skip
            out[rec.ward] = rec
            by_key[(rec.run_id, rec.ward)] = rec
        if not out:
            return out
        # Each table is scanned once and matched against the selection's primary key.
        join = "FROM {t} x JOIN temp.report_sel s ON s.run_id = x.run_id AND s.ward = x.ward"
        for row in self.db.execute(f"SELECT x.* {join.format(t='hosts')} ORDER BY x.host"):
            by_key[(row["run_id"], row["ward"])].hosts.append(
                HostResult(row["host"], row["ok"], row["changed"], row["failed"], row["unreachable"], row["skipped"])
            )
        for row in self.db.execute(f"SELECT x.* {join.format(t='failures')} ORDER BY x.rowid"):
            by_key[(row["run_id"], row["ward"])].failures.append(
                FailureEntry(clean(row["host"]), _text(row["task"]), _text(row["message"]), row["phase"])
            )
        wanted = None if kinds is None else [k for kind in kinds for k in (kind, f"{kind}_report")]
        if wanted == []:
            return out  # the caller needs no report (JUnit): skip the biggest table
        kind_filter = ""
        if wanted is not None:
            kind_filter = f" WHERE x.kind IN ({','.join('?' * len(wanted))})"
        for row in self.db.execute(
            f"SELECT x.run_id, x.ward, x.host, x.kind, x.data {join.format(t='reports')}{kind_filter}", wanted or ()
        ):
            rec = by_key[(row["run_id"], row["ward"])]
            rec.reports.setdefault(row["host"], {})[kind_name(row["kind"])] = _load(row["data"])
        return out

    def record(self, ward: str, run_id: str | None = None) -> WardRecord:
        """One ward, every report kind; a one-line error naming what is unknown."""
        found = self.records(run_id, [ward]).get(ward)
        if found is None:
            if run_id is not None:
                raise WardctlError(f"ward {ward!r} is not in run {run_id!r}")
            raise WardctlError(f"ward {ward!r} has not been rolled out yet: no run records it")
        return found

    def run_failures(self, run_ids: Iterable[str]) -> dict[str, list[FailureEntry]]:
        """Failures that belong to no ward (the playbook itself did not start), per run."""
        ids = sorted(set(run_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        out: dict[str, list[FailureEntry]] = {}
        for row in self.db.execute(
            f"SELECT * FROM failures WHERE ward = '' AND run_id IN ({marks}) ORDER BY rowid", ids
        ):
            out.setdefault(row["run_id"], []).append(
                FailureEntry(clean(row["host"]), _text(row["task"]), _text(row["message"]), row["phase"])
            )
        return out

    def ready_since(self) -> dict[str, str]:
        """{ward: when it first came out done in an apply run}: the city's progress, run after run."""
        rows = self.db.execute(
            "SELECT w.ward, MIN(w.finished_at) AS at FROM wards w JOIN runs r ON r.run_id = w.run_id "
            "WHERE w.status = 'done' AND r.check_mode = 0 AND w.finished_at IS NOT NULL GROUP BY w.ward"
        )
        return {row["ward"]: row["at"] for row in rows}

    def first_started(self) -> str | None:
        row = self.db.execute("SELECT MIN(started_at) AS at FROM runs WHERE check_mode = 0").fetchone()
        return row["at"] if row else None
