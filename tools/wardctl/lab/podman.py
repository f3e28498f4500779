"""Podman, always through the project's own containers.conf (runc, lowered ulimits), never the system's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

from wardctl.errors import WardctlError
from wardctl.paths import repo_root


def env() -> dict[str, str]:
    out = dict(os.environ)
    out["CONTAINERS_CONF"] = str(repo_root() / "lab" / "containers.conf")
    return out


def podman(*args: str, check: bool = True, stdin: bytes | None = None, timeout: float = 300) -> str:
    if shutil.which("podman") is None:
        raise WardctlError("podman is not installed (run `make deps`, or apt-get install podman runc)")
    proc = subprocess.run(["podman", *args], input=stdin, capture_output=True, env=env(), timeout=timeout, check=False)
    if check and proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        raise WardctlError(f"podman {args[0]} {args[1] if len(args) > 1 else ''}: {err[-1] if err else 'failed'}")
    return proc.stdout.decode(errors="replace")


def podman_json(*args: str) -> Any:
    out = podman(*args).strip()
    return json.loads(out) if out else []


def exists(kind: str, name: str) -> bool:
    """kind: container | network | image."""
    sub = {"container": ("container", "exists"), "network": ("network", "exists"), "image": ("image", "exists")}
    return subprocess.run(["podman", *sub[kind], name], env=env(), capture_output=True, check=False).returncode == 0
