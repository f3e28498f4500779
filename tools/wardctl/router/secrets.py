"""Secrets on the router side: the fingerprints of secrets a device never shows back. Masking lives in
`wardctl.masking`; `MASK` and `Masker` are re-exported here for the router plugins that import them from here.
"""

from __future__ import annotations

import hashlib
import hmac

from wardctl.masking import MASK, Masker

__all__ = ["MASK", "Masker", "fingerprint"]


def fingerprint(value: str, key: str, label: str) -> str:
    """A keyed fingerprint of a secret the device never shows back (an SNMPv3 key), kept on the device beside
    it, so a rotated secret is seen as a change. HMAC-SHA256 with another vault secret as the key: the device's
    config alone does not let anyone test guesses of the value."""
    mac = hmac.new(key.encode(), f"wardkit-fp|{label}|{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:20]
