#!/usr/bin/env python3
"""The city rollout as `make demo` runs it, first and again, plain and accelerated (issue #13's figures).

    .venv/bin/python benchmarks/city_rollout.py [--lab wardlab] [--wards N] [--only plain|accelerated]
                                                [--rolling] [--reset] [--down] [--keep-timings DIR]
                                                [--timeout MIN]

For each way (plain, then `--accelerate`): a fresh lab, then `wardctl rollout --all --canary phuong_1
--wave-size 5` (site.yml, then the verify.yml health gate; `--rolling` adds that flag) twice: "first" on fresh
endpoints, then a rerun that changes nothing. Prints, per rollout: wall time, the whole machine's CPU seconds
(/proc/stat, so the lab's containers count), CPU-seconds per endpoint, how much of it the lab's endpoints
(their containers' cgroups) and its router simulators and apt proxy took (the rest is the controller's side,
what a real controller pays), task results per endpoint, each playbook run's wait (its wards in the order
they were done; host-seconds idle behind a slower host), and the ten costliest tasks summed over hosts (from
`wardctl rollout --timings`); then the issue's goals and baseline beside them. Asserts nothing.

"First" means: containers created from the cached image (`wardctl lab down` then `lab up [--wards N]`: new
endpoints, router simulators back to their factory config, no gathered facts, no compiled template kept: an
empty template cache of its own), but with the lab's apt proxy cache (~/.cache/wardkit/apt) and the lab image
kept, so no package leaves the Debian archive twice. That
rebuild is timed and printed, never counted in a rollout's figures.

`--wards N` builds a lab of city hall plus the first N wards (`lab up --wards N`); the rollout is still
`--all`, i.e. every ward of that lab. A lab that is already up is rebuilt only with `--reset` (its first
rollout could not be a first one otherwise); the lab stays up at the end unless `--down`.
Each rollout has its own state directory (a temporary one), so the checkout's `state/` is not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from endpoint_noop import CpuSplit, cpu_split, speed_note, split_line  # one CPU reader for both benchmarks

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WARDCTL = str(BIN / "wardctl")

GOALS = "goals (issue #13, whole city): first <= 10 min, no-op <= 3 min, no-op <= 10 CPU-s per endpoint"
BASELINE = "baseline (issue #13, 17 wards, plain): first 28 min, no-op 16.7 min, no-op 52 CPU-s per endpoint"
COUNTS = ("ok", "changed", "skipped", "failed", "unreachable")


@dataclass
class Measured:
    wall: float
    cpu: CpuSplit
    code: int


def measured(cmd: list[str], env: dict[str, str], timeout: float, lab: dict[str, Any]) -> tuple[Measured, str]:
    """Run bounded: past `timeout`, SIGTERM (wardctl cancels its playbook and closes the record), then SIGKILL.
    `lab`: `lab status --json` as it stands during the run (whose containers and simulators to split out)."""
    cpu0, t0 = cpu_split(lab), time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
        out += f"\n(stopped after {timeout / 60:.0f} min)"
    return Measured(time.monotonic() - t0, cpu_split(lab) - cpu0, proc.returncode), out


def lab_status(env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run([WARDCTL, "lab", "status", "--json"], cwd=ROOT, env=env, check=True, capture_output=True,
                         text=True).stdout  # fmt: skip
    return json.loads(out)


def build_lab(env: dict[str, str], wards: int | None, existing: bool) -> None:
    """`lab down` (when up) then `lab up`: what a first rollout needs. Timed, printed, not counted."""
    steps = ([["lab", "down"]] if existing else []) + [["lab", "up", *(["--wards", str(wards)] if wards else [])]]
    for step in steps:
        m, out = measured([WARDCTL, *step], env, timeout=1800, lab={})
        print(f"  lab {step[1]:4}: {m.wall:6.1f} s wall, {m.cpu.machine:6.1f} CPU-s machine (not counted below)",
              flush=True)  # fmt: skip
        if m.code != 0:
            sys.exit(f"wardctl {' '.join(step)} failed ({m.code}):\n{out[-3000:]}")


def record(state: Path) -> tuple[str, dict[str, str], dict[str, dict[str, int]]]:
    """The newest run's id, ward statuses and per-host task counts (apply and gate together)."""
    with sqlite3.connect(state / "runs.db") as db:
        run_id = db.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
        wards = dict(db.execute("SELECT ward, status FROM wards WHERE run_id = ?", (run_id,)).fetchall())
        rows = db.execute(f"SELECT host, {', '.join(COUNTS)} FROM hosts WHERE run_id = ?", (run_id,)).fetchall()
    return run_id, wards, {row[0]: dict(zip(COUNTS, row[1:], strict=True)) for row in rows}


