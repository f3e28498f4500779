"""What a run runs with: the command line for a new run, the record for a resumed one.

A resume that took `-i`, `--check`, the playbook or the tags from the command line would record one run's
results under another's settings (lab results in a production run, dry-run wards as done in an apply run), so
a resume uses the recorded settings and refuses, in one line, a flag that says otherwise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.lab.config import LabConfig
from wardctl.paths import repo_root
from wardctl.record.store import RunSettings
from wardctl.rollout import plan

DEFAULT_PLAYBOOK, DEFAULT_GATE = "site.yml", "verify.yml"


@dataclass
class Options:
    """The command line; None means "not given" (a resume then takes the recorded value)."""

    inventory: Path | None = None
    wards: list[str] | None = None
    canary: str | None = None
    wave_size: int | None = None
    waves: str | None = None
    max_failed_wards: int | None = None
    check: bool = False
    resume: str | None = None
    tags: str | None = None
    playbook: str | None = None
    gate_playbook: str | None = None  # '' for none
    vault_password_file: Path | None = None
    plain: bool | None = None
    # How fast, not what: Mitogen for the Linux endpoint plays. Not recorded: a resume may choose either.
    accelerate: bool = False
    timings: Path | None = None  # --timings FILE: task durations per playbook run (rollout/timings.py)
    rolling: bool = False  # how, not what (as accelerate): a window after the first wave; not recorded


def playbook_path(name: str) -> Path:
    path = Path(name) if Path(name).is_absolute() else repo_root() / "playbooks" / name
    if not path.is_file():
        raise WardctlError(f"playbook {name}: not found ({path})")
    return path


def recorded_name(path: Path) -> str:
    """The kit's playbooks by name (a checkout may move), any other by absolute path."""
    folder = repo_root() / "playbooks"
    return path.name if path.parent == folder else str(path.resolve())


def gate_path(check: bool, gate: str | None) -> Path | None:
    if check:
        return None  # nothing was applied, so there is nothing to gate
    if gate is not None:
        return playbook_path(gate) if gate else None
    verify = repo_root() / "playbooks" / DEFAULT_GATE
    return verify if verify.is_file() else None


def default_inventory() -> Path:
    return LabConfig.from_env().inventory_dir.resolve()


def vault_file(given: Path | None, inventory: Path) -> Path | None:
    """Not recorded: it names a credential's location, which a CI job recreates every time.

    Refused, in one line before anything runs, when there is none: a kit inventory's vault.yml is always
    encrypted (the inventory check), so without a password every ward would fail at its first play - and a
    resume, which does not know the first run's, would add one failed ward more."""
    lab = LabConfig.from_env()
    env = os.environ.get("ANSIBLE_VAULT_PASSWORD_FILE")
    if given is not None:
        found, named = given, f"--vault-password-file {given}"
    elif env:
        found, named = Path(env), f"ANSIBLE_VAULT_PASSWORD_FILE={env}"
    elif inventory == lab.inventory_dir.resolve() and lab.vault_password_file.is_file():
        return lab.vault_password_file  # the lab's inventory is encrypted with the lab's generated password
    elif os.environ.get("ANSIBLE_VAULT_IDENTITY_LIST"):
        return None  # Ansible's other way to name vault passwords: ansible-playbook reads it itself
    else:
        raise WardctlError(
            f"inventory {inventory}: no vault password (its group_vars/all/vault.yml is encrypted); give "
            "--vault-password-file FILE or set ANSIBLE_VAULT_PASSWORD_FILE (not recorded: give it again to --resume)"
        )
    if not found.is_file():
        raise WardctlError(f"{named}: no such file")
    return found.resolve()  # ansible-playbook runs in playbooks/: a relative path would be read from there


