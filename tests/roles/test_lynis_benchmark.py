"""benchmarks/lynis_hardening.py's core: Lynis >= 85 after the roles, the client in place, SSH still reachable.

About 3 minutes on an idle 2-core machine (two Lynis runs, the whole endpoints playbook); it starts and removes
its own container.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest
from support import ROOT

pytestmark = pytest.mark.lab


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lynis_hardening", ROOT / "benchmarks" / "lynis_hardening.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def test_lynis_index_after_the_roles_with_client_and_ssh() -> None:
    bench = load_benchmark()
    res = bench.run(log=False)
    assert res.after >= 85, f"Lynis index {res.before} -> {res.after}; short of points: {res.remaining}"
    assert res.after > res.before
    assert res.ssh_reachable, f"SSH as wardadmin with the admin key failed: {res.ssh_detail}"
    assert res.client_version == "1.5.0"
    assert res.autostart
