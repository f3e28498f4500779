#!/usr/bin/env python3
"""Report generation for 1,000 synthetic wards (issue 5): time and peak memory. Goal: under 2 s.

Builds a run record through the Store API in a temporary state directory: 1,000 wards in 10 waves, each ward
a router and two endpoints with every report kind (router diff, client, hardening, line check, room), about
one ward in ten failed or unreachable with its failures, and a second run that finishes what the first left.
Then it times, each as `wardctl` runs it (in this process, written to files):

- `wardctl report --city --format html`  (the dashboard: table, counts, chart)
- `wardctl report --city --format csv`
- `wardctl report WARD --format html` and `--format md`
- `wardctl status --json`

and prints wall time per step, the total of dashboard + CSV + one ward report against the goal, and peak
memory (tracemalloc's peak of Python allocations in a second, traced pass; the process's maximum RSS).
No inventory is read: names come from the record, as when a lab's inventory is gone. It prints, never asserts.

    .venv/bin/python benchmarks/report_generation.py [--wards 1000] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import wardctl.record.store as store_module  # noqa: E402
from wardctl.cli import main  # noqa: E402
from wardctl.record.store import Failure, HostCounts, RunSettings, Store, WaveOutcome  # noqa: E402

GOAL_S = 2.0
GOAL_STEPS = ["city_html", "city_csv", "ward_html"]
DIFF = "\n".join(
    ["--- running", "+++ intended"]
    + [f"+ntp server 203.0.113.{i}" for i in range(1, 9)]
    + ["+username wardadmin privilege 15 secret 0 NotARealSecret", "-ip http server", "+line vty 0 4"]
)


def reports(ward: str, index: int) -> dict[tuple[str, str], Any]:
    router, room, pc = f"{ward}-router", f"{ward}-room", f"{ward}-pc"
    unfit = index % 13 == 0
    line = {
        "rtt_ms": {"min": 8.0, "avg": 12.0 + index % 7, "max": 30.0}, "jitter_ms": 2.5, "loss_percent": 3.0 if unfit
        else 0.1, "down_mbps": 0.9 if unfit else 40.0, "up_mbps": 12.0, "dns_ms": 15.0, "ntp_offset_ms": 1.2,
        "thresholds": {"rtt_ms_max": 150, "jitter_ms_max": 30, "loss_percent_max": 1, "down_mbps_min": 10,
                       "up_mbps_min": 5, "dns_ms_max": 200, "ntp_offset_ms_max": 100},
        "verdict": "unfit" if unfit else "good", "reasons": ["loss above 1%"] if unfit else [],
    }  # fmt: skip
    missing = ["camera"] if index % 17 == 0 else []
    out: dict[tuple[str, str], Any] = {
        (router, "router"): {"changed": True, "lines_pushed": 11, "diff": DIFF, "model": "ISR4321",
                             "os_version": "17.3.4a", "backup_path": f"backups/{router}/2021-06-10.cfg"},
        (room, "line_check"): line,
        (room, "room_readiness"): {"camera": "missing" if missing else "present", "microphone": "present",
                                   "speaker": "present", "display": "present", "missing": missing},
    }  # fmt: skip
    for host in (room, pc):
        # The shapes the roles publish (docs/report-facts.md).
        out[(host, "conference_client")] = {
            "package": "zavi-meeting", "version": "3.2.1", "pinned_version": "3.2.1", "state": "installed",
            "source": "http://mirror.invalid/zavi/zavi-meeting_3.2.1_all.deb", "checksum": "sha256:" + "0" * 64,
            "checksum_verified": True, "autostart": host == room, "check_mode": False,
        }  # fmt: skip
        areas = {"firewall": "applied", "ssh": "compliant", "audit": "applied", "usb_storage": "off"}
        out[(host, "endpoint_hardening")] = {"check_mode": False, "lynis_index": 80,
                                             "areas": {a: {"state": st} for a, st in areas.items()}}  # fmt: skip
    return out


def build(state: Path, wards: int) -> dict[str, Any]:
    """Two runs over `wards` synthetic wards; returns what was written."""
    clock = [datetime(2021, 6, 1, 1, 0, tzinfo=UTC)]
    store_module.now = lambda: clock[0].strftime("%Y-%m-%dT%H:%M:%SZ")  # June 2021, minutes apart
    store = Store(state / "runs.db")
    store.db.execute("PRAGMA synchronous = OFF")  # a throwaway record: no fsync per transaction
    ids = [f"ward_{i:04d}" for i in range(wards)]
    names = {w: f"Phường {i + 1}" for i, w in enumerate(ids)}
    host_ward = {f"{w}-{suffix}": w for w in ids for suffix in ("router", "room", "pc")}
    size = max(1, wards // 10)
    waves = [ids[i : i + size] for i in range(0, wards, size)]
    bad: list[str] = []
    for run_id, run_waves in (("bench-1", waves), ("bench-2", None)):
        todo = run_waves if run_waves is not None else [bad[i : i + size] for i in range(0, len(bad), size)]
        store.create_run(run_id, RunSettings("(synthetic)", "site.yml", False, None, todo, None, 0, ""), names)
        for wave in todo:
            clock[0] += timedelta(hours=8)
            store.mark_running(run_id, wave)
            outcome = WaveOutcome()
            verdicts: dict[str, tuple[str, str | None, str | None]] = {}
            for ward in wave:
                index = int(ward.split("_")[1])
                fails = run_id == "bench-1" and index % 10 == 3
                for suffix in ("router", "room", "pc"):
                    host = f"{ward}-{suffix}"
                    outcome.hosts[host] = HostCounts(
                        ok=14,
                        changed=3,
                        failed=int(fails and suffix == "room"),
                        unreachable=int(fails and index % 20 == 3 and suffix == "router"),
                    )
                if fails:
                    outcome.failures.append(Failure(f"{ward}-room", "conference_client : Install the meeting client",
                                                    "No package matching 'zavi-meeting' is available"))  # fmt: skip
                    bad.append(ward)
                outcome.reports.update(reports(ward, index))
                verdicts[ward] = ("failed" if fails else "done", "passed", None)
            store.record_wave(run_id, host_ward, outcome, verdicts)
        store.finish_run(run_id, "done")
    counts = {t: store.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("wards", "hosts", "reports",
                                                                                          "failures")}  # fmt: skip
    store.close()
    return {"wards": wards, "rows": counts, "db_bytes": (state / "runs.db").stat().st_size}


def step(out: Path, *args: str) -> tuple[float, float]:
    """One `wardctl` invocation in this process, output to a file; returns (wall, CPU) seconds.

    CPU time is printed beside wall time because a shared machine (a lab running next to it) stretches wall time
    without the report doing any more work.
    """
    sink = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stderr(sink):
        code = main([*args, "-o", str(out)] if args[0] == "report" else list(args))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if code != 0:
        raise SystemExit(f"wardctl {' '.join(args)} exited {code}: {sink.getvalue()}")
    return elapsed, cpu


def run_steps(out: Path, ward: str) -> dict[str, tuple[float, float]]:
    times = {
        "city_html": step(out / "city.html", "report", "--city", "--format", "html"),
        "city_csv": step(out / "city.csv", "report", "--city", "--format", "csv"),
        "ward_html": step(out / "ward.html", "report", ward, "--format", "html"),
        "ward_md": step(out / "ward.md", "report", ward, "--format", "md"),
    }
    with contextlib.redirect_stdout(io.StringIO()):
        times["status_json"] = step(out / "unused", "status", "--json")
    return times


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wards", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wardctl-bench-") as tmp:
        state, out = Path(tmp) / "state", Path(tmp) / "out"
        state.mkdir()
        out.mkdir()
        os.environ["WARDCTL_STATE_DIR"] = str(state)
        started = time.perf_counter()
        built = build(state, args.wards)
        build_s = time.perf_counter() - started
        ward = "ward_0003"  # a failed ward: failures, advice, a resumed run
        run_steps(out, ward)  # warm: imports, templates, the page cache, like any second invocation
        times = run_steps(out, ward)
        tracemalloc.start()
        run_steps(out, ward)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        sizes = {p.name: p.stat().st_size for p in out.iterdir()}
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    wall = sum(times[k][0] for k in GOAL_STEPS)
    cpu = sum(times[k][1] for k in GOAL_STEPS)
    figures = {
        "wards": args.wards, "record": built, "build_s": round(build_s, 2),
        "seconds": {k: {"wall": round(w, 3), "cpu": round(c, 3)} for k, (w, c) in times.items()},
        "goal_steps": GOAL_STEPS, "goal_wall_s": round(wall, 3), "goal_cpu_s": round(cpu, 3), "goal_s": GOAL_S,
        "tracemalloc_peak_mib": round(peak / 2**20, 1), "maxrss_mib": round(maxrss_kib / 1024, 1),
        "load_average": os.getloadavg()[0], "output_bytes": sizes,
    }  # fmt: skip
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    rows = built["rows"]
    print(f"record: {args.wards} wards, {rows['hosts']} hosts, {rows['reports']} reports, {rows['failures']} failures "
          f"in 2 runs ({built['db_bytes'] / 2**20:.1f} MiB), built in {build_s:.1f} s")  # fmt: skip
    print(f"  {'step':<12} {'wall':>8}  {'CPU':>8}  {'output':>8}")
    for name, (seconds, cpu_s) in times.items():
        size = sizes.get(name.replace("_", ".", 1), 0) / 1024
        print(f"  {name:<12} {seconds * 1000:6.0f} ms {cpu_s * 1000:6.0f} ms {size:6.0f} KiB")
    verdict = "meets" if wall < GOAL_S else "MISSES"
    print(f"city HTML + city CSV + ward report: {wall:.2f} s wall, {cpu:.2f} s CPU ({verdict} the goal of "
          f"< {GOAL_S:.0f} s; load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    print(f"peak memory: {peak / 2**20:.1f} MiB traced (Python allocations), {maxrss_kib / 1024:.0f} MiB max RSS")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
