"""One driver per router dialect, and the one registry of dialects.

A dialect is a subpackage named as Netmiko names the device type (`cisco_ios`, `mikrotik_routeros`); it
exports `ALIASES` and `load()` (its `base.Driver` subclass, imported only when a router is driven, since the
drivers import Netmiko). The inventory validator and importer, the router plugins, the role's input checks
and the lab's simulators all read `DIALECTS`: adding a dialect is adding a package here.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wardctl.router.drivers.base import Driver

DIALECTS: tuple[str, ...] = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg))


def package(dialect: str) -> ModuleType:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown device type {dialect!r} (known: {', '.join(DIALECTS)})")
    return importlib.import_module(f"{__name__}.{dialect}")


@functools.cache
def driver(dialect: str) -> type[Driver]:
    cls: type[Driver] = package(dialect).load()
    return cls


def aliases() -> dict[str, str]:
    """Every name a spreadsheet may use for a dialect -> the dialect."""
    return {**{a: d for d in DIALECTS for a in package(d).ALIASES}, **{d: d for d in DIALECTS}}
