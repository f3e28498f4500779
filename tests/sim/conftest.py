"""Fixtures for the router simulators (helpers in sim_helpers.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from sim_helpers import ENABLE, PASSWORD, Sim, free_port


@pytest.fixture(scope="session")
def host_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    key = asyncssh.generate_private_key("ssh-ed25519")
    path = tmp_path_factory.mktemp("sim-key") / "ssh_host_ed25519_key"
    key.write_private_key(str(path))
    return path, key.export_public_key().decode().strip()


@pytest.fixture
def make_sim(tmp_path: Path, host_key: tuple[Path, str]) -> Iterator[Callable[..., Sim]]:
    sims: list[Sim] = []

    def make(dialect: str, **extra: Any) -> Sim:
        state = tmp_path / f"{dialect}-{len(sims)}"
        state.mkdir()
        port = free_port()
        ios = dialect == "cisco_ios"
        cfg = {
            "dialect": dialect,
            "hostname": "P1-RTR",
            "listen": "127.0.0.1",
            "port": port,
            "host_key": str(host_key[0]),
            "users": {"admin": PASSWORD},
            "enable_secret": ENABLE,
            "model": "ISR4321/K9" if ios else "RB5009UG+S+",
            "os_version": "16.9.4" if ios else "7.12.1",
            "serial": "FDO1234X0AB" if ios else "HE408K1234",
            "interfaces": ["GigabitEthernet0/0/0", "GigabitEthernet0/0/1"] if ios else ["ether1", "ether2"],
            "revert_timer_unit_seconds": 1,
            **extra,
        }
        (state / "sim.json").write_text(json.dumps(cfg))
        known = state / "known_hosts"
        known.write_text(f"[127.0.0.1]:{port} {host_key[1]}\n")
        sim = Sim(state, dialect, port, known)
        sims.append(sim)
        sim.start()
        return sim

    yield make
    for sim in sims:
        sim.stop()


@pytest.fixture
def ios(make_sim: Callable[..., Sim]) -> Sim:
    return make_sim("cisco_ios")


@pytest.fixture
def ros(make_sim: Callable[..., Sim]) -> Sim:
    return make_sim("mikrotik_routeros")
