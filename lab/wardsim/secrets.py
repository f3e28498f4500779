"""Password hashing as the devices do it, so plain passwords never reach a config file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_CISCO = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_TO_CISCO = str.maketrans(_STD, _CISCO)
# The well-known Vigenere key of IOS type 7 "encryption".
_XLAT = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"


def _cisco_b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=").translate(_TO_CISCO)


def _salt() -> str:
    return "".join(secrets.choice(_CISCO) for _ in range(14))


def ios_type9(password: str, salt: str) -> str:
    """`$9$<salt>$<hash>`: scrypt N=16384 r=1 p=1, salt used as is, Cisco's base64 alphabet (hashcat -m 9300)."""
    raw = hashlib.scrypt(password.encode(), salt=salt.encode(), n=16384, r=1, p=1, dklen=32)
    return f"$9${salt}${_cisco_b64(raw)}"


def ios_type8(password: str, salt: str) -> str:
    """`$8$<salt>$<hash>`: PBKDF2-HMAC-SHA256, 20000 iterations, salt used as is (hashcat -m 9200)."""
    raw = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 20000, 32)
    return f"$8${salt}${_cisco_b64(raw)}"


def ios_secret9(password: str) -> str:
    """`secret 9 $9$...`: scrypt as IOS XE stores `username X secret` / `enable secret`."""
    return ios_type9(password, _salt())


def ios_verify_secret(kind: str, stored: str, password: str) -> bool:
    """Check a password against `secret <kind> <stored>`; unknown kinds (md5 type 5) never match."""
    parts = stored.split("$")
    if kind == "9" and len(parts) == 4:
        return hmac.compare_digest(ios_type9(password, parts[2]), stored)
    if kind == "8" and len(parts) == 4:
        return hmac.compare_digest(ios_type8(password, parts[2]), stored)
    if kind == "0":
        return hmac.compare_digest(stored, password)
    return False


def ios_type7(password: str) -> str:
    seed = secrets.randbelow(16)
    body = "".join(f"{ord(c) ^ ord(_XLAT[(seed + i) % len(_XLAT)]):02X}" for i, c in enumerate(password))
    return f"{seed:02d}{body}"


def ios_type7_decode(encoded: str) -> str | None:
    try:
        seed = int(encoded[:2])
        data = bytes.fromhex(encoded[2:])
    except ValueError:
        return None
    return "".join(chr(b ^ ord(_XLAT[(seed + i) % len(_XLAT)])) for i, b in enumerate(data))


def salted_sha256(password: str, salt: str | None = None) -> str:
    """RouterOS-side store (user.dat): `salt$hex`; RouterOS never shows or exports it."""
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + password).encode()).hexdigest()}"


def verify_salted_sha256(stored: str, password: str) -> bool:
    salt, _, _digest = stored.partition("$")
    return hmac.compare_digest(salted_sha256(password, salt), stored)
