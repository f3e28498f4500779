"""`wardctl rollout --rolling`: after the first wave, wards go through a window instead of in batches.

A batch holds every ward until its slowest is done: in the lab, the 1 Mbit/s ward kept the last wave going for
8 minutes with the controller idle (its time goes on the line, not on CPU). In a window of the wave size, a
ward starts as soon as one finishes, and the wards expected to take longest start first (the classic
longest-first rule): the window's tail is then short wards, not city hall's many machines, and a slow line's
wait overlaps the others' work. The blast radius is the same as a wave's: at most the wave size of wards in
flight, and once the failed wards exceed the budget no ward starts (those running finish). Each ward is its
own apply and gate (two playbook runs per ward).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")


# What one machine of a ward costs a rollout, from the lab city's first rollout (benchmarks/city_rollout.py,
# 2026-12-07): the controller's side ~24 CPU-s per endpoint, and ~17 MB (136 Mbit) of packages per machine,
# each fetched through its ward's one line. Only their ratio matters: it weighs a ward's machines against its
# line. A rerun downloads nothing, so there the line term only moves slow-line wards earlier, which costs nothing.
CONTROLLER_SECONDS_PER_MACHINE = 24.0
DOWNLOAD_MBIT_PER_MACHINE = 136.0


def longest_first(wards: list[str], machines: dict[str, int], line_down_mbps: dict[str, float]) -> list[str]:
    """The wards expected to take longest first, ties in the order given. A ward's expected time: its machines
    (its endpoints) x (the controller's work per machine + one machine's packages through the ward's contracted
    downlink, which its machines share). City hall's 14 machines on 500 Mbit/s go before a one-room ward on
    30 Mbit/s; a one-room ward on 2 Mbit/s (~70 s of packages) before a ward of three rooms on 100 Mbit/s.
    A ward without a contracted rate (no router, such as a city hall on the city's own network) counts as on
    the fastest known line; a ward with no endpoint (a router alone) as one machine."""
    known = [rate for w in wards if (rate := line_down_mbps.get(w))]
    fastest = max(known, default=math.inf)

    def expected(ward: str) -> float:
        line = DOWNLOAD_MBIT_PER_MACHINE / (line_down_mbps.get(ward) or fastest)
        return max(1, machines.get(ward, 0)) * (CONTROLLER_SECONDS_PER_MACHINE + line)

    return sorted(wards, key=expected, reverse=True)  # sorted() is stable under reverse=True too


def window(
    wards: list[str], size: int, start: Callable[[str], bool], work: Callable[[str], T],
    done: Callable[[str, T], None], abort: Callable[[], None],
) -> None:  # fmt: skip
    """work(ward) for each ward in order, at most `size` at once, in worker threads. In this thread: start(ward)
    before each (False: start no more; those running finish) and done(ward, result) as each finishes. On an
    error here or in a worker, abort() first (it must make the work in flight stop), then the error goes up
    once the workers have returned."""
    queue = deque(wards)
    running: dict[Future[T], str] = {}
    with ThreadPoolExecutor(max_workers=max(1, size), thread_name_prefix="ward") as pool:
        try:
            while True:
                while queue and len(running) < size:
                    if not start(queue[0]):
                        queue.clear()  # asked once: the answer (budget spent, Ctrl-C) stands
                        break
                    ward = queue.popleft()
                    running[pool.submit(work, ward)] = ward
                if not running:
                    return
                # A timeout, so this thread keeps handling signals (Ctrl-C) while playbooks run.
                finished, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in finished:
                    done(running.pop(future), future.result())
        except BaseException:
            abort()  # before the pool's exit waits for the workers
            raise
