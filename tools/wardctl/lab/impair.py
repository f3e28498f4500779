"""Bad lines for the lab's imperfect wards, applied on the host side of each endpoint's veth.

Rate: tc tbf on the veth (download) and on an IFB fed from the veth's ingress (upload).
Loss: nftables' `numgen random` (the nftables form of iptables' statistic match) in a bridge-family table of
the lab's own, so it hits ward <-> city-hall traffic crossing the lab bridge. The kernel has no netem, so
delay and jitter are not emulated. Nothing here runs inside the endpoint, so its own firewall cannot undo it.
"""

from __future__ import annotations

import subprocess

from wardctl.errors import WardctlError
from wardctl.lab import podman
from wardctl.lab.config import LabConfig
from wardctl.lab.topology import Impairment


def _run(*cmd: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, input=stdin, check=False)
    if check and proc.returncode != 0:
        raise WardctlError(f"{' '.join(cmd[:4])}: {proc.stderr.strip() or 'failed'}")
    return proc


def host_veth(container: str) -> str:
    """The host-side peer of the container's eth0."""
    index = podman.podman("exec", container, "cat", "/sys/class/net/eth0/iflink").strip()
    for line in _run("ip", "-o", "link", "show").stdout.splitlines():
        num, name = line.split(":", 2)[:2]
        if num.strip() == index:
            return name.strip().split("@")[0]
    raise WardctlError(f"{container}: no host-side interface with index {index}")


def _ifb(cfg: LabConfig, veth: str) -> str:
    return f"{cfg.tag}ifb{veth.removeprefix('veth')}"[:15]


def apply(cfg: LabConfig, container: str, imp: Impairment) -> str:
    veth = host_veth(container)
    # Start from a bare link: a filter left pointing at a deleted IFB would drop everything the endpoint sends.
    for parent in ("root", "ingress"):
        _run("tc", "qdisc", "del", "dev", veth, parent, check=False)
    if imp.rate_kbit:
        rate = f"{imp.rate_kbit}kbit"
        ifb = _ifb(cfg, veth)
        _run("tc", "qdisc", "add", "dev", veth, "root", "tbf", "rate", rate, "burst", "16kb", "latency", "200ms")
        if _run("ip", "link", "show", ifb, check=False).returncode != 0:
            _run("ip", "link", "add", ifb, "type", "ifb")
        _run("ip", "link", "set", ifb, "up")
        _run("tc", "qdisc", "replace", "dev", ifb, "root", "tbf", "rate", rate, "burst", "16kb", "latency", "200ms")
        _run("tc", "qdisc", "add", "dev", veth, "handle", "ffff:", "ingress")
        _run("tc", "filter", "add", "dev", veth, "parent", "ffff:", "protocol", "all", "prio", "1", "u32",
             "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", ifb)  # fmt: skip
    if imp.loss_percent:
        per_mille = round(imp.loss_percent * 10)
        table = cfg.name
        rules = "\n".join(
            f'add rule bridge {table} forward {side} "{veth}" numgen random mod 1000 < {per_mille} counter drop'
            for side in ("iifname", "oifname")
        )
        _run("nft", "-f", "-", stdin=(
            f"add table bridge {table}\n"
            f"add chain bridge {table} forward {{ type filter hook forward priority 0; policy accept; }}\n"
            f"{rules}\n"
        ))  # fmt: skip
    return veth


def clear(cfg: LabConfig) -> None:
    """Remove every impairment of this lab instance: its nft table and its IFB devices."""
    _run("nft", "delete", "table", "bridge", cfg.name, check=False)
    for line in _run("ip", "-o", "link", "show", "type", "ifb").stdout.splitlines():
        name = line.split(":", 2)[1].strip().split("@")[0]
        if name.startswith(f"{cfg.tag}ifb"):
            _run("ip", "link", "del", name, check=False)
