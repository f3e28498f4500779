"""Fixtures of the endpoint roles' tests: their slow jobs start once, together (endpoint_jobs.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from endpoint_jobs import Job, start, stop


@pytest.fixture(scope="session")
def endpoint_jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Job]]:
    jobs = start(tmp_path_factory.mktemp("endpoint-jobs"))
    try:
        yield jobs
    finally:
        stop(jobs)
