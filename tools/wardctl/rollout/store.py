"""The run record: one SQLite file per state directory, the single source for status and reports.

Tables
- runs:         one row per rollout run (resume continues the same run_id).
- wards:        per run and ward: status (pending | running | done | failed | unreachable), wave, gate result.
- hosts:        per run and host: ok / changed / failed / unreachable / skipped counters (apply + gate).
- failures:     per run: host, task, message, phase (apply | gate) — every failed or unreachable task.
- reports:      per run and host: facts named `*_report` that roles return (router, line_check, …), as JSON.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wardctl.paths import repo_root

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
  inventory TEXT NOT NULL, playbook TEXT NOT NULL, check_mode INTEGER NOT NULL, tags TEXT,
  waves TEXT NOT NULL, canary TEXT, max_failed_wards INTEGER, resumes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS wards (
  run_id TEXT NOT NULL, ward TEXT NOT NULL, display_name TEXT NOT NULL, wave INTEGER NOT NULL,
  status TEXT NOT NULL, gate TEXT, changed INTEGER NOT NULL DEFAULT 0, message TEXT,
  started_at TEXT, finished_at TEXT, PRIMARY KEY (run_id, ward)
);
CREATE TABLE IF NOT EXISTS hosts (
  run_id TEXT NOT NULL, ward TEXT NOT NULL, host TEXT NOT NULL, ok INTEGER NOT NULL DEFAULT 0,
  changed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, unreachable INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (run_id, host)
);
CREATE TABLE IF NOT EXISTS failures (
  run_id TEXT NOT NULL, ward TEXT NOT NULL, host TEXT NOT NULL, task TEXT NOT NULL, message TEXT NOT NULL,
  phase TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reports (
  run_id TEXT NOT NULL, ward TEXT NOT NULL, host TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (run_id, host, kind)
);
CREATE INDEX IF NOT EXISTS failures_run_ward ON failures (run_id, ward);
"""

WARD_STATUSES = ("pending", "running", "done", "failed", "unreachable")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def state_dir() -> Path:
    return Path(os.environ.get("WARDCTL_STATE_DIR", repo_root() / "state")).resolve()


