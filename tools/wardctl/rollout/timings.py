"""`wardctl rollout --timings FILE`: where each playbook run of a rollout spent its time, task by task.

Fed the same runner events as the record (runner.run's `on_event`), it keeps per task only a name, counters
and seconds, and per host two figures, so memory grows with the playbook's tasks and hosts, never with
events. Nothing from a task's result is kept (only whether it changed), nor vars or arguments; task names can
be templated, so they are masked like everything else the kit writes (wardctl.masking).

The file is rewritten after every playbook run, so a stopped rollout leaves the timings of what ran:

    {"schema": 1, "run_id": "…", "playbook_runs": [
      {"phase": "apply", "wave": 1, "playbook": "site.yml", "wards": ["phuong_1"], "seconds": 412.3,
       "tasks": {"endpoint_hardening : Install auditd": {"action": "ansible.builtin.apt", "hosts": 1,
                 "results": {"ok": 0, "changed": 1, …}, "total_seconds": 21.4, "max_seconds": 21.4}, …},
       "hosts": {"phuong_1-room": {"busy_seconds": 380.2, "done_at_seconds": 405.9}, …}}]}

A task's `hosts` counts its host results: one per host, more for a handler flushed several times or a role
included twice. Per host, `busy_seconds` sums its results' durations and `done_at_seconds` is when its last
result arrived, from the playbook run's start: where a wave waits shows as hosts done long before the run's
end (under `strategy: free`) or, under linear, as a task's hosts x longest - total (each host waits there for
the task's slowest host).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from wardctl.errors import WardctlError
from wardctl.masking import mask_line

SCHEMA = 2  # 2: per-host busy and done-at seconds
RESULTS = ("ok", "changed", "failed", "ignored", "skipped", "unreachable")
_FINAL = {"runner_on_ok", "runner_on_failed", "runner_on_skipped", "runner_on_unreachable"}


@dataclass
class TaskTiming:
    action: str
    hosts: int = 0
    total: float = 0.0
    longest: float = 0.0
    results: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESULTS, 0))

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "hosts": self.hosts, "results": self.results,
                "total_seconds": round(self.total, 3), "max_seconds": round(self.longest, 3)}  # fmt: skip


def _seconds(data: dict[str, Any]) -> float:
    """ansible-runner 2.4 gives `duration` (from the host's runner_on_start); else the start/end stamps."""
    duration = data.get("duration")
    if isinstance(duration, int | float):
        return max(0.0, float(duration))
    try:
        return max(0.0, (datetime.fromisoformat(data["end"]) - datetime.fromisoformat(data["start"])).total_seconds())
    except (KeyError, TypeError, ValueError):
        return 0.0  # a result without timing (no runner_on_start seen): counted, not timed


def _result(kind: str, data: dict[str, Any]) -> str:
    if kind == "runner_on_ok":
        return "changed" if (data.get("res") or {}).get("changed") else "ok"
    if kind == "runner_on_failed":
        return "ignored" if data.get("ignore_errors") else "failed"
    return kind.removeprefix("runner_on_")


def task_label(data: dict[str, Any]) -> str:
    """`role : task` as ansible-playbook prints it, masked (names may be templated with any variable)."""
    name = str(data.get("task") or data.get("task_action") or "?")
    role = data.get("role")
    return mask_line(f"{role} : {name}" if role else name)


@dataclass
class HostTiming:
    busy: float = 0.0  # its results' seconds, summed
    done_at: float = 0.0  # its last result's arrival, from the playbook run's start

    def as_dict(self) -> dict[str, float]:
        return {"busy_seconds": round(self.busy, 3), "done_at_seconds": round(self.done_at, 3)}


class TaskTimings:
    """One playbook run's tasks; called with every runner event (a runner event handler that never filters)."""

    def __init__(
        self, phase: str, wave: int, playbook: str, wards: list[str], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.phase, self.wave, self.playbook, self.wards = phase, wave, playbook, list(wards)
        self.tasks: dict[str, TaskTiming] = {}  # in the order the playbook ran them
        self.hosts: dict[str, HostTiming] = {}
        self.clock, self.started = clock, clock()
        self.seconds = 0.0

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("event", "")
        if kind not in _FINAL:
            return  # item and start events: the final per-host result carries the task's whole duration
        data = event.get("event_data") or {}
        label = task_label(data)
        task = self.tasks.get(label)
        if task is None:
            task = self.tasks[label] = TaskTiming(mask_line(str(data.get("task_action") or "")))
        seconds = _seconds(data)
        host = self.hosts.setdefault(str(data.get("host") or "?"), HostTiming())
        host.busy += seconds
        host.done_at = self.clock() - self.started
        task.hosts += 1
        task.total += seconds
        task.longest = max(task.longest, seconds)
        task.results[_result(kind, data)] += 1

    def as_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "wave": self.wave, "playbook": self.playbook, "wards": self.wards,
                "seconds": round(self.seconds, 3),
                "tasks": {label: t.as_dict() for label, t in self.tasks.items()},
                "hosts": {name: h.as_dict() for name, h in self.hosts.items()}}  # fmt: skip


class TimingsFile:
    """Every playbook run of one rollout, in one JSON file rewritten after each run."""

    def __init__(self, path: Path, run_id: str) -> None:
        self.path, self.run_id = path, run_id
        self.runs: list[dict[str, Any]] = []
        self.lock = threading.Lock()  # `--rolling` ends playbook runs from several threads
        self._write()  # now: an unwritable path stops the rollout before anything runs

    @contextmanager
    def playbook(self, phase: str, wave: int, playbook: str, wards: list[str]) -> Iterator[TaskTimings]:
        timings = TaskTimings(phase, wave, playbook, wards)
        try:
            yield timings
        finally:  # interrupted or failed: what ran is still worth reading
            timings.seconds = timings.clock() - timings.started
            with self.lock:
                self.runs.append(timings.as_dict())
                try:
                    self._write()
                except WardctlError as exc:  # a full disk must not stop the rollout halfway: say so, go on
                    print(f"wardctl: warning: {exc}", file=sys.stderr)

    def _write(self) -> None:
        doc = {"schema": SCHEMA, "run_id": self.run_id, "playbook_runs": self.runs}
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            partial.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            os.replace(partial, self.path)  # a reader never sees half a file
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise WardctlError(f"--timings {self.path}: cannot write ({exc.strerror or exc})") from None