def new_run(opts: Options, wards: list[str]) -> RunSettings:
    """A new run's settings from the command line; `wards` are the selected wards, in inventory order."""
    check = opts.check
    gate = gate_path(check, opts.gate_playbook)
    return RunSettings(
        inventory=str((opts.inventory or default_inventory()).resolve()),
        playbook=recorded_name(playbook_path(opts.playbook or DEFAULT_PLAYBOOK)),
        check=check, tags=opts.tags,
        waves=plan.plan(wards, canary=opts.canary, wave_size=opts.wave_size, waves=opts.waves),
        canary=opts.canary, max_failed_wards=opts.max_failed_wards or 0,
        gate_playbook="" if gate is None else recorded_name(gate),
    )  # fmt: skip


def resumed(opts: Options, run_id: str, recorded: RunSettings) -> RunSettings:
    """The recorded settings; a flag given that says otherwise is refused, naming it and the recorded value."""
    r = recorded
    if opts.inventory is not None and str(opts.inventory.resolve()) != r.inventory:
        raise _refuse(run_id, f"-i {opts.inventory}", f"inventory {r.inventory}")
    if opts.check and not r.check:
        raise _refuse(run_id, "--check", "mode: an apply run")
    if opts.tags is not None and opts.tags != r.tags:
        raise _refuse(run_id, f"--tags {opts.tags}", f"tags {r.tags or '(none)'}")
    if opts.max_failed_wards is not None and opts.max_failed_wards != r.max_failed_wards:
        raise _refuse(run_id, f"--max-failed-wards {opts.max_failed_wards}", f"budget {r.max_failed_wards}")
    playbook = r.playbook
    if opts.playbook is not None and not _same_playbook(opts.playbook, r.playbook):
        raise _refuse(run_id, f"--playbook {opts.playbook}", f"playbook {r.playbook}")
    if opts.playbook is not None:
        playbook = recorded_name(playbook_path(opts.playbook))  # a run recorded with the name alone
    gate = r.gate_playbook
    if opts.gate_playbook is not None and not r.check:
        given = gate_path(False, opts.gate_playbook)
        if gate is not None and given != gate_path(False, gate):
            raise _refuse(run_id, f"--gate-playbook {opts.gate_playbook!r}", f"gate {gate or '(none)'}")
        gate = "" if given is None else recorded_name(given)  # a run recorded before gates were
    _same_waves(opts, run_id, r)
    return RunSettings(r.inventory, playbook, r.check, r.tags, r.waves, r.canary, r.max_failed_wards, gate)


def _same_playbook(given: str, recorded: str) -> bool:
    path = playbook_path(given)
    if Path(recorded).is_absolute() or "/" in recorded:
        return path.resolve() == Path(recorded).resolve()
    return path.name == recorded  # recorded by name: the kit's own, or (older records) any playbook's name


def _refuse(run_id: str, flag: str, value: object) -> WardctlError:
    return WardctlError(f"--resume {run_id}: {flag} conflicts with the run's recorded {value}; "
                        f"resume without it (the run keeps the settings it started with)")  # fmt: skip


def _same_waves(opts: Options, run_id: str, r: RunSettings) -> None:
    """Ward selection and waves were fixed when the run started: the same ones may be named again."""
    selected = [w for wave in r.waves for w in wave]
    if opts.wards is not None and set(opts.wards) != set(selected):
        raise _refuse(run_id, f"--wards {','.join(opts.wards)}", f"wards {','.join(selected)}")
    if opts.canary is not None and opts.canary != r.canary:
        raise _refuse(run_id, f"--canary {opts.canary}", f"canary {r.canary or '(none)'}")
    if opts.wave_size is not None or opts.waves is not None:
        again = plan.plan(selected, canary=r.canary, wave_size=opts.wave_size, waves=opts.waves)
        if again != r.waves:
            flag = f"--waves {opts.waves}" if opts.waves else f"--wave-size {opts.wave_size}"
            raise _refuse(run_id, flag, f"waves {' | '.join(','.join(w) for w in r.waves)}")
