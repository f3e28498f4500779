"""Cisco IOS / IOS XE: the driver (driver.py), its config tree diff (diff.py) and its password hashes."""

from __future__ import annotations

# Other names a spreadsheet may use for this dialect (the inventory importer reads them).
ALIASES = ("cisco", "ios", "ios-xe")


def load() -> type:
    from wardctl.router.drivers.cisco_ios.driver import IosDriver

    return IosDriver
