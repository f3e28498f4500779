"""The Cisco IOS XE simulator: device state (router.py), its CLI session, parser, editor and show commands."""

from wardsim.ios.router import IosRouter as Router

__all__ = ["Router"]
