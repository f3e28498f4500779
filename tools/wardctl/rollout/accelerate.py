"""The optional accelerator: Mitogen for Ansible's `mitogen_linear` strategy (docs/performance.md).

Mitogen keeps one Python interpreter per host over SSH and runs every module inside it, instead of a fresh
Python process per task and host, which is where a no-op rollout spends most of its CPU. It is a third-party
strategy plugin: ansible-core 2.19 prints a deprecation warning for those, and Mitogen knows no `network_cli`
or `winrm`. So only the plays that leave the strategy to the environment use it: the Linux endpoint plays;
every router play and the Windows play name `strategy: linear` themselves and keep the plain path.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from wardctl.errors import WardctlError

STRATEGY = "mitogen_linear"


def strategy_plugins() -> Path:
    """Mitogen's strategy plugin folder in this environment (installed with the kit's venv)."""
    spec = importlib.util.find_spec("ansible_mitogen")
    if spec is None or spec.origin is None:
        raise WardctlError("--accelerate: Mitogen is not installed in this environment (pip install mitogen)")
    return Path(spec.origin).parent / "plugins" / "strategy"


def envvars() -> dict[str, str]:
    """What ansible-playbook needs to run the plays that do not pin their strategy under Mitogen."""
    return {"ANSIBLE_STRATEGY_PLUGINS": str(strategy_plugins()), "ANSIBLE_STRATEGY": STRATEGY}
