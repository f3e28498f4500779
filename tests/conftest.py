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
# right after this module's last test, niced (how far that goes: tests/endpoint_jobs.py), beside the tests after
# it, which often wait; their own tests move to the session's end, where they read the results. Not before it:
# verify.yml's measured timings (DNS, ping jitter) want quiet cores. Running those first and the jobs beside the
# single-core unit tests gained nothing (29 min 18 s against 28 min 19 s, 2026-12-07: the jobs then slowed the lab
# tests instead). A session that runs none of the jobs' tests never starts them.
QUIET_UNTIL = "tests/line_check/test_verify_lab.py"
EARLY_START = pytest.StashKey[str]()


@pytest.hookimpl(trylast=True)  # after -m/-k deselection: only the tests that will run count
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    users = [item for item in items if "endpoint_jobs" in getattr(item, "fixturenames", ())]
    if not users:
        return
    moved = set(users)
    items[:] = [item for item in items if item not in moved] + users
    quiet = [n for n, item in enumerate(items) if item.nodeid.startswith(QUIET_UNTIL)]
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
