"""Secrets on routers: IOS password hashes computed and verified on the controller, and masking of output.

IOS shows `username X secret 9 $9$...` and `enable secret 9 ...` in its running config. The kit compares the
vault's plain value against that hash (scrypt, as IOS XE does), so an unchanged password is no change and a
rotated one is pushed, as a type-9 hash: the plain value never crosses the wire to an IOS device.

Everything a plugin returns goes through `Masker.mask`: the literal vault values and every secret-bearing
line form (`secret`, `password`, SNMP keys, RouterOS `password=`) are replaced by `<masked>`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from typing import Any

MASK = "<masked>"

_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_CISCO = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_TO_CISCO = str.maketrans(_STD, _CISCO)
# The publicly known key of IOS type 7 obfuscation (it is not encryption).
_XLAT = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"


def _cisco_b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=").translate(_TO_CISCO)


def ios_type9(password: str, salt: str | None = None) -> str:
    """`$9$<salt>$<hash>`: scrypt (N=16384, r=1, p=1), Cisco's base64 alphabet, 14-character salt."""
    salt = salt or "".join(secrets.choice(_CISCO) for _ in range(14))
    raw = hashlib.scrypt(password.encode(), salt=salt.encode(), n=16384, r=1, p=1, dklen=32)
    return f"$9${salt}${_cisco_b64(raw)}"


def ios_type8(password: str, salt: str) -> str:
    raw = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 20000, 32)
    return f"$8${salt}${_cisco_b64(raw)}"


def ios_type7_decode(encoded: str) -> str | None:
    try:
        seed = int(encoded[:2])
        data = bytes.fromhex(encoded[2:])
    except ValueError:
        return None
    return "".join(chr(b ^ ord(_XLAT[(seed + i) % len(_XLAT)])) for i, b in enumerate(data))


@functools.lru_cache(maxsize=64)  # scrypt costs ~50 ms; a push compares the same hash again when verifying
def ios_verify(kind: str, stored: str, password: str) -> bool | None:
    """Does `password` match `secret|password <kind> <stored>`? None: this kind cannot be verified here
    (type 5, MD5-crypt): the caller treats it as different, and the push upgrades it to type 9."""
    parts = stored.split("$")
    if kind == "9" and len(parts) == 4:
        return hmac.compare_digest(ios_type9(password, parts[2]), stored)
    if kind == "8" and len(parts) == 4:
        return hmac.compare_digest(ios_type8(password, parts[2]), stored)
    if kind == "7":
        return ios_type7_decode(stored) == password
    if kind == "0":
        return hmac.compare_digest(stored, password)
    return None


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
