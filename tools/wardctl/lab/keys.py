"""SSH keys of the lab: the admin's login key and one host key per host, pinned in the lab's known_hosts.

Host keys are made here, before a host starts, so known_hosts is written from the keys themselves rather than
trusted on first use.
"""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

from wardctl.errors import WardctlError


def ensure_keypair(path: Path, comment: str) -> str:
    """Create an ed25519 key pair at `path` unless it exists; return the public key line."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            raise WardctlError(f"ssh-keygen {path}: {proc.stderr.strip() or 'failed'}")
    return path.with_suffix(".pub").read_text().strip()


def known_hosts_line(address: str, port: int, public_key: str) -> str:
    key_type, key = public_key.split()[:2]
    host = address if port == 22 else f"[{address}]:{port}"
    return f"{host} {key_type} {key}"


def ensure_secret(path: Path, nbytes: int = 24) -> str:
    """A random secret kept in a 0600 file, made once and reused so `lab up` stays idempotent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(nbytes) + "\n")
    return path.read_text().strip()
