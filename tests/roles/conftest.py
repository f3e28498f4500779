"""Fixtures of the endpoint roles' tests: their slow jobs start once, together (tests/endpoint_jobs.py)."""

from __future__ import annotations

import pytest
from endpoint_jobs import Job, session_jobs


@pytest.fixture(scope="session")
def endpoint_jobs() -> dict[str, Job]:
    return session_jobs()  # tests/conftest.py may have started them earlier, and stops them at the end
