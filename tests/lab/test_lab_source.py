"""What the lab copies comes from the city's inventory, never from the kit: which inventory, how many wards, the
canary. No lab is started here (the lab instance is only named, for its addresses)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from support import ROOT

from wardctl.errors import WardctlError
from wardctl.inventory.reader import read_inventory
from wardctl.lab import topology, up
from wardctl.lab.cli import default_source
from wardctl.lab.config import LabConfig

CITY = ROOT / "inventory" / "vungtau"
CFG = LabConfig.from_env("wardlabdev2")


def test_the_source_is_the_only_city_inventory(tmp_path: Path) -> None:
    assert default_source() == CITY
    for name in ("lab", "mycity"):  # the default lab's own inventory is never a source
        (tmp_path / "inventory" / name).mkdir(parents=True)
        (tmp_path / "inventory" / name / "hosts.yml").write_text("all: {}\n")
    assert default_source(tmp_path) == tmp_path / "inventory" / "mycity"
    (tmp_path / "inventory" / "other").mkdir()
    (tmp_path / "inventory" / "other" / "hosts.yml").write_text("all: {}\n")
    with pytest.raises(WardctlError, match=r"with --from \(inventory/ holds: mycity, other\)"):
        default_source(tmp_path)


def test_the_ward_count_is_the_citys() -> None:
    city = read_inventory(CITY)
    wards = [w for w in city.wards if w.kind != "city_hall"]
    assert len(topology.lab_city(city, CFG).wards) == len(city.wards)  # no count: every ward
    assert [w.id for w in topology.lab_city(city, CFG, len(wards)).wards] == [w.id for w in city.wards]
    with pytest.raises(WardctlError, match=rf"^--wards: must be between 1 and {len(wards)}, got {len(wards) + 1}$"):
        topology.lab_city(city, CFG, len(wards) + 1)
    smaller = replace(city, wards=city.wards[:4], mergers=[])  # city hall and three wards
    with pytest.raises(WardctlError, match=r"between 1 and 3, got 4$"):
        topology.lab_city(smaller, CFG, 4)
    with pytest.raises(WardctlError, match=r"got 0$"):
        topology.lab_city(smaller, CFG, 0)


def test_a_bad_ward_count_fails_before_anything_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    def build(*_args: object, **_kwargs: object) -> bool:
        raise AssertionError("the lab image was built for a --wards that cannot be")

    monkeypatch.setattr(up.image, "build", build)
    with pytest.raises(WardctlError, match=r"^--wards: must be between 1 and \d+, got 99$"):
        up.up(CFG, CITY, 99, log=False)


def test_the_lab_keeps_every_hardening_default() -> None:
    """Issue #13 item 5: no lab variable switches off (or changes) an endpoint role's default, AIDE included."""
    lab = set(up.lab_vars(CFG, {"1.0.0": {"sha256": "0" * 64}}))
    for role in ("endpoint_hardening", "room_readiness"):
        defaults = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())
        assert not lab & set(defaults), role
    assert not {v for v in lab if v.startswith("endpoint_hardening_")}
