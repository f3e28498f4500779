"""Where the project's files live, relative to the checkout."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The checkout: WARDCTL_ROOT, else the nearest parent of the cwd holding ansible.cfg + playbooks/."""
    env = os.environ.get("WARDCTL_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for cand in (here, *here.parents):
        if (cand / "ansible.cfg").is_file() and (cand / "playbooks").is_dir():
            return cand
    # Installed from source in editable mode: tools/wardctl/paths.py -> repo root.
    return Path(__file__).resolve().parents[2]


def lab_dir() -> Path:
    """The lab's private state: keys, known_hosts, vault password, router state."""
    return Path(os.environ.get("WARDCTL_LAB_DIR", repo_root() / ".lab")).resolve()


def fact_cache_dir(inventory: Path) -> Path:
    """One fact cache per inventory: the jsonfile cache is keyed by host name, and the lab's names are the
    city's, so a shared cache would hand one inventory's facts (addresses) to another's hosts."""
    inv = inventory.resolve()
    root = repo_root()
    key = str(inv.relative_to(root)) if inv.is_relative_to(root) else str(inv).lstrip("/")
    return root / ".cache" / "facts" / key.replace("/", "__")
