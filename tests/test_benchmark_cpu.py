"""The benchmarks' CPU split (benchmarks/endpoint_noop.py): what they put on the lab's endpoints and simulators
must be CPU that those processes really used, read from this machine's own cgroups and /proc, or the
controller's side they print would silently take it all."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import endpoint_noop as bench

BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < {s}: pass\n"


def _burn(seconds: float) -> None:
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass


def test_cgroup_cpu_counts_this_process() -> None:
    """A container's CPU is its cgroup's: here the test's own cgroup, which holds this process."""
    before = bench._cgroup_cpu(os.getpid())
    _burn(0.5)
    assert bench._cgroup_cpu(os.getpid()) - before >= 0.45


def test_process_cpu_counts_a_simulator_and_its_threads() -> None:
    sim = subprocess.Popen([sys.executable, "-c", "import threading, time\n" + BURN.format(s=0.3)
                            + "th = threading.Thread(target=exec, args=(" + repr(BURN.format(s=0.3)) + ",))\n"
                            "th.start(); th.join(); time.sleep(30)"])  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while bench._process_cpu(sim.pid) < 0.55 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert bench._process_cpu(sim.pid) >= 0.55  # both threads' 0.3 s
    finally:
        sim.kill()
        sim.wait()


def test_split_puts_each_part_where_it_ran() -> None:
    sim = subprocess.Popen([sys.executable, "-c", "import time\ntime.sleep(30)"])
    try:
        lab = {"hosts": [{"kind": "container", "pid": os.getpid()}, {"kind": "simulator", "pid": sim.pid},
                         {"kind": "simulator", "pid": None}], "apt_proxy": None}  # fmt: skip
        before = bench.cpu_split(lab)
        _burn(0.5)
        spent = bench.cpu_split(lab) - before
        assert spent.endpoints >= 0.45
        assert spent.simulators < 0.2  # the sleeping simulator used none of it
        assert spent.machine >= spent.endpoints - 0.05  # /proc/stat ticks: coarser than the cgroup's nanoseconds
    finally:
        sim.kill()
        sim.wait()


def test_a_process_that_is_gone_counts_nothing() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert bench._cgroup_cpu(gone.pid) == 0.0
    assert bench._process_cpu(gone.pid) == 0.0
    assert "controller's side" in bench.split_line(bench.CpuSplit(10.0, 6.0, 1.0), 3)
    assert bench.CpuSplit(10.0, 6.0, 1.0).controller == 3.0


def test_a_container_counts_from_its_own_cgroup_down() -> None:
    """systemd inside a container puts its init in init.scope: the container is podman's cgroup above it."""
    assert bench._container_root("/libpod_parent/libpod-c1b7/init.scope") == "/libpod_parent/libpod-c1b7"
    assert bench._container_root("/machine.slice/libpod-c1b7.scope/container/init.scope") == (
        "/machine.slice/libpod-c1b7.scope"
    )
    assert bench._container_root("/machine.slice/libpod-conmon-c1b7.scope") == "/machine.slice/libpod-conmon-c1b7.scope"
    assert bench._container_root("/user.slice/session-1.scope") == "/user.slice/session-1.scope"
