"""JUnit for a run, from the report side: the city id comes from the run's inventory (record/junit.py writes)."""

from __future__ import annotations

from pathlib import Path

from wardctl.record import junit
from wardctl.record.read import Record
from wardctl.record.store import Store


def write_junit(store: Store, run_id: str, path: Path, *, classname: str | None = None) -> Path:
    """Write the JUnit file of one run. `classname` defaults to the city id of the run's inventory."""
    if classname is None:
        from wardctl.report.context import load_context

        classname = load_context(recorded=Record(store).require_run(run_id).inventory).city_id
    return junit.write_junit(store, run_id, path, classname=classname)
