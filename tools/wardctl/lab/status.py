"""`wardctl lab status [--json]`: every lab host and router, and how to reach it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wardctl.lab import containers, egress, podman, routers
from wardctl.lab.aptproxy import PORT
from wardctl.lab.config import LabConfig
from wardctl.paths import repo_root


def status(cfg: LabConfig) -> dict[str, Any]:
    state_file = cfg.state_dir / "state.json"
    record = json.loads(state_file.read_text()) if state_file.exists() else {"hosts": [], "routers": []}
    hosts: list[dict[str, Any]] = []
    for h in record["hosts"]:
        state, pid = containers.state(h["container"])
        hosts.append({**h, "kind": "container", "state": state, "pid": pid or None})
    for r in record["routers"]:
        pid = routers.pid_of(Path(r["state_dir"]))
        hosts.append(
            {"host": r["host"], "ward": r["ward"], "role": "router", "kind": "simulator",
             "address": r["address"], "ssh": f"{r['address']}:{r['port']}", "dialect": r["dialect"],
             "state": "running" if pid else "stopped", "pid": pid, "state_dir": r["state_dir"]}
        )  # fmt: skip
    return {
        "instance": cfg.name,
        "network": cfg.network,
        "subnet": str(cfg.subnet),
        "image": cfg.image,
        "inventory": record.get("inventory"),
        "known_hosts": str(cfg.known_hosts),
        "podman": {
            "CONTAINERS_CONF": podman.env()["CONTAINERS_CONF"],
            "hint": f"CONTAINERS_CONF={repo_root() / 'lab' / 'containers.conf'} podman ps --filter "
            f"label=wardlab.instance={cfg.name}",
        },
        "impairments": record.get("impairments", []),
        "apt_proxy": {
            "address": f"{cfg.gateway}:{PORT}",
            "pid": egress.proxy_pid(cfg),
            "cache": str(egress.cache_dir()),
        },
        "hosts": hosts,
    }


def render(data: dict[str, Any]) -> str:
    if not data["hosts"]:
        return f"lab {data['instance']}: not running (wardctl lab up)"
    lines = [f"lab {data['instance']}  network {data['network']} {data['subnet']}  inventory {data['inventory']}"]
    lines.append(f"{'HOST':<26} {'WARD':<16} {'ROLE':<14} {'ADDRESS':<20} {'STATE':<9} PID")
    for h in data["hosts"]:
        addr = h.get("ssh", h["address"])
        lines.append(f"{h['host']:<26} {h['ward']:<16} {h['role']:<14} {addr:<20} {h['state']:<9} {h['pid'] or '-'}")
    for imp in data["impairments"]:
        what = ", ".join(
            x for x in (f"{imp['rate_kbit']} kbit/s" if imp["rate_kbit"] else "",
                        f"{imp['loss_percent']}% loss" if imp["loss_percent"] else "") if x
        )  # fmt: skip
        lines.append(f"impaired line: {imp['ward']} ({imp['host']}): {what}")
    proxy = data["apt_proxy"]
    lines.append(
        f"apt proxy (the lab's only way out, to the Debian archive): {proxy['address']} pid {proxy['pid'] or '-'}"
    )
    lines.append(f"podman: {data['podman']['hint']}")
    return "\n".join(lines)


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
