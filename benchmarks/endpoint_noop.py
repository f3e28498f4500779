#!/usr/bin/env python3
"""What finding "nothing to change" costs per endpoint, plain and under the accelerator (issue #13's figure).

    .venv/bin/python benchmarks/endpoint_noop.py [--wards 5] [--skip-converge]

Against the lab instance named by WARDCTL_LAB_NAME (default `wardlab`, started if needed): one `wardctl rollout
--playbook endpoints.yml` over the first N wards to converge them (not timed), then the same no-op rollout
plain and with `--accelerate`, each timed. Prints wall time, the whole machine's CPU seconds (/proc/stat: the
lab's containers share the controller's cores, so they count), CPU per endpoint, how much of it was the lab's
endpoints (their containers' cgroups) and simulators rather than the controller's side, and task results per
endpoint from the run record. The health gate is off (it measures lines, not configuration). Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine since boot (user+nice+system+irq+softirq+steal)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = fields[0] + fields[1] + fields[2] + sum(fields[5:8])
    return busy / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuSplit:
    """Busy CPU seconds: the whole machine, and the parts of it that were the lab's simulated devices. The rest is
    the controller's side (Ansible, wardctl, ssh and the kernel's work for them): what a real controller would pay,
    where the endpoints' own share runs on each machine's own CPU."""

    machine: float
    endpoints: float  # the lab's containers (their cgroups: sshd, the modules Ansible runs there, apt, dpkg)
    simulators: float  # the router simulators and the lab's apt proxy (processes of the controller's machine)

    @property
    def controller(self) -> float:
        return self.machine - self.endpoints - self.simulators

    def __sub__(self, before: CpuSplit) -> CpuSplit:
        return CpuSplit(self.machine - before.machine, self.endpoints - before.endpoints,
                        self.simulators - before.simulators)  # fmt: skip


def _cgroup_cpu(pid: int) -> float:
    """CPU seconds of the cgroup that process `pid` is in (a container's init: the whole container). cgroup v1's
    cpuacct or v2's cpu.stat, whichever the machine mounts; 0 for a process that is gone."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return 0.0
    paths = {ctl: _container_root(path) for _, ctls, path in (line.split(":", 2) for line in lines)
             for ctl in ctls.split(",")}  # fmt: skip
    root = Path("/sys/fs/cgroup")
    for mount in ("cpuacct", "cpu,cpuacct"):
        usage = root / mount / paths.get("cpuacct", "").lstrip("/") / "cpuacct.usage"
        if "cpuacct" in paths and usage.is_file():
            return int(usage.read_text()) / 1e9
    for base in (root / "unified", root):
        stat = base / paths.get("", "").lstrip("/") / "cpu.stat"
        if "" in paths and stat.is_file():
            fields = dict(line.split() for line in stat.read_text().splitlines())
            return int(fields["usage_usec"]) / 1e6
    return 0.0


def _container_root(path: str) -> str:
    """A container's own cgroup (podman's libpod-<id>[.scope]), above the ones systemd inside it makes (where its
    init may sit, as init.scope); any other path as it is."""
    parts = path.split("/")
    ends = [i for i, part in enumerate(parts) if part.startswith("libpod-") and not part.startswith("libpod-conmon")]
    return "/".join(parts[: ends[0] + 1]) if ends else path


def _process_cpu(pid: int) -> float:
    """CPU seconds of a process, its threads and its waited-for children; 0 for a process that is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime, stime, cutime, cstime


def cpu_split(lab: dict[str, Any]) -> CpuSplit:
    """Now, for the lab that `wardctl lab status --json` described (its containers' and processes' pids)."""
    hosts = lab.get("hosts", [])
    endpoints = sum(_cgroup_cpu(h["pid"]) for h in hosts if h.get("kind") == "container" and h.get("pid"))
    pids = [h["pid"] for h in hosts if h.get("kind") == "simulator" and h.get("pid")]
    pids += [lab["apt_proxy"]["pid"]] if (lab.get("apt_proxy") or {}).get("pid") else []
    return CpuSplit(machine_cpu(), endpoints, sum(map(_process_cpu, pids)))


def split_line(cpu: CpuSplit, endpoints: int) -> str:
    n = max(1, endpoints)
    return (f"of which the lab's endpoints {cpu.endpoints:.1f}, its router simulators and apt proxy "
            f"{cpu.simulators:.1f}, the controller's side {cpu.controller:.1f} ({cpu.controller / n:.1f} per "
            "endpoint)")  # fmt: skip


def machine_speed() -> float:
    """Milliseconds of CPU for one `ansible-playbook --version` of the kit's venv (Python's start and Ansible's
    imports, the kind of work a rollout repeats), best of five: the machine's speed at the moment. This VM on
    shared hardware drifted 1.3-2x between runs of the same code; two runs' figures compare only as this does.
    Chosen by measurement (2026-12-07, 13 samples 2.5 min apart, best of three each, before one ward's no-op
    `site.yml`): it followed that run's controller CPU (correlation 0.84); forking a large Python heap did not (0.46).
    Noisy on its own (730-920 ms within a minute): it tells a drift of the machine, not a 10% change.
    """
    best = float("inf")
    for _ in range(5):
        before = os.times()
        subprocess.run([str(BIN / "ansible-playbook"), "--version"], cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)  # fmt: skip
        after = os.times()
        best = min(best, after.children_user + after.children_system - before.children_user - before.children_system)
    return best * 1000


def speed_note() -> str:
    return f"machine speed: `ansible-playbook --version` in {machine_speed():.0f} ms of CPU (more: slower)"


def rollout(env: dict[str, str], state: Path, wards: str, lab: dict[str, Any], *extra: str) -> tuple[float, CpuSplit]:
    cmd = [str(BIN / "wardctl"), "rollout", "--wards", wards, "--playbook", "endpoints.yml", "--gate-playbook", "",
           "--plain", *extra]  # fmt: skip
    cpu0, t0 = cpu_split(lab), time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env | {"WARDCTL_STATE_DIR": str(state)}, capture_output=True,
                          text=True, check=False, timeout=3600)  # fmt: skip
    wall, cpu = time.monotonic() - t0, cpu_split(lab) - cpu0
    if proc.returncode != 0:
        sys.exit(f"rollout {' '.join(extra)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-1500:]}")
    return wall, cpu


def task_counts(state: Path) -> dict[str, tuple[int, int, int]]:
    """host -> (ok, changed, skipped) of the newest run."""
    with sqlite3.connect(state / "runs.db") as db:
        run_id = db.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
        rows = db.execute("SELECT host, ok, changed, skipped FROM hosts WHERE run_id = ?", (run_id,))
        return {h: (ok, changed, skipped) for h, ok, changed, skipped in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wards", type=int, default=5, help="the first N wards of the lab (city hall excluded)")
    parser.add_argument("--skip-converge", action="store_true", help="the wards are already converged")
    args = parser.parse_args()
    env = dict(
        os.environ, CONTAINERS_CONF=str(ROOT / "lab" / "containers.conf"), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg")
    )
    subprocess.run([str(BIN / "wardctl"), "lab", "up"], cwd=ROOT, env=env, check=True, capture_output=True)
    status = subprocess.run([str(BIN / "wardctl"), "lab", "status", "--json"], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    lab = json.loads(status)
    hosts = lab["hosts"]
    ward_ids = list(dict.fromkeys(h["ward"] for h in hosts if h["ward"] != "city_hall"))[: args.wards]
    wards = ",".join(ward_ids)
    with tempfile.TemporaryDirectory(prefix="wardkit-noop-") as tmp:
        if not args.skip_converge:
            print(f"converging {wards} (not timed)…", flush=True)
            rollout(env, Path(tmp) / "converge", wards, lab)
        print(f"no-op endpoints.yml over {wards} ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
              f"{speed_note()}):")  # fmt: skip
        for name, extra in (("plain", ()), ("accelerated", ("--accelerate",))):
            state = Path(tmp) / name
            wall, cpu = rollout(env, state, wards, lab, *extra)
            counts = task_counts(state)
            endpoints = [h for h in counts if not h.endswith("-router")]
            changed = sum(counts[h][1] for h in endpoints)
            tasks = sum(counts[h][0] + counts[h][2] for h in endpoints) / max(1, len(endpoints))
            print(f"  {name:12} {wall:7.1f} s wall  {cpu.machine:7.1f} CPU-s machine  "
                  f"{cpu.machine / max(1, len(endpoints)):6.1f} CPU-s per endpoint  {tasks:5.0f} tasks per endpoint  "
                  f"{changed} changed  ({len(endpoints)} endpoints)\n"
                  f"  {'':12} {split_line(cpu, len(endpoints))}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
