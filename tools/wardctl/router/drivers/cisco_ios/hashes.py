"""Cisco IOS password hashes computed and verified on the controller.

IOS shows `username X secret 9 $9$...` and `enable secret 9 ...` in its running config. The kit compares the
vault's plain value against that hash (scrypt, as IOS XE does), so an unchanged password is no change and a
rotated one is pushed, as a type-9 hash: the plain value never crosses the wire to an IOS device.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

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
