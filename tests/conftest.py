"""Session fixtures. Lab tests run against their own lab instance (`wardlabtest`), started once per session."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, TEST_LAB, wardctl


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
