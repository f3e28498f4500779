"""Lenient readers of what roles publish: a missing key or an unexpected type gives None or {}, never raises
(the facts' shapes evolve; an old record must still render)."""

from __future__ import annotations

from typing import Any


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def as_text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def as_bool(value: Any) -> bool | None:
    """A boolean as a role publishes it (set_fact may hand over "True"); None when absent or unreadable."""
    if isinstance(value, bool):
        return value
    word = (as_text(value) or "").lower()
    return True if word in ("true", "yes", "1", "on") else False if word in ("false", "no", "0", "off") else None
