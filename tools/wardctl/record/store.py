"""The run record's schema and writes: one SQLite file per state directory.

Tables
- runs:         one row per rollout run (resume continues the same run_id) and the settings it was started with.
- wards:        per run and ward: status (pending | running | done | failed | unreachable), wave, gate result.
- hosts:        per run and host: ok / changed / failed / unreachable / skipped counters (apply + gate).
- failures:     per run: host, task, message, phase (apply | gate) — every failed or unreachable task.
- reports:      per run and host: facts named `*_report` that roles return (router, line_check, …), as JSON.

Everything written is masked on the way in (wardctl.masking): the record is as shareable as the reports.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wardctl.errors import WardctlError
from wardctl.masking import clean, mask_text, scrub
from wardctl.record.state import state_dir, touch_private

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
  inventory TEXT NOT NULL, playbook TEXT NOT NULL, check_mode INTEGER NOT NULL, tags TEXT,
  waves TEXT NOT NULL, canary TEXT, max_failed_wards INTEGER, resumes INTEGER NOT NULL DEFAULT 0,
  gate_playbook TEXT
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
# Columns added after the first release, with their type: an older runs.db gains them when opened.
ADDED_COLUMNS = {"runs": {"gate_playbook": "TEXT"}}

WARD_STATUSES = ("pending", "running", "done", "failed", "unreachable")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(stamp: str | None) -> datetime | None:
    """The record's `YYYY-MM-DDTHH:MM:SSZ` (UTC) as an aware datetime; None when absent or unreadable."""
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RunSettings:
    """How a run was started: a resume runs with exactly these (docs/rollout.md)."""

    inventory: str
    playbook: str
    check: bool
    tags: str | None
    waves: list[list[str]]
    canary: str | None
    max_failed_wards: int
    gate_playbook: str | None  # '' for no gate; None: not recorded (a run made before this was recorded)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> RunSettings:
        return cls(row["inventory"], row["playbook"], bool(row["check_mode"]), row["tags"], json.loads(row["waves"]),
                   row["canary"], int(row["max_failed_wards"] or 0), row["gate_playbook"])  # fmt: skip


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
    """One failed task; its text is masked when made, so the progress display and the record never see a secret."""

    host: str
    task: str
    message: str
    phase: str = "apply"

    def __post_init__(self) -> None:
        self.task, self.message = mask_text(self.task), mask_text(self.message)


@dataclass
class WaveOutcome:
    """What one playbook run over one wave left behind, reduced to what the record keeps."""

    hosts: dict[str, HostCounts] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    reports: dict[tuple[str, str], Any] = field(default_factory=dict)  # (host, kind) -> data
    rc: int = 0
    cancelled: bool = False


def _unreadable(path: Path, exc: sqlite3.DatabaseError) -> WardctlError:
    return WardctlError(f"the run record {path} is unreadable ({exc}); move it aside to start a new one")


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "runs.db"
        with contextlib.suppress(PermissionError):  # another user's record: read as it is
            touch_private(self.path)  # SQLite gives -wal and -shm the main file's mode: all three stay 0600
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise _unreadable(self.path, exc) from None

    def _migrate(self) -> None:
        for table, columns in ADDED_COLUMNS.items():
            have = {row["name"] for row in self.db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns.items():
                if name not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

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
    def create_run(self, run_id: str, settings: RunSettings, names: dict[str, str]) -> None:
        s = settings
        with self.tx() as db:
            db.execute(
                "INSERT INTO runs (run_id, started_at, status, inventory, playbook, check_mode, tags, waves, canary, "
                "max_failed_wards, gate_playbook) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (run_id, now(), "running", s.inventory, s.playbook, int(s.check), s.tags, json.dumps(s.waves),
                 s.canary, s.max_failed_wards, s.gate_playbook),
            )  # fmt: skip
            for index, wave in enumerate(s.waves):
                for ward in wave:
                    db.execute(
                        "INSERT INTO wards (run_id, ward, display_name, wave, status) VALUES (?,?,?,?,?)",
                        (run_id, ward, clean(names.get(ward, ward)), index, "pending"),
                    )

    def run(self, run_id: str | None = None) -> sqlite3.Row | None:
        if run_id is None:
            return self.db.execute("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
        return self.db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()

    def runs(self, limit: int = 20) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,)).fetchall()

    def settings(self, run_id: str) -> RunSettings | None:
        row = self.run(run_id)
        return RunSettings.from_row(row) if row else None

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
                    (run_id, host_ward.get(host, ""), host, kind,
                     json.dumps(scrub(data), ensure_ascii=False, default=str)),
                )  # fmt: skip
            for ward, (status, gate, message) in verdicts.items():
                changed = sum(c.changed for h, c in outcome.hosts.items() if host_ward.get(h) == ward)
                db.execute(
                    "UPDATE wards SET status = ?, gate = ?, message = ?, changed = ?, finished_at = ? "
                    "WHERE run_id = ? AND ward = ?",
                    (status, gate, mask_text(message) if message else message, changed,
                     now() if status != "pending" else None, run_id, ward),
                )  # fmt: skip

    def ward_json(self, run_id: str, ward: str) -> dict[str, Any]:
        """The stable JSON contract for CI (docs/rollout.md): one ward of one run (built in contract.py)."""
        from wardctl.record.contract import contract
        from wardctl.record.read import Record

        rec = Record(self).records(run_id, [ward]).get(ward)
        if rec is None:
            raise KeyError(ward)
        return contract(rec)

    def close(self) -> None:
        self.db.close()
