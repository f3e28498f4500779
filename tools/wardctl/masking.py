"""Every secret masking of the kit, with one marker: the router plugins, the run record and the reports.

Two strengths:
- `Masker` (router plugins, backups): the literal vault values it is given and the exact config forms that carry
  a secret (`CONFIG_PATTERNS`). Precise, so a router diff keeps its shape and stays legible.
- `mask_line` / `mask_text` / `scrub` (run record, reports, CI output): heuristics that cover every one of those
  forms and over-mask on purpose (`community x`, `token: x`, `"secret": "x"`, URL keys); tests hold them to
  every config form. The record is the second line of defence: a secret that slipped past a role (a new config
  line, an echoed argument) still never reaches a report, a CI log or a JUnit file; a hidden harmless value
  costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

MASK = "********"

# The config forms known to carry a secret; group 1 is kept, the rest becomes MASK.
CONFIG_PATTERNS = (
    # IOS: `username X [privilege N] secret [T] V`, `enable secret [T] V`, `password [T] V`, `key 7 V`
    re.compile(r"(\b(?:secret|password)\s+)(?:\d\s+)?\S+"),
    re.compile(r"(\bkey(?:-string)?\s+[07]\s+)\S+"),
    # IOS SNMPv3 user keys: `auth sha K`, `priv aes 128 K`
    re.compile(r"(\bauth\s+(?:md5|sha)\s+)\S+", re.I),
    re.compile(r"(\bpriv\s+(?:des|3des|aes\s+\d+)\s+)\S+", re.I),
    # RouterOS: password=, authentication-password=, encryption-password=, any *-secret= / *-key=
    re.compile(r"""(\b[\w-]*(?:password|secret|passphrase|-key)=)(?:"(?:[^"\\]|\\.)*"|\S+)"""),
)
# Shorter values are never masked as literals: masking "a" everywhere would destroy the output (and the router
# role refuses such a secret anyway).
MIN_LITERAL = 4


def _config_forms(text: str) -> str:
    for pattern in CONFIG_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


# --- heuristics for records and reports --------------------------------------------------------------------------

# `password=x`, `wpa2-pre-shared-key=x`, `"secret": "x"`, `auth-key: x` (RouterOS, YAML, JSON, URLs): a name, an
# `=` or `:`, then the value, masked when the name looks secret. Names and values are matched separately so a
# long line costs one pass (a single regex with the secret word in the middle of the name backtracks badly).
_NAME_SEP = re.compile(r"""([\w.-]+)(["']?\s*[=:]\s*)""")
# A double-quoted value may hold escaped quotes (RouterOS `password="a\"b c"`): the whole of it is the value.
_VALUE = re.compile(r"""("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;&)\]}'"]+)""")
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
# Prose after a keyword with no type digit or algorithm between (`The vault password file /x was not found`): kept,
# so an error message stays readable. None can be a router secret: those are 8 characters or more (router/validate.py).
_PROSE = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "file", "for", "from", "has", "in", "is", "not", "of", "on",
     "or", "the", "to", "was", "were", "with"}
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
# Words without which no line is masked (every pattern above needs one); plain substring tests (a
# case-insensitive regex alternation is ten times slower, and a city page checks tens of thousands of strings).
_TRIGGERS = ("password", "passwd", "pwd", "secret", "passphrase", "community", "psk", "token", "key", "md5", "auth",
             "priv")  # fmt: skip


def might_hold_secret(text: str) -> bool:
    """False when no line of `text` could be masked: callers may then skip masking it."""
    low = text.lower()
    return any(word in low for word in _TRIGGERS)


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
        if match.start() < pos or not might_hold_secret(match.group(1)):
            continue
        value = _VALUE.match(line, match.end())
        if value is None:
            continue
        out += [line[pos : match.end()], MASK]
        pos = value.end()
    return "".join(out) + line[pos:] if out else line


def _keyword_value(match: re.Match[str]) -> str:
    word, gap, value = match.groups()
    if value.lower() in _NOT_VALUES or (value.lower() in _PROSE and gap.isspace()):
        return match.group(0)
    return f"{word}{gap}{MASK}"


def mask_line(line: str) -> str:
    """One line, cleaned, with every secret-looking value replaced by MASK."""
    line = clean(line)
    if not might_hold_secret(line):  # the common case, cheaply
        return line
    if "=" in line or ":" in line:
        line = _mask_assignments(line)
    return _KEYWORD.sub(_keyword_value, line)


def mask_text(text: str) -> str:
    if not might_hold_secret(text):  # one scan of the whole text decides for most values
        return clean(text)
    return "\n".join(mask_line(line) for line in text.split("\n")) if "\n" in text else mask_line(text)


@lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))  # the same few keys repeat in every host's report


def _walk(value: Any, text: Callable[[str, bool], str], secret: bool = False) -> Any:
    """A JSON-like value with `text(string, under_a_secret_named_key)` applied to every string in it."""
    if isinstance(value, str):
        return text(value, secret)
    if isinstance(value, dict):
        return {key: _walk(item, text, secret or _secret_key(str(key))) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(item, text, secret) for item in value]
    return value  # numbers, booleans, None


def _scrub_text(value: str, secret: bool) -> str:
    if secret and value and value.lower() not in _STATUS_WORDS:
        return MASK
    return mask_text(value)


def scrub(value: Any) -> Any:
    """A JSON-like value with every string masked, and every text under a secret-named key hidden.

    Under such a key only status words survive: a hardening area named `password_policy` still reads `applied`.
    """
    return _walk(value, _scrub_text)


# --- literal values (router plugins) ----------------------------------------------------------------------------


class Masker:
    """Replaces known secret values and the secret-bearing config forms in any text, or a whole result."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self.values: list[str] = []
        self.add(*(v for v in values if isinstance(v, str)))

    def add(self, *values: str) -> None:
        # Longest first, so a secret containing another one is masked whole.
        kept = {*self.values, *(v for v in values if v and len(v) >= MIN_LITERAL)}
        self.values = sorted(kept, key=len, reverse=True)

    def literal(self, text: str) -> str:
        """Only the known values (for config text that must keep its shape: a backup is never masked)."""
        for value in self.values:
            text = text.replace(value, MASK)
        return text

    def text(self, text: str) -> str:
        return _config_forms(self.literal(text))

    def deep(self, data: Any) -> Any:
        return _walk(data, lambda value, _secret: self.text(value))
