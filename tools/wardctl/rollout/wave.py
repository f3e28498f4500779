"""One set of wards through the rollout's two steps: the apply playbook, then the health gate over the wards it
left done; each ward's verdict (status, gate, message) from what the runner reported."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wardctl.record.state import state_dir
from wardctl.record.store import RunSettings, WaveOutcome
from wardctl.rollout import runner
from wardctl.rollout.progress import Progress
from wardctl.rollout.timings import TimingsFile

Verdicts = dict[str, tuple[str, str | None, str | None]]  # ward -> (status, gate, message)


@dataclass(frozen=True)
class Run:
    """One run as it executes: its id, recorded settings, and what comes from them."""

    run_id: str
    settings: RunSettings
    inventory: Path
    playbook: Path
    gate: Path | None
    vault: Path | None
    accelerate: bool = False
    timings: TimingsFile | None = None  # --timings: each playbook run's task durations (not recorded)
    rolling: bool = False  # --rolling: after the first wave, a window (rollout/rolling.py); not recorded


def apply_and_gate(
    run: Run, tag: str, index: int, wards: list[str], host_ward: dict[str, str], progress: Progress,
    stop: Callable[[], bool],
) -> tuple[Verdicts, WaveOutcome]:  # fmt: skip
    """The wards' apply playbook, then the gate over those it left done. `tag` names the runner's private dirs
    (unique among runs going at once), `index` the wave (for --timings); `stop` says Ctrl-C was pressed."""

    def on_task(host: str, task: str) -> None:
        progress.task(host_ward.get(host, ""), host, task)

    # One private data dir per playbook run; the runner removes it once read.
    base = state_dir() / "runner" / f"{run.run_id}-{tag}-{int(time.time())}"

    s, gate = run.settings, run.gate
    spec = runner.PlaybookRun(run.playbook, run.inventory, wards, s.check, s.tags, run.vault,
                              accelerate=run.accelerate)  # fmt: skip
    outcome = _playbook(run, index, spec, base.with_name(f"{base.name}-apply"), on_task, stop)
    if outcome.cancelled or stop():
        return {w: ("pending", None, "interrupted") for w in wards}, outcome
    verdicts = _verdicts(wards, host_ward, outcome, phase="apply")
    passed = [w for w, (status, _, _) in verdicts.items() if status == "done"]
    if gate is None or not passed:
        return {w: (s, None if gate is None else "skipped", m) for w, (s, _, m) in verdicts.items()}, outcome
    for ward in passed:
        progress.ward(ward, "running", "health gate")
    gate_spec = runner.PlaybookRun(gate, run.inventory, passed, False, None, run.vault, phase="gate",
                                   accelerate=run.accelerate)  # fmt: skip
    checked = _playbook(run, index, gate_spec, base.with_name(f"{base.name}-gate"), on_task, stop)
    if checked.cancelled or stop():
        verdicts.update({w: ("pending", None, "interrupted") for w in passed})
        return verdicts, _merge(outcome, checked)
    gate_verdicts = _verdicts(passed, host_ward, checked, phase="gate")
    for ward in passed:
        status, _, message = gate_verdicts[ward]
        verdicts[ward] = (status, "passed" if status == "done" else "failed", message)
    return verdicts, _merge(outcome, checked)


def _playbook(
    run: Run, index: int, spec: runner.PlaybookRun, private: Path, on_task: Callable[[str, str], None],
    stop: Callable[[], bool],
) -> WaveOutcome:  # fmt: skip
    if run.timings is None:
        return runner.run(spec, private, on_task=on_task, cancelled=stop)
    with run.timings.playbook(spec.phase, index + 1, spec.playbook.name, spec.limit) as timings:
        return runner.run(spec, private, on_task=on_task, cancelled=stop, on_event=timings)


def _merge(applied: WaveOutcome, gated: WaveOutcome) -> WaveOutcome:
    """Counters add up across the two playbooks; reports from the gate (line checks…) join the apply's."""
    merged = WaveOutcome(rc=applied.rc or gated.rc, cancelled=applied.cancelled or gated.cancelled)
    for source in (applied, gated):
        for host, counts in source.hosts.items():
            merged.hosts.setdefault(host, type(counts)()).add(counts)
        merged.failures += source.failures
        merged.reports.update(source.reports)
    return merged


def _verdicts(wards: list[str], host_ward: dict[str, str], outcome: WaveOutcome, phase: str) -> Verdicts:
    out: Verdicts = {}
    orphan = [f for f in outcome.failures if not f.host]  # the playbook itself failed
    for ward in wards:
        hosts = {h: c for h, c in outcome.hosts.items() if host_ward.get(h) == ward}
        failures = [f for f in outcome.failures if host_ward.get(f.host) == ward]
        if any(c.unreachable for c in hosts.values()):
            first = next((f for f in failures if outcome.hosts.get(f.host) and outcome.hosts[f.host].unreachable),
                         None)  # fmt: skip
            out[ward] = ("unreachable", None, f"{first.host}: {first.message}" if first else "unreachable")
        elif failures or any(c.failed for c in hosts.values()):
            first = failures[0] if failures else None
            out[ward] = ("failed", None, f"{phase}: {first.host}: {first.task}: {first.message}" if first else phase)
        elif orphan:
            out[ward] = ("failed", None, f"{phase}: {orphan[0].message}")
        elif not hosts:
            out[ward] = ("failed", None, f"{phase}: no host of this ward ran (check --limit / inventory)")
        else:
            out[ward] = ("done", None, None)
    return out
