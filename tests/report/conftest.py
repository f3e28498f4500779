"""Report tests: one synthetic run record per session (report_helpers.py), never a lab."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_helpers import Scenario, vungtau_scenario

from wardctl.cli import main


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return vungtau_scenario(tmp_path_factory.mktemp("state"))


@pytest.fixture
def state(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The scenario's state directory as WARDCTL_STATE_DIR, for the Store and the CLI alike."""
    monkeypatch.setenv("WARDCTL_STATE_DIR", str(scenario.state))
    yield scenario.state


class Result:
    def __init__(self, code: int, out: bytes, err: str) -> None:
        self.code, self.raw, self.err = code, out, err

    @property
    def out(self) -> str:
        return self.raw.decode("utf-8")


@pytest.fixture
def cli() -> object:
    """Run `wardctl ...` in this process; stdout as bytes (reports write UTF-8 bytes), stderr as text."""

    def run(*args: str) -> Result:
        out, err = io.BytesIO(), io.StringIO()
        stdout = io.TextIOWrapper(out, encoding="utf-8")
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = stdout, err
        try:
            code = main(list(args))
            stdout.flush()
        finally:
            sys.stdout, sys.stderr = saved
        return Result(code, out.getvalue(), err.getvalue())

    return run
