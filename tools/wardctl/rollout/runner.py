"""One playbook over one wave, through ansible-runner's Python API, reduced to what the record keeps.

Pitfalls handled here:
- runner switches host key checking off and moves the fact cache into every artifact dir unless told: not here;
- a fresh private data dir per run, so two runs never share artifacts, removed as soon as its stats are read:
  runner's artifacts hold the controller's whole environment (`command`) and the full stdout;
- the event handler keeps counters, failures and `*_report` facts, and tells runner to store only the
  final stats event (runner derives `stats` from stored events: storing none would make them None, storing all
  fills the disk with one file per event);
- Ctrl-C cancels the playbook through runner's cancel callback, so the record can be closed cleanly; its
  workers are stopped first (rollout/stop.py: runner's kill does not reach them).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wardctl.paths import fact_cache_dir, repo_root
from wardctl.record.state import private_dir as make_private
from wardctl.record.store import Failure, HostCounts, WaveOutcome
from wardctl.rollout import accelerate, stop

REPORT_SUFFIX = "_report"


@dataclass
class PlaybookRun:
    playbook: Path
    inventory: Path
    limit: list[str]
    check: bool = False
    tags: str | None = None
    vault_password_file: Path | None = None
    extravars: dict[str, Any] | None = None
    phase: str = "apply"
    accelerate: bool = False  # Mitogen for the plays that leave the strategy open (rollout/accelerate.py)


def _one_line(text: object) -> str:
    """First and last meaningful lines: ssh puts the reason ("Host key verification failed.") last, after a
    banner of @ signs."""
    lines = [ln.strip(" @\t:") for ln in str(text).splitlines()]
    lines = [ln for ln in lines if any(c.isalpha() for c in ln)]
    if not lines:
        return "failed"
    text = lines[0] if len(lines) == 1 else f"{lines[0]}: … {lines[-1]}"
    return text[:300]


def _message(res: dict[str, Any]) -> str:
    """One line for the record and the progress display (Failure masks it)."""
    if res.get("_ansible_no_log"):
        return "the output has been hidden (no_log)"
    for key in ("msg", "reason", "stderr", "module_stderr", "stdout"):
        if res.get(key):
            return _one_line(res[key])
    return "failed"


class EventReducer:
    """Folds runner events into a WaveOutcome; memory stays proportional to hosts, not to events."""

    def __init__(self, phase: str, on_task: Callable[[str, str], None] | None = None) -> None:
        self.outcome = WaveOutcome()
        self.phase = phase
        self.on_task = on_task

    def __call__(self, event: dict[str, Any]) -> bool:
        kind = event.get("event", "")
        data = event.get("event_data") or {}
        host = data.get("host") or ""
        if kind == "runner_on_start" and self.on_task and host:
            self.on_task(host, data.get("task") or "")
        elif kind == "runner_on_ok":
            facts = (data.get("res") or {}).get("ansible_facts") or {}
            for name, value in facts.items():
                if name.endswith(REPORT_SUFFIX):
                    self.outcome.reports[(host, name[: -len(REPORT_SUFFIX)])] = value  # scrubbed by the record
        elif kind in ("runner_on_failed", "runner_on_unreachable") and not data.get("ignore_errors"):
            res = data.get("res") or {}
            self.outcome.failures.append(Failure(host, data.get("task") or "", _message(res), self.phase))
        elif kind == "playbook_on_stats":
            self._stats(data)
            return True  # the one event runner must store: its `stats` come from it
        return False

    def _stats(self, data: dict[str, Any]) -> None:
        columns = {"ok": "ok", "changed": "changed", "failures": "failed", "dark": "unreachable", "skipped": "skipped"}
        for source, target in columns.items():
            for host, count in (data.get(source) or {}).items():
                setattr(self.outcome.hosts.setdefault(host, HostCounts()), target, int(count))


def run(
    spec: PlaybookRun,
    private_dir: Path,
    *,
    on_task: Callable[[str, str], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> WaveOutcome:
    """`on_event` sees every event before the reducer (e.g. rollout/timings.py); it cannot make runner store one."""
    import ansible_runner  # ~0.3 s: only paid by a rollout

    make_private(private_dir)
    cmdline = ["--diff"]
    if spec.check:
        cmdline.append("--check")
    if spec.vault_password_file is not None:
        cmdline += ["--vault-password-file", str(spec.vault_password_file)]
    reducer = EventReducer(spec.phase, on_task)

    def cancel() -> bool:
        if not cancelled():
            return False
        stop.terminate(private_dir.name)  # before runner's kill, which would leave the workers running
        return True

    try:
        result = ansible_runner.run(
            private_data_dir=str(private_dir),
            project_dir=str(spec.playbook.parent),
            playbook=spec.playbook.name,
            inventory=str(spec.inventory),
            limit=":".join(spec.limit),
            tags=spec.tags,
            extravars=spec.extravars or {},
            cmdline=" ".join(cmdline),
            envvars=_envvars(spec.inventory, private_dir.name) | (accelerate.envvars() if spec.accelerate else {}),
            event_handler=reducer if on_event is None else _tee(on_event, reducer),
            cancel_callback=cancel,
            quiet=True,
            rotate_artifacts=1,
            suppress_env_files=True,  # env/ would otherwise hold the extravars and cmdline on disk
            # Anything but "jsonfile" keeps runner from redirecting the fact cache into each fresh artifact dir,
            # so ansible.cfg's cache (one per inventory, above) and `gathering = smart` work across waves.
            fact_cache_type="ansible.cfg",
        )
        return _reduce(result, reducer, spec.phase)
    finally:
        shutil.rmtree(private_dir, ignore_errors=True)  # everything the record needs is in the reducer now


def _tee(observe: Callable[[dict[str, Any]], None], reducer: EventReducer) -> Callable[[dict[str, Any]], bool]:
    def handle(event: dict[str, Any]) -> bool:
        observe(event)
        return reducer(event)

    return handle


def _envvars(inventory: Path, tag: str) -> dict[str, str]:
    root = repo_root()
    return {
        stop.MARK: tag,  # which of our children is this run's ansible-playbook
        "ANSIBLE_CONFIG": str(root / "ansible.cfg"),
        "ANSIBLE_ROLES_PATH": str(root / "roles"),
        "ANSIBLE_COLLECTIONS_PATH": str(root / "collections"),
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(fact_cache_dir(inventory)),
        # ansible-runner turns host key checking OFF unless told otherwise: keep it on, as ansible.cfg says.
        "ANSIBLE_HOST_KEY_CHECKING": "True",
        # ansible-playbook from the same environment as wardctl, whatever the caller's PATH.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def _reduce(result: Any, reducer: EventReducer, phase: str) -> WaveOutcome:
    reducer.outcome.rc = int(result.rc or 0)
    reducer.outcome.cancelled = result.status == "canceled"
    if result.status in ("failed", "timeout") and not reducer.outcome.hosts:
        # ansible-playbook stopped before any host ran (bad playbook, vault password, inventory).
        tail = _one_line(_stdout_tail(result))
        reducer.outcome.failures.append(Failure("", "ansible-playbook", tail, phase))
    return reducer.outcome


def _stdout_tail(result: Any) -> str:
    try:
        lines = [ln for ln in result.stdout.read().splitlines() if ln.strip()]
    except (OSError, AttributeError):
        return "ansible-playbook failed"
    errors = [ln for ln in lines if "ERROR" in ln]
    return (errors or lines or ["ansible-playbook failed"])[-1]


def sweep(runner_root: Path) -> None:
    """Remove what a killed rollout left (its artifacts hold the environment); called under the rollout lock."""
    if runner_root.is_dir():
        for left in runner_root.iterdir():
            shutil.rmtree(left, ignore_errors=True)
