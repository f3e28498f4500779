"""The rollout: waves of wards, each applied then gated, recorded as it goes, resumable after any stop."""

from __future__ import annotations

import secrets
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from wardctl.errors import WardctlError
from wardctl.inventory.check import check_inventory
from wardctl.inventory.model import City
from wardctl.inventory.reader import read_inventory
from wardctl.record.state import state_dir
from wardctl.record.store import RunSettings, Store, WaveOutcome
from wardctl.rollout import accelerate, lock, runner, settings
from wardctl.rollout.progress import Progress, make
from wardctl.rollout.settings import Options
from wardctl.rollout.timings import TimingsFile

EXIT_OK, EXIT_FAILED, EXIT_PENDING_CHANGES, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class Result:
    code: int
    run_id: str
    city_id: str


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


class Interrupt:
    """First Ctrl-C: finish cleanly (cancel the playbook, close the record). Second: the default behaviour."""

    def __init__(self) -> None:
        self.requested = False
        self.previous = signal.getsignal(signal.SIGINT)

    def __enter__(self) -> Interrupt:
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            signal.signal(signal.SIGINT, self.previous)
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self.previous)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def validate(inventory: Path) -> City:
    """Bad input stops the rollout before anything is touched, one line per problem."""
    errors = [p for p in check_inventory(inventory) if p.is_error]
    if errors:
        raise WardctlError(
            f"{inventory}: {len(errors)} inventory error(s), nothing was changed:\n" + "\n".join(map(str, errors))
        )
    return read_inventory(inventory)


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(2)


def rollout(opts: Options) -> Result:
    """Lock first: a refused rollout reads and writes nothing of the record."""
    with lock.exclusive(state_dir()) as held:
        runner.sweep(state_dir() / "runner")  # what a killed rollout left; none is in use under the lock
        store, run, city = _prepare(opts)
        held.claim(f"run {run.run_id}")
        names = {w.id: w.display_name for w in city.wards}
        host_ward = {h: w.id for w in city.wards for h in w.hosts}
        progress = make(names, opts.plain)
        try:
            with Interrupt() as interrupt:
                status = _waves(store, run, host_ward, progress, interrupt)
                store.finish_run(run.run_id, status)
        finally:
            progress.close()
    return Result(_exit_code(store, run.run_id, run.settings.check, status), run.run_id, city.id)


def _prepare(opts: Options) -> tuple[Store, Run, City]:
    """The run's settings checked, then recorded; a new run's bad input stops before the record is opened."""
    if opts.resume:
        store = Store()
        recorded = store.settings(opts.resume)
        if recorded is None:
            raise WardctlError(f"--resume: no run {opts.resume!r} in {store.path}")
        chosen = settings.resumed(opts, opts.resume, recorded)
        city = validate(Path(chosen.inventory))
        run = _run(opts.resume, chosen, opts)
        store.resume_run(opts.resume)
        return store, run, city
    city = validate((opts.inventory or settings.default_inventory()).resolve())
    known = [w.id for w in city.wards]
    selected = known if opts.wards is None else opts.wards
    unknown = [w for w in selected if w not in known]
    if unknown:
        raise WardctlError(f"--wards: unknown ward(s) {', '.join(unknown)} (known: {', '.join(known)})")
    run = _run(new_run_id(), settings.new_run(opts, selected), opts)
    store = Store()
    store.create_run(run.run_id, run.settings, {w.id: w.display_name for w in city.wards})
    return store, run, city


def _run(run_id: str, chosen: RunSettings, opts: Options) -> Run:
    inventory = Path(chosen.inventory)
    gate = settings.gate_path(chosen.check, chosen.gate_playbook)
    vault = settings.vault_file(opts.vault_password_file, inventory)
    if opts.accelerate:
        accelerate.strategy_plugins()  # one line now if Mitogen is missing, not a failed wave later
    playbook = settings.playbook_path(chosen.playbook)
    timings = TimingsFile(opts.timings, run_id) if opts.timings else None  # an unwritable file: before the record
    return Run(run_id, chosen, inventory, playbook, gate, vault, opts.accelerate, timings)


def _waves(store: Store, run: Run, host_ward: dict[str, str], progress: Progress, interrupt: Interrupt) -> str:
    run_id, waves, budget = run.run_id, run.settings.waves, run.settings.max_failed_wards
    progress.note(f"run {run_id}: {sum(map(len, waves))} wards in {len(waves)} waves")
    status_of = {r["ward"]: r["status"] for r in store.wards(run_id)}
    for ward, status in status_of.items():
        if status != "pending":  # a resumed run: show what is already settled
            progress.ward(ward, status)
    for index, wave in enumerate(waves):
        todo = [w for w in wave if status_of.get(w) != "done"]
        if not todo:
            continue
        bad = sum(1 for s in status_of.values() if s in ("failed", "unreachable"))
        if bad > budget:
            progress.note(f"stopping before wave {index + 1}: {bad} failed ward(s) exceed the budget of {budget}")
            return "failed"
        if interrupt.requested:
            return "interrupted"
        progress.note(f"wave {index + 1}/{len(waves)}: {', '.join(todo)}")
        store.mark_running(run_id, todo)
        for ward in todo:
            progress.ward(ward, "running")
        verdicts, outcome = _apply_and_gate(run, index, todo, host_ward, progress, interrupt)
        store.record_wave(run_id, host_ward, outcome, verdicts)
        for ward, (status, _, message) in verdicts.items():
            status_of[ward] = status
            progress.ward(ward, status, message or "")
        if outcome.cancelled or interrupt.requested:
            return "interrupted"
    bad = sum(1 for s in status_of.values() if s in ("failed", "unreachable"))
    return "done" if bad == 0 and all(s == "done" for s in status_of.values()) else "failed"


def _apply_and_gate(
    run: Run, index: int, wards: list[str], host_ward: dict[str, str], progress: Progress, interrupt: Interrupt,
) -> tuple[dict[str, tuple[str, str | None, str | None]], WaveOutcome]:  # fmt: skip
    def on_task(host: str, task: str) -> None:
        progress.task(host_ward.get(host, ""), host, task)

    # One private data dir per playbook run; the runner removes it once read.
    base = state_dir() / "runner" / f"{run.run_id}-w{index}-{int(time.time())}"

    def stop() -> bool:
        return interrupt.requested

    s, gate = run.settings, run.gate
    spec = runner.PlaybookRun(run.playbook, run.inventory, wards, s.check, s.tags, run.vault,
                              accelerate=run.accelerate)  # fmt: skip
    outcome = _playbook(run, index, spec, base.with_name(f"{base.name}-apply"), on_task, stop)
    if outcome.cancelled or interrupt.requested:
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
    if checked.cancelled or interrupt.requested:
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


def _verdicts(
    wards: list[str], host_ward: dict[str, str], outcome: WaveOutcome, phase: str
) -> dict[str, tuple[str, str | None, str | None]]:
    out: dict[str, tuple[str, str | None, str | None]] = {}
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


def _exit_code(store: Store, run_id: str, check: bool, status: str) -> int:
    if status == "interrupted":
        return EXIT_INTERRUPTED
    wards = store.wards(run_id)
    if any(w["status"] != "done" for w in wards):
        return EXIT_FAILED
    if check and any(w["changed"] for w in wards):
        return EXIT_PENDING_CHANGES
    return EXIT_OK
