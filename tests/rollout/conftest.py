"""Fixtures of the rollout's tests without a lab (test_rollout.py, on the lab, has its own `state`)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private record directory for one test."""
    monkeypatch.setenv("WARDCTL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("ANSIBLE_VAULT_PASSWORD_FILE", raising=False)
    return tmp_path / "state"