@dataclass
class HostCounts:
    ok: int = 0
    changed: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0

    def add(self, other: HostCounts) -> None:
        for name in ("ok", "changed", "failed", "unreachable", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Failure:
    host: str
    task: str
    message: str
    phase: str = "apply"


@dataclass
class WaveOutcome:
    """What one playbook run over one wave left behind, reduced to what the record keeps."""

    hosts: dict[str, HostCounts] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    reports: dict[tuple[str, str], Any] = field(default_factory=dict)  # (host, kind) -> data
    rc: int = 0
    cancelled: bool = False


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "runs.db"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction: a Ctrl-C between two writes never leaves half a wave recorded."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- runs -------------------------------------------------------------------------------------------------
    def create_run(self, run_id: str, *, inventory: str, playbook: str, check: bool, tags: str | None,
                   waves: list[list[str]], canary: str | None, max_failed: int | None,
                   names: dict[str, str]) -> None:  # fmt: skip
        with self.tx() as db:
            db.execute(
                "INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,0)",
                (run_id, now(), None, "running", inventory, playbook, int(check), tags, json.dumps(waves),
                 canary, max_failed),
            )  # fmt: skip
            for index, wave in enumerate(waves):
                for ward in wave:
                    db.execute(
                        "INSERT INTO wards (run_id, ward, display_name, wave, status) VALUES (?,?,?,?,?)",
                        (run_id, ward, names.get(ward, ward), index, "pending"),
                    )

    def run(self, run_id: str | None = None) -> sqlite3.Row | None:
        if run_id is None:
            return self.db.execute("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
        return self.db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()

    def runs(self, limit: int = 20) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,)).fetchall()

    def finish_run(self, run_id: str, status: str) -> None:
        with self.tx() as db:
            db.execute("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?", (status, now(), run_id))

    def resume_run(self, run_id: str) -> None:
        with self.tx() as db:
            db.execute(
                "UPDATE runs SET status = 'running', finished_at = NULL, resumes = resumes + 1 WHERE run_id = ?",
                (run_id,),
            )
            # Every ward not done (failed, unreachable, or running when the last process stopped) is retried.
            db.execute("UPDATE wards SET status = 'pending' WHERE run_id = ? AND status != 'done'", (run_id,))

    # --- wards ------------------------------------------------------------------------------------------------
    def wards(self, run_id: str) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM wards WHERE run_id = ? ORDER BY wave, rowid", (run_id,)).fetchall()

    def mark_running(self, run_id: str, wards: list[str]) -> None:
        with self.tx() as db:
            for ward in wards:
                db.execute(
                    "UPDATE wards SET status = 'running', started_at = ?, message = NULL, gate = NULL "
                    "WHERE run_id = ? AND ward = ?",
                    (now(), run_id, ward),
                )
                # A retried ward (resume) starts with a clean slate: only its latest attempt is reported.
                for table in ("failures", "hosts", "reports"):
                    db.execute(f"DELETE FROM {table} WHERE run_id = ? AND ward = ?", (run_id, ward))

    def record_wave(self, run_id: str, host_ward: dict[str, str], outcome: WaveOutcome,
                    verdicts: dict[str, tuple[str, str | None, str | None]]) -> None:  # fmt: skip
        """Host counters, failures, reports and each ward's verdict (status, gate, message), all at once."""
        with self.tx() as db:
            for host, counts in outcome.hosts.items():
                ward = host_ward.get(host, "")
                db.execute(
                    "INSERT INTO hosts VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (run_id, host) DO UPDATE SET "
                    "ok = excluded.ok, changed = excluded.changed, failed = excluded.failed, "
                    "unreachable = excluded.unreachable, skipped = excluded.skipped",
                    (run_id, ward, host, counts.ok, counts.changed, counts.failed, counts.unreachable, counts.skipped),
                )
            for f in outcome.failures:
                db.execute(
                    "INSERT INTO failures VALUES (?,?,?,?,?,?,?)",
                    (run_id, host_ward.get(f.host, ""), f.host, f.task, f.message, f.phase, now()),
                )
            for (host, kind), data in outcome.reports.items():
                db.execute(
                    "INSERT INTO reports VALUES (?,?,?,?,?) ON CONFLICT (run_id, host, kind) DO UPDATE SET "
                    "data = excluded.data",
                    (run_id, host_ward.get(host, ""), host, kind, json.dumps(data, ensure_ascii=False, default=str)),
                )
            for ward, (status, gate, message) in verdicts.items():
                changed = sum(c.changed for h, c in outcome.hosts.items() if host_ward.get(h) == ward)
                db.execute(
                    "UPDATE wards SET status = ?, gate = ?, message = ?, changed = ?, finished_at = ? "
                    "WHERE run_id = ? AND ward = ?",
                    (status, gate, message, changed, now() if status != "pending" else None, run_id, ward),
                )

    # --- what reports read ------------------------------------------------------------------------------------
    def hosts(self, run_id: str, ward: str) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM hosts WHERE run_id = ? AND ward = ? ORDER BY host", (run_id, ward)
        ).fetchall()

    def failures(self, run_id: str, ward: str | None = None) -> list[sqlite3.Row]:
        if ward is None:
            return self.db.execute("SELECT * FROM failures WHERE run_id = ? ORDER BY rowid", (run_id,)).fetchall()
        return self.db.execute(
            "SELECT * FROM failures WHERE run_id = ? AND ward = ? ORDER BY rowid", (run_id, ward)
        ).fetchall()

    def reports(self, run_id: str, ward: str) -> dict[str, dict[str, Any]]:
        """{host: {kind: data}} for one ward."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.db.execute(
            "SELECT host, kind, data FROM reports WHERE run_id = ? AND ward = ? ORDER BY host, kind", (run_id, ward)
        ):
            out.setdefault(row["host"], {})[row["kind"]] = json.loads(row["data"])
        return out

    def ward_json(self, run_id: str, ward: str) -> dict[str, Any]:
        """The stable JSON contract for CI (docs/rollout.md): one ward of one run."""
        row = self.db.execute("SELECT * FROM wards WHERE run_id = ? AND ward = ?", (run_id, ward)).fetchone()
        if row is None:
            raise KeyError(ward)
        return {
            "run_id": run_id,
            "ward": ward,
            "display_name": row["display_name"],
            "status": "pending" if row["status"] == "running" else row["status"],
            "gate": row["gate"],
            "message": row["message"],
            "changed": row["changed"],
            "finished_at": row["finished_at"],
            "hosts": [
                {k: h[k] for k in ("ok", "changed", "failed", "unreachable", "skipped")} | {"name": h["host"]}
                for h in self.hosts(run_id, ward)
            ],
            "failures": [
                {"host": f["host"], "task": f["task"], "message": f["message"], "phase": f["phase"]}
                for f in self.failures(run_id, ward)
            ],
            "reports": self.reports(run_id, ward),
        }

    def close(self) -> None:
        self.db.close()
