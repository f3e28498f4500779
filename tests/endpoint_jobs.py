"""The endpoint roles' slow checks, started together, once: three molecule scenarios and the Lynis benchmark.

Each is one container and spends much of its time waiting (boots, apt, sshd confirmations), so running the
four side by side takes far less wall time than one after another. Each test then waits for its own job.
They start once per session: at their first test, or earlier at the point tests/conftest.py picks, so that the
lighter tests in between run beside them. Bounded: a job still running after DEADLINE_S is killed and its test
fails; all are killed when pytest ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from support import ROOT, VENV_BIN

DEADLINE_S = 1800
# The jobs run niced, so that beside the session's other tests they lean on the cores those leave idle: run at the
# same priority, they had doubled the AIDE test's time and slowed the rollout tests by half (measured 2026-12-07;
# the suite is CPU-bound wherever it is not waiting). Only in part: with the kernel's autogroups on
# (sched_autogroup_enabled), a job's process in a session of its own weighs as much as pytest's whole session
# whatever its nice value (seen in /proc/PID/autogroup), and a container is a cgroup of its own, where the nice
# value it inherits weighs only against its own processes. Their containers keep podman's default CPU weight: at
# the lowest (--cpu-shares=2) a busy stretch starved a container past the 12 s ansible waits for sudo's prompt,
# and its scenario failed as unreachable (CI, 2026-12-07).
NICE = 19
SCENARIOS = [("endpoint_hardening", "default"), ("conference_client", "default"), ("conference_client", "negative")]


@dataclass
class Job:
    proc: subprocess.Popen[bytes]
    log: Path
    started: float

    def wait(self) -> tuple[int, str]:
        """The job's exit code and output (minus the signal's number when it overran the deadline)."""
        try:
            rc = self.proc.wait(timeout=max(1.0, self.started + DEADLINE_S - time.monotonic()))
        except subprocess.TimeoutExpired:
            rc = _end(self.proc)
        return rc, self.log.read_text(encoding="utf-8", errors="replace")


def _end(proc: subprocess.Popen[bytes]) -> int:
    """Stop a job and every process it started (its process group: molecule's ansible-playbook outlives a
    stopped molecule otherwise, and goes on making containers). SIGTERM first, so that the Lynis benchmark
    removes its container; then SIGKILL for whatever of the group lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        rc: int | None = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        rc = None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.wait() if rc is None else rc


def _platforms() -> list[str]:
    """The molecule scenarios' container names, as their molecule.yml gives them."""
    names: list[str] = []
    for role, scenario in SCENARIOS:
        config = yaml.safe_load((ROOT / "roles" / role / "molecule" / scenario / "molecule.yml").read_text())
        names += [platform["name"] for platform in config["platforms"]]
    return names


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ANSIBLE_CONFIG"}  # molecule writes its own ansible.cfg
    env.update(
        CONTAINERS_CONF=str(ROOT / "lab" / "containers.conf"),
        PATH=f"{VENV_BIN}:{env.get('PATH', '')}",
        ANSIBLE_FORCE_COLOR="0",
        PY_COLORS="0",
    )
    return env


def start(logs: Path) -> dict[str, Job]:
    """Start every job, each writing to its own log in `logs`."""
    commands: dict[str, tuple[list[str], Path]] = {
        f"{role}-{scenario}": ([str(VENV_BIN / "molecule"), "test", "--scenario-name", scenario], ROOT / "roles" / role)
        for role, scenario in SCENARIOS
    }
    # Under Mitogen, as `make demo` applies the roles: molecule keeps the plain path, so CI converges both ways.
    commands["lynis"] = ([sys.executable, str(ROOT / "benchmarks" / "lynis_hardening.py"), "--json", "--accelerate",
                          "--deadline", str(DEADLINE_S)], ROOT)  # fmt: skip
    jobs: dict[str, Job] = {}
    try:
        for name, (cmd, cwd) in commands.items():
            log = logs / f"{name}.log"
            with log.open("wb") as out:
                # stdin of their own: Ansible refuses a non-blocking stdin, and a file description shared with
                # pytest is one any test's process may switch (CI, 2026-12-07: a scenario failed so in `prepare`).
                # A process group of its own (not a session: see NICE), so that _end reaches all of it.
                proc = subprocess.Popen(["nice", "-n", str(NICE), *cmd], cwd=cwd, env=_env(), stdin=subprocess.DEVNULL,
                                        stdout=out, stderr=subprocess.STDOUT, process_group=0)  # fmt: skip
            jobs[name] = Job(proc, log, time.monotonic())
    except BaseException:
        stop(jobs)
        raise
    return jobs


def stop(jobs: dict[str, Job]) -> None:
    for job in jobs.values():
        if job.proc.poll() is None:
            _end(job.proc)
    if jobs:
        # A scenario that crashed or was stopped leaves its container: molecule's destroy never ran (seen in CI).
        subprocess.run(["podman", "rm", "--force", "--ignore", "--time", "2", *_platforms()], env=_env(),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=120, check=False)  # fmt: skip


_session: dict[str, Job] = {}  # this pytest session's jobs, once started
_logs: list[Path] = []


def session_jobs() -> dict[str, Job]:
    """The session's jobs, started on the first call (their logs in a directory of their own)."""
    if not _session:
        _logs.append(Path(tempfile.mkdtemp(prefix="wardkit-endpoint-jobs-")))
        _session.update(start(_logs[-1]))
    return _session


def stop_session() -> None:
    stop(_session)
    for logs in _logs:
        shutil.rmtree(logs, ignore_errors=True)
