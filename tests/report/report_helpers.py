"""Synthetic run records for the report tests: written through the Store API, on a fake clock, no lab needed.

The scenario uses the city's own inventory (inventory/vungtau: 18 wards, Vietnamese names), with the deadline the
city set in 2021 (end of June), and June 2021:

- run 1 (apply, from 2021-06-10): canary phuong_1, then two waves; long_son's router is unreachable, phuong_3's
  room fails a task, thang_tam's line is unfit, phuong_2's room has no camera, the last wave stays pending;
- run 2 (apply, 2021-06-18): the wards left pending in run 1, all done; rach_dua's room has the meeting client
  removed, nguyen_an_ninh's record is an older one without the client's and the hardening's facts;
- run 3 (dry run, 2021-06-25): phuong_4 has changes pending; it must not change the city's picture.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

import wardctl.record.store as store_module
from wardctl.inventory.model import City
from wardctl.inventory.reader import read_inventory
from wardctl.record.store import Failure, HostCounts, RunSettings, Store, WaveOutcome

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ROOT / "inventory" / "vungtau"
DEADLINE = "2021-06-30"  # the 2021 order: completion within June (the kit has no deadline of its own)
# Planted where a careless role could leak them: a router diff, a failure message, a report field.
SECRETS = ("PlantedS3cret-7Qx", "PlantedCommunity-9Zk", "PlantedPsk-4Wm", "PlantedToken-2Rt")
START = datetime(2021, 6, 10, 1, 30, tzinfo=UTC)  # 08:30 in Vũng Tàu


class Clock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> str:
        return self.at.strftime("%Y-%m-%dT%H:%M:%SZ")

    def tick(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@contextmanager
def frozen(clock: Clock) -> Iterator[Clock]:
    """The store stamps rows with its module-level now(); the scenario needs June 2021."""
    real = store_module.now
    store_module.now = clock
    try:
        yield clock
    finally:
        store_module.now = real


def router_report(changed: bool = True, model: str = "ISR4321", os_version: str = "17.3.4a") -> dict[str, Any]:
    diff = (
        "--- running\n+++ intended\n@@ -1,3 +1,6 @@\n"
        "+ntp server 203.0.113.10\n+logging host 203.0.113.10\n"
        f"+username wardadmin privilege 15 secret 0 {SECRETS[0]}\n"
        f"+snmp-server community {SECRETS[1]} RO\n"
        "-ip http server\n"
        "+ip access-list standard MGMT\n+ permit 203.0.113.0 0.0.0.127\n"
        "+line vty 0 4\n+ transport input ssh\n+ access-class MGMT in\n+banner motd ^C Ward office ^C\n"
        if changed
        else ""
    )
    return {
        "changed": changed,
        "lines_pushed": 11 if changed else 0,
        "diff": diff,
        "backup_path": "backups/phuong_x-router/2021-06-10T01:31:00Z.cfg",
        "model": model,
        "os_version": os_version,
    }


def role_filter(role: str) -> ModuleType:
    """A role's filter plugin, loaded from its file as Ansible does (roles are not a package)."""
    path = ROOT / "roles" / role / "filter_plugins" / f"{role}.py"
    spec = importlib.util.spec_from_file_location(f"_report_test_{role}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def line_settings() -> dict[str, object]:
    """The role's defaults, named as roles/line_check/tasks/verdict.yml hands them to its filter."""
    d = yaml.safe_load((ROOT / "roles" / "line_check" / "defaults" / "main.yml").read_text(encoding="utf-8"))
    names = ("rtt_degraded_ms", "rtt_unfit_ms", "jitter_degraded_ms", "jitter_unfit_ms", "loss_degraded_percent",
             "loss_unfit_percent", "participants", "mbps_per_participant", "dns_degraded_ms", "ntp_degraded_ms",
             "ntp_unfit_ms")  # fmt: skip
    settings: dict[str, object] = {n: float(d[f"line_check_{n}"]) for n in names}
    settings["headroom_percent"] = float(d["line_check_throughput_headroom_percent"])
    return settings | {"latency": True, "throughput": True, "dns": True, "ntp": True, "province": False,
                       "target": "203.0.113.10", "dns_name": "zavi.me", "waive_unfit": False}  # fmt: skip


# A good line as the probe measures it; a scenario's bad lines change a few figures (LINE_FIGURES).
GOOD_LINE = {"rtt_min_ms": 8.1, "rtt_avg_ms": 12.4, "rtt_max_ms": 25.0, "jitter_ms": 2.1, "loss_percent": 0.0,
             "ping_sent": 200, "down_mbps": 38.5, "up_mbps": 12.2, "dns_ms": 14.0, "ntp_offset_ms": -1.5}  # fmt: skip


def line_report(ward: str, host: str, **figures: float) -> dict[str, Any]:
    """A line_check_report made by roles/line_check's own filter, the one judge of a line. An unfit line is
    waived here (line_check_waive_unfit): the ward is done, the ISP still gets a call."""
    identity = {"ward": ward, "host": host, "target": "203.0.113.10", "contract": {"down_mbps": 10, "up_mbps": 5}}
    settings = line_settings() | {"waive_unfit": True}
    return role_filter("line_check").line_check_report(GOOD_LINE | figures, settings, [], identity)


def room_report(missing: tuple[str, ...] = ()) -> dict[str, Any]:
    """A room_readiness_report shaped as roles/room_readiness publishes it."""
    items = ("camera", "microphone", "speaker", "display")
    buy = {"camera": "Conference camera (USB UVC, 1080p, wide angle)"}
    return {d: ("missing" if d in missing else "present") for d in items} | {
        "devices": {d: [] if d in missing else [f"/dev/{d}0"] for d in items},
        "missing": list(missing),
        "procurement": [buy.get(d, d) for d in missing],
    }


CLIENT_SHA256 = "sha256:" + "3f" * 32


def client_report(state: str = "installed", role: str = "meeting_room", check: bool = False) -> dict[str, Any]:
    """A conference_client_report shaped as roles/conference_client/tasks/report.yml publishes it."""
    return {"package": "zavi-meeting", "version": "" if state == "would_install" else "3.2.1",
            "pinned_version": "3.2.1", "state": state,
            "source": "http://203.0.113.10/mirror/zavi/zavi-meeting_3.2.1_amd64.deb", "checksum": CLIENT_SHA256,
            "checksum_verified": state != "removed", "autostart": state != "removed" and role == "meeting_room",
            "check_mode": check}  # fmt: skip


def hardening_areas(platform: str = "Debian") -> list[str]:
    """The role's control areas (its vars/<platform>.yml), in the order it runs them."""
    data = yaml.safe_load((ROOT / "roles" / "endpoint_hardening" / "vars" / f"{platform}.yml").read_text("utf-8"))
    return list(data["endpoint_hardening__areas"])


def hardening_report(changed: tuple[str, ...] = ("ssh", "firewall", "audit", "sysctl"), off: tuple[str, ...] = (),
                     failed: dict[str, str] | None = None, check: bool = False, platform: str = "Debian",
                     run_tags: tuple[str, ...] = ("all",)) -> dict[str, Any]:  # fmt: skip
    """An endpoint_hardening_report made by roles/endpoint_hardening's own filter (tasks/report.yml), with a
    secret-named key planted beside it."""
    areas = hardening_areas(platform)
    outcomes = role_filter("endpoint_hardening").endpoint_hardening_outcomes(
        areas, [a not in off for a in areas], changed, failed or {}, check, run_tags, ()
    )
    return {"check_mode": check, "areas": outcomes, "token": SECRETS[3]}


def scenario_hardening(platform: str, check: bool) -> dict[str, Any]:
    """The scenario's hardening: a few areas changed, the rest already so, USB storage left on by the city."""
    if platform == "windows":
        return hardening_report(("win_firewall", "win_smb"), check=check, platform="Windows")
    return hardening_report(off=("usb_storage",), check=check)


# What a degraded or unfit line measured (on top of line_report's good figures).
LINE_FIGURES: dict[str, dict[str, float]] = {
    "good": {},
    "degraded": {"jitter_ms": 42.0},
    "unfit": {"loss_percent": 3.0, "down_mbps": 0.9},
}


@dataclass
class WardPlan:
    status: str = "done"  # done | failed | unreachable
    line: str = "good"
    missing: tuple[str, ...] = ()
    changed: bool = True
    failed_host: str | None = None  # a room that fails a task
    unreachable_host: str | None = None
    client_state: str = "installed"
    endpoint_facts: bool = True  # False: an older record, without the client's and hardening's facts


@dataclass
class Scenario:
    state: Path
    city: City
    runs: list[str] = field(default_factory=list)
    plans: dict[str, WardPlan] = field(default_factory=dict)
    inventory: Path = PRODUCTION  # the inventory the runs recorded


def city_inventory(dest: Path, deadline: str) -> Path:
    """A copy of the production inventory whose city set its rollout deadline (group_vars/all/city.yml)."""
    shutil.copytree(PRODUCTION, dest)
    city_yml = dest / "group_vars" / "all" / "city.yml"
    city_yml.write_text(city_yml.read_text(encoding="utf-8") + f"city_rollout_deadline: {deadline}\n", "utf-8")
    return dest


def outcome_for(city: City, ward_id: str, plan: WardPlan,
                check: bool = False) -> tuple[WaveOutcome, tuple[str, str | None, str | None]]:  # fmt: skip
    ward = city.ward(ward_id)
    out = WaveOutcome()
    message: str | None = None
    for host in ward.hosts:
        counts = HostCounts(ok=12, changed=3 if plan.changed else 0)
        if host == plan.unreachable_host:
            counts = HostCounts(unreachable=1)
            out.failures.append(Failure(host, "Gathering Facts", f"Failed to connect to {host} port 22: timed out"))
            message = f"{host}: timed out"
            out.hosts[host] = counts
            continue
        if host == plan.failed_host:
            counts.failed = 1
            # A module that echoes its arguments: the masking must catch the key=value.
            out.failures.append(Failure(host, "conference_client : Install the meeting client",
                                        f"No package matching 'zavi-meeting' (auth_token={SECRETS[3]})"))  # fmt: skip
            message = f"apply: {host}: conference_client : Install the meeting client"
        out.hosts[host] = counts
        if ward.router and host == ward.router.name:
            out.reports[(host, "router")] = router_report(plan.changed)
        else:
            endpoint = next(e for e in ward.endpoints if e.name == host)
            if plan.endpoint_facts and host != plan.failed_host:  # a failed install stops the host: no facts
                state = "would_install" if check else plan.client_state
                if endpoint.role != "city_services":  # nobody meets on city hall's server (endpoints.yml)
                    out.reports[(host, "conference_client")] = client_report(state, endpoint.role, check)
                out.reports[(host, "endpoint_hardening")] = scenario_hardening(endpoint.platform, check)
            if endpoint.role == "meeting_room":
                out.reports[(host, "room_readiness")] = room_report(plan.missing)
                figures = LINE_FIGURES[plan.line]
                out.reports[(host, "line_check")] = line_report(ward_id, host, **figures) | {"psk": SECRETS[2]}
    return out, (plan.status, "passed" if plan.status == "done" else None, message)


def record_run(store: Store, clock: Clock, city: City, run_id: str, waves: list[list[str]],
               plans: dict[str, WardPlan], *, check: bool = False, stop_after: int | None = None,
               inventory: Path = PRODUCTION) -> None:  # fmt: skip
    """One rollout through the Store API: each wave marked running, then recorded, a few minutes apart."""
    names = {w.id: w.display_name for w in city.wards}
    host_ward = {h: w.id for w in city.wards for h in w.hosts}
    settings = RunSettings(str(inventory), "site.yml", check, None, waves,
                           waves[0][0] if len(waves[0]) == 1 else None, 1, "verify.yml")  # fmt: skip
    store.create_run(run_id, settings, names)
    for index, wave in enumerate(waves):
        if stop_after is not None and index > stop_after:
            break
        clock.tick(minutes=2)
        store.mark_running(run_id, wave)
        merged = WaveOutcome()
        verdicts = {}
        for ward in wave:
            clock.tick(minutes=3)
            outcome, verdict = outcome_for(city, ward, plans.get(ward, WardPlan()), check)
            merged.hosts.update(outcome.hosts)
            merged.failures += outcome.failures
            merged.reports.update(outcome.reports)
            verdicts[ward] = verdict
        store.record_wave(run_id, host_ward, merged, verdicts)
    clock.tick(minutes=1)
    store.finish_run(run_id, "failed" if stop_after is not None else "done")


def vungtau_scenario(state: Path) -> Scenario:
    """Three runs over the city's 18 wards (see the module docstring)."""
    city = read_inventory(PRODUCTION)
    ids = [w.id for w in city.wards]
    plans = {
        "phuong_2": WardPlan(line="degraded", missing=("camera",)),
        "phuong_3": WardPlan(status="failed", failed_host="phuong_3-room"),
        "thang_tam": WardPlan(line="unfit"),
        "long_son": WardPlan(status="unreachable", unreachable_host="long_son-router"),
        "rach_dua": WardPlan(client_state="removed"),
        "nguyen_an_ninh": WardPlan(endpoint_facts=False),
    }
    first = ["phuong_1"]
    second = ["city_hall", "phuong_2", "phuong_3", "phuong_4", "phuong_5", "thang_tam", "long_son"]
    rest = [w for w in ids if w not in first + second]
    scenario = Scenario(state, city, plans=plans, inventory=city_inventory(state / "inventory", DEADLINE))
    store = Store(state / "runs.db")
    clock = Clock(START)
    at = {"inventory": scenario.inventory}
    with frozen(clock):
        record_run(store, clock, city, "20210610T013000Z-aaaa", [first, second, rest], plans, stop_after=1, **at)
        clock.at = datetime(2021, 6, 18, 2, 0, tzinfo=UTC)
        record_run(store, clock, city, "20210618T020000Z-bbbb", [rest[:5], rest[5:]], plans, **at)
        clock.at = datetime(2021, 6, 25, 3, 0, tzinfo=UTC)
        record_run(store, clock, city, "20210625T030000Z-cccc", [["phuong_4"]], {}, check=True, **at)
    store.close()
    scenario.runs = ["20210610T013000Z-aaaa", "20210618T020000Z-bbbb", "20210625T030000Z-cccc"]
    return scenario
