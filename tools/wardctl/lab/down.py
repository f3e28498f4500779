"""`wardctl lab down`: remove everything `lab up` started; only the cached image stays."""

from __future__ import annotations

import shutil

from wardctl.lab import containers, egress, impair, routers
from wardctl.lab.config import LabConfig
from wardctl.paths import fact_cache_dir


def down(cfg: LabConfig, log: bool = True) -> None:
    stopped = 0
    router_root = cfg.state_dir / "routers"
    if router_root.is_dir():
        stopped = sum(routers.stop(d) for d in router_root.iterdir() if d.is_dir())
    impair.clear(cfg)
    egress.stop_proxy(cfg)
    egress.unlock(cfg)
    removed = containers.remove_all(cfg)
    # Generated inventory, the facts gathered through it, and the lab's keys and secrets belong to this lab only.
    shutil.rmtree(fact_cache_dir(cfg.inventory_dir), ignore_errors=True)
    if cfg.inventory_dir.is_dir() and cfg.inventory_dir.resolve() != cfg.state_dir.resolve():
        shutil.rmtree(cfg.inventory_dir)
    shutil.rmtree(cfg.state_dir, ignore_errors=True)
    if log:
        print(f"lab {cfg.name}: removed {len(removed)} containers and {stopped} router simulators")
