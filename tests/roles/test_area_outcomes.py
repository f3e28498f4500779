"""endpoint_hardening's published outcome per control area (the ward report's hardening column), without a lab."""

from __future__ import annotations

import re

import pytest
import yaml
from support import ROOT, load_module

hardening = load_module(
    "endpoint_hardening_filters", ROOT / "roles/endpoint_hardening/filter_plugins/endpoint_hardening.py"
)
outcomes = hardening.endpoint_hardening_outcomes
AREAS = ["ssh", "firewall", "usb_storage", "banner", "logging"]


def test_each_area_gets_one_outcome_failed_first_then_off_then_changed():
    switches = [True, "true", False, True, "yes"]
    got = outcomes(AREAS, switches, ["firewall", "usb_storage"], {"banner": "bad path"}, False)
    assert got == {
        "ssh": {"state": "compliant"},
        "firewall": {"state": "applied"},
        "usb_storage": {"state": "off"},  # its switch wins over a change a handler noted
        "banner": {"state": "failed", "reason": "bad path"},
        "logging": {"state": "compliant"},
    }


def test_check_mode_says_what_would_apply():
    got = outcomes(AREAS, [True] * 5, ["ssh"], {}, True)
    assert got["ssh"] == {"state": "would_apply"} and got["firewall"] == {"state": "compliant"}


@pytest.mark.parametrize(
    ("run", "skip", "ran"),
    [
        (["all"], [], set(AREAS)),
        (["endpoint_hardening_ssh"], [], {"ssh"}),
        (["endpoint_hardening"], ["endpoint_hardening_logging"], set(AREAS) - {"logging"}),
        (["conference_client"], [], set()),
    ],
)
def test_areas_left_out_by_tags_are_not_run_rather_than_compliant(run, skip, ran):
    got = outcomes(AREAS, [True] * 5, [], {}, False, run, skip)
    assert {a for a, o in got.items() if o["state"] != "not_run"} == ran


def test_a_switch_list_that_does_not_match_the_areas_is_refused():
    with pytest.raises(Exception, match="5 areas, 4 switches"):
        outcomes(AREAS, [True] * 4, [], {}, False)


def test_the_role_lists_every_area_it_routes():
    """vars/<OS>.yml's area list (what the report covers) is exactly the areas tasks/<os>.yml includes."""
    for os_family, tasks in (("Debian", "linux"), ("Windows", "windows")):
        listed = yaml.safe_load((ROOT / f"roles/endpoint_hardening/vars/{os_family}.yml").read_text())
        routed = re.findall(r"endpoint_hardening__area: (\w+)", (ROOT / f"roles/endpoint_hardening/tasks/{tasks}.yml")
                            .read_text())  # fmt: skip
        assert listed["endpoint_hardening__areas"] == routed, os_family
        defaults = yaml.safe_load((ROOT / "roles/endpoint_hardening/defaults/main.yml").read_text())
        assert all(f"endpoint_hardening_{a}_enabled" in defaults for a in routed)
