"""The MikroTik RouterOS 7 simulator: device state (router.py), its script interpreter, menus and print output."""

from wardsim.routeros.router import RosRouter as Router

__all__ = ["Router"]
