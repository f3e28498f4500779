"""One lab instance: its names, addresses and folders, all derived from the instance name.

The default instance ("wardlab") is the one `make demo` uses and writes inventory/lab/; the test suite runs
its own instance ("wardlabtest") beside it so tests never tear down a lab an operator is using.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.paths import repo_root

DEFAULT_NAME = "wardlab"
# Each instance gets its own /24 on the lab bridge and its own 127.x.y.0/24 for router simulators.
_SUBNETS = {
    "wardlab": ("10.117.0.0/24", "127.20.0.0/24"),
    "wardlabtest": ("10.118.0.0/24", "127.21.0.0/24"),
    "wardlabmini": ("10.119.0.0/24", "127.22.0.0/24"),
    "wardlabdev1": ("10.120.0.0/24", "127.23.0.0/24"),
    "wardlabdev2": ("10.121.0.0/24", "127.24.0.0/24"),
    "wardlabbench": ("10.122.0.0/24", "127.25.0.0/24"),
}
ROUTER_PORT = 2222  # not 22: a laptop's own sshd may hold 0.0.0.0:22
ADMIN_USER = "wardadmin"


@dataclass(frozen=True)
class LabConfig:
    name: str
    root: Path

    @classmethod
    def from_env(cls, name: str | None = None) -> LabConfig:
        name = name or os.environ.get("WARDCTL_LAB_NAME", DEFAULT_NAME)
        if name not in _SUBNETS:
            raise WardctlError(f"lab instance {name!r}: unknown; choose one of {', '.join(_SUBNETS)}")
        return cls(name, repo_root())

    @property
    def subnet(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(_SUBNETS[self.name][0])

    @property
    def router_net(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(_SUBNETS[self.name][1])

    @property
    def tag(self) -> str:
        """A short per-instance prefix for host-side device names (Linux allows 15 characters)."""
        return f"wl{list(_SUBNETS).index(self.name)}"

    @property
    def revert_unit_seconds(self) -> int:
        """How long a router simulator's "minute" lasts: real in the demo lab, 5 s in test and dev labs so a
        revert-timer test waits seconds, not minutes."""
        return 60 if self.name == DEFAULT_NAME else 5

    @property
    def gateway(self) -> str:
        """The controller's address on the lab bridge (podman gives the bridge the first host)."""
        return str(self.subnet.network_address + 1)

    @property
    def state_dir(self) -> Path:
        env = os.environ.get("WARDCTL_LAB_DIR")
        if env and self.name == os.environ.get("WARDCTL_LAB_NAME", DEFAULT_NAME):
            return Path(env).resolve()
        return self.root / (".lab" if self.name == DEFAULT_NAME else f".lab-{self.name}")

    @property
    def inventory_dir(self) -> Path:
        if self.name == DEFAULT_NAME:
            return self.root / "inventory" / "lab"
        return self.state_dir / "inventory"

    @property
    def network(self) -> str:
        return self.name

    @property
    def image(self) -> str:
        return "localhost/wardlab-debian:bookworm"

    @property
    def known_hosts(self) -> Path:
        return self.state_dir / "known_hosts"

    @property
    def admin_key(self) -> Path:
        return self.state_dir / "ssh" / "id_ed25519"

    @property
    def vault_password_file(self) -> Path:
        return self.state_dir / "vault-password"

    def container(self, host: str) -> str:
        return f"{self.name}-{host}"

    def router_dir(self, host: str) -> Path:
        return self.state_dir / "routers" / host
