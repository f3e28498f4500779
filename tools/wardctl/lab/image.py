"""The lab's host image: Debian 12 with systemd and sshd, built once from the Debian archive and cached."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.lab import podman
from wardctl.lab.config import LabConfig

PACKAGES = (
    "systemd", "systemd-sysv", "dbus", "openssh-server", "python3", "python3-apt", "sudo", "iproute2",
    "iputils-ping", "nftables", "iperf3", "chrony", "rsyslog", "ca-certificates", "procps", "less", "dnsmasq",
)  # fmt: skip
SUITES = ("bookworm", "bookworm-updates")
MIRROR = "http://deb.debian.org/debian"
SECURITY = "deb http://deb.debian.org/debian-security bookworm-security main"
HOOK = Path(__file__).with_name("files") / "customize.sh"


def recipe_id() -> str:
    """A fingerprint of everything that shapes the image; a new recipe means a new build."""
    h = hashlib.sha256()
    h.update(" ".join(PACKAGES + SUITES + (MIRROR, SECURITY)).encode())
    h.update(HOOK.read_bytes())
    return h.hexdigest()[:16]


def current(cfg: LabConfig) -> bool:
    if not podman.exists("image", cfg.image):
        return False
    label = podman.podman("image", "inspect", "--format", '{{ index .Labels "wardlab.recipe" }}', cfg.image)
    return label.strip() == recipe_id()


def build(cfg: LabConfig, *, force: bool = False, log: bool = True) -> bool:
    """Build the image unless an image of the same recipe exists. Returns True when it built."""
    if not force and current(cfg):
        return False
    if shutil.which("mmdebstrap") is None:
        raise WardctlError("mmdebstrap is not installed (run `make deps`, or apt-get install mmdebstrap)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wardlab-image-") as tmp:
        tarball = Path(tmp) / "rootfs.tar"
        sources = [f"deb {MIRROR} {' '.join(SUITES)} main", SECURITY]
        cmd = [
            "mmdebstrap", "--variant=minbase", "--mode=root", "--format=tar",
            f"--include={','.join(PACKAGES)}",
            # Keep the package lists: lab hosts then install from the archive without a first update.
            "--skip=cleanup/apt/lists",
            f"--customize-hook=sh {HOOK} \"$1\"",
            SUITES[0], str(tarball), *sources,
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            raise WardctlError(f"image build (mmdebstrap) failed: {tail}")
        podman.podman(
            "import",
            "--change", 'CMD ["/sbin/init"]',
            "--change", "STOPSIGNAL SIGRTMIN+3",
            "--change", f"LABEL wardlab.recipe={recipe_id()}",
            str(tarball), cfg.image,
            timeout=600,
        )  # fmt: skip
    if log:
        print(f"lab image {cfg.image} built in {time.monotonic() - started:.0f} s (recipe {recipe_id()})")
    return True
