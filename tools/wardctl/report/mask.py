"""Defensive secret masking and text cleaning for everything a report prints.

Router diffs arrive masked by the router role, and the roles use no_log; this is the second line of defence,
so a secret that slipped through a role (a new config line, an echoed module argument) still never reaches a
report, a CI log or a JUnit file. It over-masks on purpose: a hidden harmless value costs nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

MASK = "********"

# `password=x`, `wpa2-pre-shared-key=x`, `"secret": "x"`, `auth-key: x` (RouterOS, YAML, JSON, URLs): a name, an
# `=` or `:`, then the value, masked when the name looks secret. Names and values are matched separately so a
# long line costs one pass (a single regex with the secret word in the middle of the name backtracks badly).
_NAME_SEP = re.compile(r"""([\w.-]+)(["']?\s*[=:]\s*)""")
_VALUE = re.compile(r"""("[^"]*"|'[^']*'|[^\s,;&)\]}'"]+)""")
# Cisco style: `enable secret 9 $9$…`, `username x password 7 0822…`, `snmp-server community public RO`,
# `crypto isakmp key K address …`, `ntp authentication-key 1 md5 K`, `snmp-server user … auth sha K priv aes 128 K`:
# the keyword, an optional type digit, an optional algorithm, then the value.
_KEYWORD = re.compile(
    r"(?i)\b(password|passwd|secret|passphrase|community|key-string|key|auth|priv)"
    r"((?:\s+\d{1,2})?\s+(?:(?:md5|sha\d*|aes(?:\s+\d+)?|3?des)\s+)?)(\S+)"
)
# Words that follow a keyword without being a value (`key exchange`, `auth sha`); kept so diffs stay legible.
_NOT_VALUES = frozenset(
    {"exchange", "chain", "config-key", "generate", "rsa", "ec", "ro", "rw", "view", "encryption", "mode", "string",
     MASK}
)  # fmt: skip
# Dictionary keys whose value is a secret whatever it looks like.
_SECRET_KEY = re.compile(r"(?i)(password|passwd|secret|passphrase|token|community|psk|private_?key|api_?key|^key$)")
_STATUS_WORDS = frozenset(
    {"applied", "enabled", "disabled", "ok", "on", "off", "yes", "no", "true", "false", "present", "missing",
     "skipped", "failed", "changed", "unchanged", "none", "set", "unset", MASK}
)  # fmt: skip
# ANSI colour sequences and the control characters XML 1.0 forbids (JUnit and HTML must stay well-formed).
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# Words without which no line is masked; plain substring tests (a case-insensitive regex alternation is ten
# times slower, and a city page checks tens of thousands of strings).
_TRIGGERS = ("password", "passwd", "pwd", "secret", "passphrase", "community", "psk", "token", "key", "md5", "auth",
             "priv")  # fmt: skip


def _triggered(text: str) -> bool:
    low = text.lower()
    return any(word in low for word in _TRIGGERS)


def might_hold_secret(text: str) -> bool:
    """False when no line of `text` could be masked: callers may then skip masking it."""
    return _triggered(text)


def clean(text: str) -> str:
    """Drop terminal colour codes and control characters that break XML or a terminal."""
    if text.isprintable():  # the common case, without a regex (a city page cleans tens of thousands of strings)
        return text
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return _CONTROL.sub("", text)


def _mask_assignments(line: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _NAME_SEP.finditer(line):
        if match.start() < pos or not _triggered(match.group(1)):
            continue
        value = _VALUE.match(line, match.end())
        if value is None:
            continue
        out += [line[pos : match.end()], MASK]
        pos = value.end()
    return "".join(out) + line[pos:] if out else line


def _keyword_value(match: re.Match[str]) -> str:
    word, gap, value = match.groups()
    if value.lower() in _NOT_VALUES:
        return match.group(0)
    return f"{word}{gap}{MASK}"


def mask_line(line: str) -> str:
    """One line with every secret-looking value replaced by ********."""
    line = clean(line)
    if not _triggered(line):  # the common case, cheaply
        return line
    if "=" in line or ":" in line:
        line = _mask_assignments(line)
    return _KEYWORD.sub(_keyword_value, line)


def mask_text(text: str) -> str:
    if not _triggered(text):  # one scan of the whole text decides for most values
        return clean(text)
    return "\n".join(mask_line(line) for line in text.split("\n")) if "\n" in text else mask_line(text)


@lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))  # the same few keys repeat in every host's report


def scrub(value: Any, *, secret: bool = False) -> Any:
    """A JSON-like value with every string masked, and every text under a secret-named key hidden.

    Under such a key only status words survive: a hardening area named `password_policy` still reads `applied`.
    """
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, str):
        if secret and value and value.lower() not in _STATUS_WORDS:
            return MASK
        return mask_text(value)
    if isinstance(value, dict):
        return {key: scrub(item, secret=secret or _secret_key(str(key))) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item, secret=secret) for item in value]
    return value
