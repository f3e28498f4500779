"""Masking of everything the router plugins return: the literal vault values and every secret-bearing line form
(`secret`, `password`, SNMP keys, RouterOS `password=`) are replaced by `<masked>`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from typing import Any

MASK = "<masked>"

# --- masking -------------------------------------------------------------------------------------------

_LINE_PATTERNS = [
    # IOS: `username X [privilege N] secret [T] V`, `enable secret [T] V`, `password [T] V`, `key 7 V`
    re.compile(r"(\b(?:secret|password)\s+)(?:\d\s+)?\S+"),
    re.compile(r"(\bkey(?:-string)?\s+[07]\s+)\S+"),
    # IOS SNMPv3 user keys: `auth sha K`, `priv aes 128 K`
    re.compile(r"(\bauth\s+(?:md5|sha)\s+)\S+", re.I),
    re.compile(r"(\bpriv\s+(?:des|3des|aes\s+\d+)\s+)\S+", re.I),
    # RouterOS: password=, authentication-password=, encryption-password=, any *-secret= / *-key=
    re.compile(r"""(\b[\w-]*(?:password|secret|passphrase|-key)=)(?:"(?:[^"\\]|\\.)*"|\S+)"""),
]


class Masker:
    """Replaces secret values and secret-bearing line forms in any text, or in a whole result structure."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another one is masked whole; very short values are skipped
        # (masking "a" everywhere would destroy the output, and such a value is refused by the role anyway).
        self.values = sorted({v for v in values if isinstance(v, str) and len(v) >= 4}, key=len, reverse=True)

    def add(self, *values: str) -> None:
        self.values = sorted({*self.values, *(v for v in values if v and len(v) >= 4)}, key=len, reverse=True)

    def text(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, MASK)
        for pattern in _LINE_PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text

    def literal(self, text: str) -> str:
        """Only the known values (for config text that must keep its shape, e.g. a backup is never masked)."""
        for value in self.values:
            text = text.replace(value, MASK)
        return text

    def deep(self, data: Any) -> Any:
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return {k: self.deep(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.deep(v) for v in data]
        return data


def fingerprint(value: str, key: str, label: str) -> str:
    """A keyed fingerprint of a secret the device never shows back (an SNMPv3 key), kept on the device beside
    it, so a rotated secret is seen as a change. HMAC-SHA256 with another vault secret as the key: the device's
    config alone does not let anyone test guesses of the value."""
    mac = hmac.new(key.encode(), f"wardkit-fp|{label}|{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:20]