def costliest(timings: Path, top: int = 10) -> list[tuple[str, float, int, float]]:
    """(task, summed seconds, host results, longest) over every playbook run of the rollout, costliest first."""
    total: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0.0])
    try:
        runs = json.loads(timings.read_text())["playbook_runs"]
    except (OSError, ValueError, KeyError):
        return []
    for run in runs:
        for name, t in run["tasks"].items():
            entry = total[f"{run['playbook']}: {name}"]
            entry[0] += t["total_seconds"]
            entry[1] += t["hosts"]
            entry[2] = max(entry[2], t["max_seconds"])
    ranked = sorted(total.items(), key=lambda kv: -kv[1][0])[:top]
    return [(name, s, int(n), longest) for name, (s, n, longest) in ranked]


def waves(timings: Path, host_ward: dict[str, str]) -> list[str]:
    """Where each playbook run waited: its wards in the order they were done (a ward: its last host), and the
    host-seconds spent idle behind a slower host within a task (linear: hosts x longest - total, summed)."""
    try:
        runs = json.loads(timings.read_text())["playbook_runs"]
    except (OSError, ValueError, KeyError):
        return []
    lines = []
    for run in runs:
        done: dict[str, float] = {}
        for host, h in run.get("hosts", {}).items():
            ward = host_ward.get(host, host)
            done[ward] = max(done.get(ward, 0.0), h["done_at_seconds"])
        idle = sum(t["hosts"] * t["max_seconds"] - t["total_seconds"] for t in run["tasks"].values())
        order = ", ".join(f"{w} {s:.0f}" for w, s in sorted(done.items(), key=lambda kv: kv[1]))
        lines.append(f"    wave {run['wave']} {run['phase']:5} {run['seconds']:6.0f} s  idle behind a slower host "
                     f"{idle:6.0f} host-s  wards done at (s): {order}")  # fmt: skip
    return lines


