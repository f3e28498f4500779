"""Helpers for the router tests: the lab's simulators, playbook runs with their results, faults."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support import ROOT, TEST_LAB, VENV_BIN, lab_env

from wardctl.lab import routers as labrouters
from wardctl.router import drivers

# Every playbook output of this session, for the secrets check at the end.
OUTPUTS: list[str] = []


@dataclass(frozen=True)
class Sim:
    host: str
    ward: str
    dialect: str
    dir: Path

    def text(self, name: str = "running.cfg") -> str:
        return (self.dir / name).read_text()

    def body(self, name: str = "running.cfg") -> list[str]:
        return drivers.driver(self.dialect).body(self.text(name))

    def log_size(self) -> int:
        return (self.dir / "sim.log").stat().st_size

    def log_since(self, offset: int) -> str:
        with open(self.dir / "sim.log", encoding="utf-8", errors="replace") as fh:
            fh.seek(offset)
            return fh.read()

    @contextlib.contextmanager
    def faults(self, **faults: Any) -> Iterator[None]:
        """faults.json for the duration of a block; always removed again (other tests want a sane router)."""
        tmp = self.dir / ".faults.tmp"
        tmp.write_text(json.dumps(faults))
        tmp.replace(self.dir / "faults.json")
        try:
            yield
        finally:
            (self.dir / "faults.json").unlink(missing_ok=True)


def sims(lab: dict[str, Any]) -> list[Sim]:
    return [
        Sim(h["host"], h["ward"], h["dialect"], Path(h["state_dir"])) for h in lab["hosts"] if h["kind"] == "simulator"
    ]


def reset(routers: list[Sim]) -> None:
    """Each router back to its first boot (the lab manager's own start/stop; `lab status` stays right)."""
    for r in routers:
        labrouters.stop(r.dir)
        for name in ("running.cfg", "startup.cfg", "config.dat", "user.dat", "faults.json"):
            (r.dir / name).unlink(missing_ok=True)
        for f in (r.dir / "files").glob("*"):
            f.unlink()
    for r in routers:
        labrouters.start(r.dir)
    labrouters.wait_ready([r.dir for r in routers])


def lab_secrets() -> list[str]:
    return [p.read_text().strip() for p in (ROOT / f".lab-{TEST_LAB}" / "secrets").iterdir()]


@dataclass
class Run:
    proc: subprocess.CompletedProcess[str]
    results: dict[str, dict[str, Any]]  # host -> result of the router task (JSON runs)

    @property
    def output(self) -> str:
        return self.proc.stdout + self.proc.stderr

    def recap(self) -> dict[str, dict[str, int]]:
        rows = re.findall(
            r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", self.proc.stdout, re.M
        )
        return {h: {"ok": int(o), "changed": int(c), "unreachable": int(u), "failed": int(f)} for h, o, c, u, f in rows}

    def stats(self) -> dict[str, dict[str, int]]:
        """Per-host counts, from the recap (default callback) or the JSON document."""
        if self.results or self.proc.stdout.lstrip().startswith("{"):
            return {h: dict(v) for h, v in json.loads(self.proc.stdout)["stats"].items()}
        return self.recap()


def playbook(
    inventory: Path, vault: Path, name: str, *extra: str, backups: Path, as_json: bool = True, timeout: float = 400
) -> Run:
    """ansible-playbook NAME against the lab; as_json: results from the JSON callback (else the default one)."""
    cmd = [
        str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), "--vault-password-file", str(vault),
        str(ROOT / "playbooks" / name), "-e", f"router_backup_dir={backups}", *extra,
    ]  # fmt: skip
    env = lab_env()
    if as_json:
        env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    OUTPUTS.append(proc.stdout + proc.stderr)
    results: dict[str, dict[str, Any]] = {}
    if as_json and proc.stdout.strip():
        for play in json.loads(proc.stdout)["plays"]:
            for task in play["tasks"]:
                for host, res in task["hosts"].items():
                    # the router task's result, or the failure that stopped the host before it
                    if res.get("action", "").startswith("wardkit.core.router_") or res.get("failed"):
                        results[host] = res
    return Run(proc, results)
