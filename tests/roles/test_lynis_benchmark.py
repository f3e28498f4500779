"""benchmarks/lynis_hardening.py, run as a user runs it (--json --accelerate): Lynis >= 85 after the roles, more
than before, the client installed with its autostart in place, SSH still reachable with the admin key, and a
second run that changes nothing - all with the playbook under Mitogen, as `make demo` runs it (the molecule
scenarios converge the roles on the plain path).

It starts and removes its own container, side by side with the molecule scenarios (tests/endpoint_jobs.py).
"""

from __future__ import annotations

import json

import pytest
from endpoint_jobs import Job

pytestmark = pytest.mark.lab


def test_lynis_index_after_the_roles_with_client_and_ssh(endpoint_jobs: dict[str, Job]) -> None:
    rc, out = endpoint_jobs["lynis"].wait()
    assert out.lstrip().startswith("{"), f"benchmark exited {rc} without a result:\n{out[-4000:]}"
    res = json.loads(out)
    assert res["after"] >= 85, f"Lynis index {res['before']} -> {res['after']}; short of points: {res['remaining']}"
    assert res["after"] > res["before"]
    assert res["ssh_reachable"], f"SSH as wardadmin with the admin key failed: {res['ssh_detail']}"
    assert res["client_version"] == "1.5.0"
    assert res["autostart"]
    assert res["accelerated"] and res["second_run_changed"] == 0
    assert rc == 0
