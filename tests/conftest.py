"""Session fixtures. Lab tests run against their own lab instance (`wardlabtest`), started once per session."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from endpoint_jobs import session_jobs, stop_session
from support import ROOT, TEST_LAB, wardctl

# The endpoint roles' jobs (molecule and the Lynis benchmark, tests/endpoint_jobs.py: ~5 min of both cores) start
# right after the last test under QUIET_UNTIL (their own tests aside), niced (how far that goes:
# tests/endpoint_jobs.py), beside the tests after it; their own tests move to the session's end, where they read
# the results. Why there (a /proc/stat sampler beside clean-clone runs, 2026-12-07): from the rollout tests on, the
# session mostly waits on the lab (waves, gates, the routers' and simulators' timers), at 20-60 % of the two cores
# for its last ~14 min; the portal, report and AIDE tests before them keep one core busy and took twice their time
# beside the jobs; verify.yml's tests (measured DNS, ping jitter) want quiet cores. Measured: pytest 26:40 and 26:19,
# against 29:49 and 30:02 with the jobs started after verify.yml's tests; started beside the single-core unit tests
# they had gained nothing (29 min 18 s against 28 min 19 s). A session that runs none of their tests never starts them.
QUIET_UNTIL = "tests/roles/"
EARLY_START = pytest.StashKey[str]()


@pytest.hookimpl(trylast=True)  # after -m/-k deselection: only the tests that will run count
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    users = [item for item in items if "endpoint_jobs" in getattr(item, "fixturenames", ())]
    if not users:
        return
    moved = set(users)
    items[:] = [item for item in items if item not in moved] + users
    quiet = [n for n, item in enumerate(items) if item.nodeid.startswith(QUIET_UNTIL) and item not in moved]
    start = (quiet[-1] + 1) if quiet else 0
    if start < items.index(users[0]):
        config.stash[EARLY_START] = items[start].nodeid


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.config.stash.get(EARLY_START, None) == item.nodeid:
        session_jobs()


def pytest_sessionfinish(session: pytest.Session) -> None:
    stop_session()


@pytest.fixture(scope="session")
def lab() -> Iterator[dict[str, Any]]:
    """The full 17-ward test lab; torn down at the end unless WARDCTL_KEEP_LAB=1."""
    wardctl("lab", "up", timeout=900)
    data = json.loads(wardctl("lab", "status", "--json").stdout)
    yield data
    if os.environ.get("WARDCTL_KEEP_LAB") != "1":
        wardctl("lab", "down", check=False)


@pytest.fixture(scope="session")
def lab_inventory(lab: dict[str, Any]) -> Path:
    return Path(lab["inventory"])


@pytest.fixture(scope="session")
def vault_password_file(lab: dict[str, Any]) -> Path:
    return ROOT / f".lab-{TEST_LAB}" / "vault-password"
