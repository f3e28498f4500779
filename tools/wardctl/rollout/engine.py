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
from wardctl.rollout import accelerate, lock, rolling, runner, settings, wave
from wardctl.rollout.progress import Progress, make
from wardctl.rollout.settings import Options
from wardctl.rollout.timings import TimingsFile
from wardctl.rollout.wave import Run

EXIT_OK, EXIT_FAILED, EXIT_PENDING_CHANGES, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class Result:
    code: int
    run_id: str
    city_id: str


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

    def stop(self) -> bool:
        return self.requested

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
                status = _waves(store, run, city, host_ward, progress, interrupt)
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
    return Run(run_id, chosen, inventory, playbook, gate, vault, opts.accelerate, timings, opts.rolling)


def _waves(
    store: Store, run: Run, city: City, host_ward: dict[str, str], progress: Progress, interrupt: Interrupt
) -> str:
    run_id, waves = run.run_id, run.settings.waves
    progress.note(f"run {run_id}: {sum(map(len, waves))} wards in {len(waves)} waves")
    status_of = {r["ward"]: r["status"] for r in store.wards(run_id)}
    for ward, status in status_of.items():
        if status != "pending":  # a resumed run: show what is already settled
            progress.ward(ward, status)
    wave_of = {ward: index for index, wards in enumerate(waves) for ward in wards}

    def may_start(wards: list[str], what: str) -> bool:
        bad = sum(1 for s in status_of.values() if s in ("failed", "unreachable"))
        if bad > run.settings.max_failed_wards:
            progress.note(f"stopping before {what}: {bad} failed ward(s) exceed the budget of "
                          f"{run.settings.max_failed_wards}")  # fmt: skip
            return False
        if interrupt.requested:
            return False
        store.mark_running(run_id, wards)
        for ward in wards:
            progress.ward(ward, "running")
        return True

    def settle(verdicts: wave.Verdicts, outcome: WaveOutcome) -> None:
        store.record_wave(run_id, host_ward, outcome, verdicts)
        for ward, (status, _, message) in verdicts.items():
            status_of[ward] = status
            progress.ward(ward, status, message or "")
        if outcome.cancelled:
            interrupt.requested = True  # the playbook was cancelled: start nothing more

    for index, batch in enumerate(waves):
        todo = [w for w in batch if status_of.get(w) != "done"]
        if run.rolling and index > 0:
            rest = [w for b in waves[index:] for w in b if status_of.get(w) != "done"]
            if rest:
                _roll(run, city, rest, max(map(len, waves[index:])), wave_of, host_ward, progress, interrupt,
                      may_start, settle)  # fmt: skip
            break
        if not todo:
            continue
        progress.note(f"wave {index + 1}/{len(waves)}: {', '.join(todo)}")
        if not may_start(todo, f"wave {index + 1}"):
            break
        settle(*wave.apply_and_gate(run, f"w{index}", index, todo, host_ward, progress, interrupt.stop))
        if interrupt.requested:
            break
    if interrupt.requested:
        return "interrupted"
    bad = sum(1 for s in status_of.values() if s in ("failed", "unreachable"))
    return "done" if bad == 0 and all(s == "done" for s in status_of.values()) else "failed"


def _roll(
    run: Run, city: City, todo: list[str], size: int, wave_of: dict[str, int], host_ward: dict[str, str],
    progress: Progress, interrupt: Interrupt, may_start: Callable[[list[str], str], bool],
    settle: Callable[[wave.Verdicts, WaveOutcome], None],
) -> None:  # fmt: skip
    """The wards after the first wave, through a window of the wave size (rollout/rolling.py)."""
    rates = {w.id: w.router.line_down_mbps for w in city.wards if w.router is not None}
    order = rolling.longest_first(todo, {w.id: len(w.endpoints) for w in city.wards}, rates)
    progress.note(f"rolling, up to {size} wards at once, longest expected first: {', '.join(order)}")

    def work(ward: str) -> tuple[wave.Verdicts, WaveOutcome]:
        return wave.apply_and_gate(run, ward, wave_of[ward], [ward], host_ward, progress, interrupt.stop)

    def abort() -> None:
        interrupt.requested = True  # every playbook in flight cancels itself (runner's cancel callback)

    rolling.window(order, size, lambda ward: may_start([ward], ward), work, lambda _, result: settle(*result), abort)


def _exit_code(store: Store, run_id: str, check: bool, status: str) -> int:
    if status == "interrupted":
        return EXIT_INTERRUPTED
    wards = store.wards(run_id)
    if any(w["status"] != "done" for w in wards):
        return EXIT_FAILED
    if check and any(w["changed"] for w in wards):
        return EXIT_PENDING_CHANGES
    return EXIT_OK
