#!/usr/bin/env python3
"""What finding "nothing to change" costs per endpoint, plain and under the accelerator (issue #13's figure).

    .venv/bin/python benchmarks/endpoint_noop.py [--wards 5] [--skip-converge]

Against the lab instance named by WARDCTL_LAB_NAME (default `wardlab`, started if needed): one `wardctl rollout
--playbook endpoints.yml` over the first N wards to converge them (not timed), then the same no-op rollout
plain and with `--accelerate`, each timed. Prints wall time, the whole machine's CPU seconds (/proc/stat: the
lab's containers share the controller's cores, so they count), CPU per endpoint, and task results per endpoint
from the run record. The health gate is off (it measures lines, not configuration). Asserts nothing.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine since boot (user+nice+system+irq+softirq+steal)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = fields[0] + fields[1] + fields[2] + sum(fields[5:8])
    return busy / os.sysconf("SC_CLK_TCK")


def machine_speed() -> float:
    """Milliseconds of CPU (parent and children) for a fixed piece of what Ansible's controller does most - fork a
    process with a large Python heap and touch it (copy-on-write) - best of three: the machine's speed at the
    moment. This VM on shared hardware drifted 1.3-1.8x within an evening; two runs' figures compare only as this does.
    """
    heap = [{"n": i, "s": str(i)} for i in range(200_000)]
    best = float("inf")
    for _ in range(3):
        before = os.times()
        for _ in range(10):
            pid = os.fork()
            if pid == 0:  # the child reads every object, which writes their reference counts
                sum(len(d["s"]) for d in heap)
                os._exit(0)
            os.waitpid(pid, 0)
        after = os.times()
        best = min(best, sum(after[i] - before[i] for i in range(4)))  # user, system, children's user, system
    return best * 1000


def speed_note() -> str:
    return f"machine speed: 10 forks touching a 200k-object heap in {machine_speed():.0f} ms of CPU (more: slower)"


def rollout(env: dict[str, str], state: Path, wards: str, *extra: str) -> tuple[float, float]:
    cmd = [str(BIN / "wardctl"), "rollout", "--wards", wards, "--playbook", "endpoints.yml", "--gate-playbook", "",
           "--plain", *extra]  # fmt: skip
    cpu0, t0 = machine_cpu(), time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env | {"WARDCTL_STATE_DIR": str(state)}, capture_output=True,
                          text=True, check=False, timeout=3600)  # fmt: skip
    wall, cpu = time.monotonic() - t0, machine_cpu() - cpu0
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
    hosts = json.loads(status)["hosts"]
    ward_ids = list(dict.fromkeys(h["ward"] for h in hosts if h["ward"] != "city_hall"))[: args.wards]
    wards = ",".join(ward_ids)
    with tempfile.TemporaryDirectory(prefix="wardkit-noop-") as tmp:
        if not args.skip_converge:
            print(f"converging {wards} (not timed)…", flush=True)
            rollout(env, Path(tmp) / "converge", wards)
        print(f"no-op endpoints.yml over {wards} ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
              f"{speed_note()}):")  # fmt: skip
        for name, extra in (("plain", ()), ("accelerated", ("--accelerate",))):
            state = Path(tmp) / name
            wall, cpu = rollout(env, state, wards, *extra)
            counts = task_counts(state)
            endpoints = [h for h in counts if not h.endswith("-router")]
            changed = sum(counts[h][1] for h in endpoints)
            tasks = sum(counts[h][0] + counts[h][2] for h in endpoints) / max(1, len(endpoints))
            print(f"  {name:12} {wall:7.1f} s wall  {cpu:7.1f} CPU-s machine  {cpu / max(1, len(endpoints)):6.1f} "
                  f"CPU-s per endpoint  {tasks:5.0f} tasks per endpoint  {changed} changed  "
                  f"({len(endpoints)} endpoints)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