def report(label: str, m: Measured, out: str, state: Path, timings: Path, roles: dict[str, str],
           host_ward: dict[str, str]) -> dict[str, Any]:  # fmt: skip
    run_id, wards, hosts = record(state)
    # Every endpoint of the lab (the rollout is --all), not only those the record has counts for: a stopped
    # wave leaves none for its hosts, and the CPU was spent on them all the same.
    endpoints = [h for h, role in roles.items() if role != "router"]
    n = max(1, len(endpoints))
    not_done = {w: s for w, s in wards.items() if s != "done"}
    missing = f"; not done: {', '.join(f'{w} {s}' for w, s in not_done.items())}" if not_done else ""
    print(f"\n{label}: run {run_id}, exit {m.code}, {len(wards)} wards ({len(wards) - len(not_done)} done{missing})")
    if m.code not in (0, 2):
        print("  last lines of its output:\n    " + "\n    ".join(out.strip().splitlines()[-8:]))
    print(f"  {m.wall:8.1f} s wall ({m.wall / 60:.1f} min)   {m.cpu.machine:8.1f} CPU-s machine   "
          f"{m.cpu.machine / n:6.1f} CPU-s per endpoint ({len(endpoints)} endpoints; load {os.getloadavg()[0]:.1f} "
          f"at the end)\n  {split_line(m.cpu, len(endpoints))}")  # fmt: skip
    by_role: dict[str, list[str]] = defaultdict(list)
    for host in (h for h in endpoints if h in hosts):
        by_role[roles[host]].append(host)
    for role, names in sorted(by_role.items()):
        mean = {c: sum(hosts[h][c] for h in names) / len(names) for c in COUNTS}
        print(f"  tasks per {role:14} (x{len(names):2}): " + "  ".join(f"{c} {v:5.1f}" for c, v in mean.items()))
    print("  playbook runs (routers count as hosts of their ward):")
    print("\n".join(waves(timings, host_ward)))
    print("  costliest tasks (seconds summed over hosts, host results, longest host):")
    for name, seconds, count, longest in costliest(timings):
        print(f"    {seconds:8.1f} s  x{count:3}  max {longest:6.1f} s  {name}")
    return {"wall": m.wall, "cpu_per_endpoint": m.cpu.machine / n, "controller_per_endpoint": m.cpu.controller / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="wardlab", help="lab instance (default wardlab, the demo's)")
    parser.add_argument("--wards", type=int, help="city hall plus the first N wards (default: the whole city)")
    ways = parser.add_mutually_exclusive_group()
    ways.add_argument("--only", choices=("plain", "accelerated"), help="one way only")
    ways.add_argument("--no-accelerate", action="store_true", help="same as --only plain")
    parser.add_argument("--rolling", action="store_true", help="roll out with --rolling (rollout/rolling.py)")
    parser.add_argument("--reset", action="store_true", help="rebuild the lab even if it was already up")
    parser.add_argument("--down", action="store_true", help="take the lab down at the end")
    parser.add_argument("--keep-timings", type=Path, metavar="DIR", help="keep each rollout's --timings JSON here")
    parser.add_argument("--timeout", type=float, default=90, help="minutes per rollout before it is stopped")
    args = parser.parse_args()
    only = "plain" if args.no_accelerate else args.only
    chosen = [w for w in ("plain", "accelerated") if only in (None, w)]

    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    env = dict(os.environ, WARDCTL_LAB_NAME=args.lab, CONTAINERS_CONF=str(ROOT / "lab" / "containers.conf"),
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), PATH=path)  # fmt: skip
    env.pop("WARDCTL_STATE_DIR", None)
    up = bool(lab_status(env)["hosts"])
    if up and not args.reset:
        again = f"lab up --wards {args.wards}" if args.wards else "lab up"
        sys.exit(f"lab {args.lab} is already up: a first rollout needs fresh endpoints. --reset rebuilds it "
                 f"(lab down, then {again}), or name another --lab.")  # fmt: skip
    print(f"city rollout benchmark: lab {args.lab}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start;"
          f"\n  {speed_note()}", flush=True)  # fmt: skip
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="wardkit-city-") as tmp:
        keep = args.keep_timings.resolve() if args.keep_timings else Path(tmp)
        keep.mkdir(parents=True, exist_ok=True)
        for way in chosen:
            print(f"\n== {way}: fresh lab", flush=True)
            build_lab(env, args.wards, existing=up)
            up = True
            status = lab_status(env)  # the new lab's pids, for the CPU split
            roles = {h["host"]: h["role"] for h in status["hosts"]}
            host_ward = {h["host"]: h["ward"] for h in status["hosts"]}
            wards = list(dict.fromkeys(h["ward"] for h in status["hosts"] if h["ward"] != "city_hall"))
            state = Path(tmp) / way  # first and rerun share it, as two `make demo` rollouts would
            # Compiled templates (lean_workers): none before the first rollout, as on a new controller; the rerun
            # finds what the first one kept.
            templates = {"WARDKIT_TEMPLATE_CACHE": str(Path(tmp) / f"{way}-templates")}
            for attempt in ("first", "rerun"):
                timings = keep / f"{way}-{attempt}.json"
                cmd = [WARDCTL, "rollout", "--plain", "--all", "--canary", wards[0], "--wave-size", "5",
                       "--timings", str(timings), *(["--accelerate"] if way == "accelerated" else []),
                       *(["--rolling"] if args.rolling else [])]  # fmt: skip
                print(f"\n{way} {attempt}: {' '.join(cmd[1:])}", flush=True)
                m, out = measured(cmd, env | templates | {"WARDCTL_STATE_DIR": str(state)}, args.timeout * 60,
                                  status)  # fmt: skip
                results[f"{way} {attempt}"] = report(f"{way} {attempt}", m, out, state, timings, roles, host_ward)
        if args.keep_timings:
            print(f"\ntimings kept in {args.keep_timings}")
    print(f"\nsummary ({args.wards or 'all'} wards besides city hall, lab {args.lab}):")
    for label, r in results.items():
        print(f"  {label:20} {r['wall'] / 60:6.1f} min wall   {r['cpu_per_endpoint']:6.1f} CPU-s per endpoint "
              f"({r['controller_per_endpoint']:.1f} on the controller's side)")  # fmt: skip
    print(f"  {GOALS}\n  {BASELINE}\n  at the end, {speed_note()}")
    if args.wards:
        print("  (these figures cover part of the city; the goals and baseline are for all 17 wards)")
    if args.down:
        subprocess.run([WARDCTL, "lab", "down"], cwd=ROOT, env=env, check=False)


if __name__ == "__main__":
    main()
