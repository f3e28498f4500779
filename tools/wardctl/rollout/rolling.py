"""`wardctl rollout --rolling`: after the first wave, wards go through a window instead of in batches.

A batch holds every ward until its slowest is done: in the lab, the 1 Mbit/s ward kept the last wave going for
8 minutes with the controller idle (its time goes on the line, not on CPU). In a window of the wave size, a
ward starts as soon as one finishes, and wards with the slowest contracted line (the router's
`router_line_down_mbps`) start first, so their wait on the line overlaps the others' work. The blast radius is
the same as a wave's: at most the wave size of wards in flight, and once the failed wards exceed the budget no
ward starts (those running finish). Each ward is its own apply and gate (two playbook runs per ward).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")


def slow_lines_first(wards: list[str], line_down_mbps: dict[str, float]) -> list[str]:
    """Slowest contracted downlink first, else as given. A ward without one (no router in the inventory, like a
    city hall on the city's own network) counts as the fastest: it keeps its place, not the end (city hall, the
    ward with the most machines, last would be the wrong tail)."""
    known = [rate for w in wards if (rate := line_down_mbps.get(w))]
    fastest = max(known, default=math.inf)
    return sorted(wards, key=lambda w: line_down_mbps.get(w) or fastest)


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
