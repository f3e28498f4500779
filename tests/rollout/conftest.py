"""Fixtures of the rollout's tests without a lab (test_rollout.py, on the lab, has its own `state`)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private record directory for one test, and a vault password file (these tests' runners decrypt
    nothing, but a rollout refuses to start without one)."""
    monkeypatch.setenv("WARDCTL_STATE_DIR", str(tmp_path / "state"))
    vault = tmp_path / "vault-password"
    vault.write_text("not-used\n")
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(vault))
    return tmp_path / "state"
