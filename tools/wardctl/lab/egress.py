"""Lab hosts reach nothing outside the lab: their forwarded traffic is dropped on the controller.

The one way out is the apt proxy on the lab bridge (aptproxy.py), which speaks only to the Debian archive.
Traffic between lab hosts and to the controller's bridge address is not forwarded, so it is untouched.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.lab import daemon
from wardctl.lab.aptproxy import PORT
from wardctl.lab.config import LabConfig
from wardctl.lab.containers import HostFile

PROXY = "wardctl.lab.aptproxy"


def _nft(script: str, check: bool = True) -> None:
    proc = subprocess.run(["nft", "-f", "-"], input=script, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise WardctlError(f"nft: {proc.stderr.strip() or 'failed'}")


def lock(cfg: LabConfig) -> None:
    net = cfg.subnet
    _nft(
        f"add table inet {cfg.name}\n"
        f"add chain inet {cfg.name} egress {{ type filter hook forward priority -10; policy accept; }}\n"
        f"flush chain inet {cfg.name} egress\n"
        f"add rule inet {cfg.name} egress ip saddr {net} ip daddr != {net} counter drop\n"
    )


def unlock(cfg: LabConfig) -> None:
    _nft(f"delete table inet {cfg.name}\n", check=False)


def proxy_dir(cfg: LabConfig) -> Path:
    return cfg.state_dir / "aptproxy"


def cache_dir() -> Path:
    """Shared by every lab instance and checkout: package files never change under the same name."""
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "wardkit" / "apt"


def start_proxy(cfg: LabConfig) -> None:
    folder = proxy_dir(cfg)
    daemon.start(
        folder, PROXY, "--listen", cfg.gateway, "--port", str(PORT), "--cache", str(cache_dir()),
        "--allow", str(cfg.subnet), "--ready", str(folder / "ready"),
    )  # fmt: skip
    daemon.wait_ready([folder], PROXY, "apt proxy")


def stop_proxy(cfg: LabConfig) -> bool:
    return daemon.stop(proxy_dir(cfg), PROXY)


def proxy_pid(cfg: LabConfig) -> int | None:
    return daemon.pid_of(proxy_dir(cfg), PROXY)


def apt_proxy_file(cfg: LabConfig) -> HostFile:
    text = f'// wardkit lab: the Debian archive through the lab bridge, the lab\'s only way out.\nAcquire::http::Proxy "http://{cfg.gateway}:{PORT}/";\n'
    return HostFile("/etc/apt/apt.conf.d/01wardlab-proxy", text.encode())
