"""The lab's city-hall mirror content: the LAB BUILD `zavi-meeting` .debs the conference_client role installs.

Built from lab/packages/zavi-lab/ with `dpkg-deb --build --root-owner-group`, every mtime fixed to
SOURCE_DATE_EPOCH and every mode set here, so a version's file and sha256 are the same on every machine and
every run. `wardctl lab up` puts them in the services container's /srv/mirror/zavi/ (served at
`{{ city_mirror_url }}zavi/<file>`) and their checksums in the lab inventory.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.paths import repo_root

PACKAGE = "zavi-meeting"
SOURCE_DATE_EPOCH = 1704067200  # 2024-01-01 00:00:00 UTC: any fixed instant makes the build reproducible
_VERSION = re.compile(r"^[0-9][A-Za-z0-9.+~-]*$")  # a Debian upstream version, nothing a shell could misread
_EXECUTABLES = {"usr/bin/zavi-meeting"}
_NOT_PACKAGED = {"README.md"}


def source_dir() -> Path:
    return repo_root() / "lab" / "packages" / "zavi-lab"


def deb_name(version: str) -> str:
    return f"{PACKAGE}_{version}_all.deb"


def build_packages(out_dir: Path, versions: Sequence[str] = ("1.4.2", "1.5.0")) -> dict[str, dict[str, str]]:
    """Build one LAB BUILD .deb per version into `out_dir`; returns {version: {"file": name, "sha256": hex}}."""
    if shutil.which("dpkg-deb") is None:
        raise WardctlError("dpkg-deb is not installed (it comes with dpkg on Debian)")
    src = source_dir()
    if not (src / "DEBIAN" / "control").is_file():
        raise WardctlError(f"lab package source missing: {src}/DEBIAN/control")
    out_dir.mkdir(parents=True, exist_ok=True)
    built: dict[str, dict[str, str]] = {}
    for version in versions:
        if not _VERSION.match(version):
            raise WardctlError(f"lab package version {version!r}: not a Debian version")
        target = out_dir / deb_name(version)
        with tempfile.TemporaryDirectory(prefix="wardlab-zavi-") as tmp:
            root = Path(tmp) / "root"
            _stage(src, root, version)
            _dpkg_deb(root, target)
        built[version] = {"file": target.name, "sha256": hashlib.sha256(target.read_bytes()).hexdigest()}
    return built


def _stage(src: Path, root: Path, version: str) -> None:
    """Copy the source tree with @VERSION@ filled in, fixed modes and fixed mtimes."""
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src).as_posix()
        if rel in _NOT_PACKAGED:
            continue
        dest = root / rel
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(path.read_bytes().replace(b"@VERSION@", version.encode()))
        dest.chmod(0o755 if rel in _EXECUTABLES else 0o644)
    root.chmod(0o755)
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
        os.utime(path, (SOURCE_DATE_EPOCH, SOURCE_DATE_EPOCH), follow_symlinks=False)


def _dpkg_deb(root: Path, target: Path) -> None:
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(SOURCE_DATE_EPOCH), LC_ALL="C.UTF-8")
    proc = subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(target)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        raise WardctlError(f"dpkg-deb {target.name}: {tail}")
