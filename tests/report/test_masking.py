"""One masking module, one marker: the router plugins' precise masking and the record's heuristics agree."""

from __future__ import annotations

import pytest

from wardctl import masking
from wardctl.masking import MASK, Masker, mask_line, scrub
from wardctl.router import secrets

# One line per config form the router side masks (masking.CONFIG_PATTERNS), and the secret in it.
CONFIG_FORMS = [
    ("username wardops privilege 15 secret 9 $9$salt$hash", "$9$salt$hash"),
    ("enable secret Plain-enable-1", "Plain-enable-1"),
    (" password 7 0822455D0A16", "0822455D0A16"),
    (" key-string 7 0822455D0A17", "0822455D0A17"),
    ("snmp-server user mon G v3 auth sha AuthKey-1 priv aes 128 PrivKey-1", "AuthKey-1"),
    ("snmp-server user mon G v3 auth sha AuthKey-1 priv aes 128 PrivKey-1", "PrivKey-1"),
    ("/user add name=a password=RosPass-1 group=full", "RosPass-1"),
    ('/user set [ find name=a ] password="a\\"b c-2"', 'b c-2"'),
    ("/interface wireless security-profiles set x wpa-pre-shared-key=Psk-3", "Psk-3"),
]


def test_one_marker_for_router_and_reports() -> None:
    assert secrets.MASK == MASK and secrets.Masker is Masker
    masked = Masker(["Vault-value-1"]).text("description Vault-value-1\nenable secret 9 $9$x")
    assert masked == f"description {MASK}\nenable secret {MASK}"


@pytest.mark.parametrize(("line", "secret"), CONFIG_FORMS)
def test_both_strengths_hide_every_config_form(line: str, secret: str) -> None:
    assert any(p.search(line) for p in masking.CONFIG_PATTERNS)  # the list really covers the form
    router = Masker().text(line)
    assert secret not in router and MASK in router
    report = mask_line(line)
    assert secret not in report and MASK in report
    # What the router side already masked is left alone on the way into the record: no second marker.
    assert mask_line(router) == router


def test_masker_literals_everywhere_in_a_result() -> None:
    m = Masker(["Long-secret-value", "Long-secret", "abc"])
    out = m.deep({"msg": "login Long-secret-value failed", "lines": ("x Long-secret y", "abc"), "n": 3})
    assert out == {"msg": f"login {MASK} failed", "lines": [f"x {MASK} y", "abc"], "n": 3}
    assert m.literal("secret 0 keepme") == "secret 0 keepme"  # a backup keeps its shape: literals only


def test_scrub_hides_values_under_secret_keys_but_keeps_status_words() -> None:
    out = scrub({"vault_router_password": "x9", "areas": {"password_policy": "applied"}, "api_token": ["t1"]})
    assert out == {"vault_router_password": MASK, "areas": {"password_policy": "applied"}, "api_token": [MASK]}
