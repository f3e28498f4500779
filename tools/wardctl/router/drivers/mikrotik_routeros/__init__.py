"""MikroTik RouterOS 7: the driver (driver.py), its export diff (diff.py) and its revert script (revert.py)."""

from __future__ import annotations

# Other names a spreadsheet may use for this dialect (the inventory importer reads them).
ALIASES = ("mikrotik", "routeros", "ros")


def load() -> type:
    from wardctl.router.drivers.mikrotik_routeros.driver import RosDriver

    return RosDriver
