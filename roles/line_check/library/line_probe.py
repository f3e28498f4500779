#!/usr/bin/python
"""Measure a ward's line from its meeting-room endpoint: ping, iperf3, DNS and NTP, returning figures only.

The parsers are plain functions (tests feed them recorded outputs); the verdict is made on the controller by the
role's filter plugin (filter_plugins/line_check.py), never here.
"""

from __future__ import annotations

DOCUMENTATION = r"""
module: line_probe
short_description: Measure RTT, jitter, loss, throughput, DNS time or NTP offset from an endpoint
description:
  - Runs one probe on the endpoint and returns its figures; it changes nothing (C(changed) is always false).
  - C(ping) runs iputils ping and computes RTT min/avg/max, jitter (RFC 3550 style, the mean absolute difference
    of consecutive RTTs) and loss from the per-packet replies.
  - C(iperf) runs the iperf3 client (JSON output) against city hall's server, download (C(-R)) then upload;
    a server answering "busy" is retried on the next port of O(ports) until O(wait) seconds have passed.
  - C(dns) times the system resolver's lookups of O(name), as the meeting app would see them.
  - C(ntp) sends an SNTP (RFC 4330) query to each of O(servers), up to three times each, until one answers, and
    returns the clock offset.
options:
  probe:
    description: Which measurement to run.
    type: str
    required: true
    choices: [ping, iperf, dns, ntp]
  target:
    description: Host to ping (ping).
    type: str
  count:
    description: Echo requests to send (ping).
    type: int
    default: 200
  interval:
    description: Seconds between echo requests (ping); below 0.2 s needs root, as the role runs it.
    type: float
    default: 0.02
  timeout:
    description: Seconds to wait for a reply (ping), an NTP answer (ntp) or the iperf3 control connection (iperf).
    type: float
    default: 2.0
  prefix:
    description: Prefix for the returned figure names (ping), e.g. C(province_).
    type: str
    default: ""
  server:
    description: iperf3 server (iperf).
    type: str
  ports:
    description: iperf3 server ports to try (iperf).
    type: list
    elements: int
    default: [5201]
  seconds:
    description: Duration of each iperf3 test, per direction (iperf).
    type: int
    default: 5
  directions:
    description: Directions to measure (iperf); C(down) is city hall to the ward.
    type: list
    elements: str
    choices: [down, up]
    default: [down, up]
  max_mbps:
    description: Cap on each iperf3 test's rate in Mbit/s (iperf); 0 for none. A figure at the cap means "at least".
    type: float
    default: 0
  wait:
    description: Seconds to keep retrying busy iperf3 servers, per direction (iperf).
    type: float
    default: 600
  name:
    description: Name to resolve (dns).
    type: str
  attempts:
    description: Lookups to time (dns); the median is reported.
    type: int
    default: 3
  servers:
    description: NTP servers to ask in order (ntp).
    type: list
    elements: str
    default: []
author: wardkit
"""

RETURN = r"""
figures:
  description: The measured figures of the probe (names in the role README); failed measurements give null figures.
  returned: always
  type: dict
errors:
  description: One message per measurement that could not be made.
  returned: always
  type: list
  elements: str
"""

import itertools
import json
import math
import re
import shutil
import socket
import statistics
import struct
import subprocess
import time
import zlib
from typing import Any

from ansible.module_utils.basic import AnsibleModule

_REPLY = re.compile(r"icmp_seq=(\d+)\b.*?\btime[=<]\s*([\d.]+)\s*ms")
_SUMMARY = re.compile(r"(\d+) packets transmitted, (\d+) (?:packets )?received")


# --- ping ------------------------------------------------------------------------------------------------------
def parse_ping(text: str) -> dict[str, Any]:
    """Per-packet RTTs (by sequence number, duplicates dropped) and the figures computed from them."""
    rtts: dict[int, float] = {}
    for line in text.splitlines():
        if "DUP!" in line:
            continue
        match = _REPLY.search(line)
        if match:
            rtts.setdefault(int(match.group(1)), float(match.group(2)))
    summary = _SUMMARY.search(text)
    sent = int(summary.group(1)) if summary else (max(rtts) if rtts else 0)
    samples = [rtts[seq] for seq in sorted(rtts)]
    received = len(samples)
    return {
        "sent": sent,
        "received": received,
        "loss_percent": round(100.0 * (sent - received) / sent, 2) if sent else None,
        "rtt_min_ms": round(min(samples), 3) if samples else None,
        "rtt_avg_ms": round(statistics.fmean(samples), 3) if samples else None,
        "rtt_max_ms": round(max(samples), 3) if samples else None,
        "jitter_ms": jitter(samples),
        "samples": samples,
    }


def jitter(rtts: list[float]) -> float | None:
    """RFC 3550-style interarrival jitter over RTTs: the mean of |RTT(i) - RTT(i-1)| over consecutive replies.

    RFC 3550 §6.4.1 smooths |D| with a 1/16 gain for a running estimate; over a finished series the plain mean of
    |D| is the same quantity without the start-up bias. None with fewer than two replies.
    """
    if len(rtts) < 2:
        return None
    return round(statistics.fmean(abs(b - a) for a, b in itertools.pairwise(rtts)), 3)


def ping_command(target: str, count: int, interval: float, timeout: float) -> list[str]:
    # -n: no reverse lookups (they would add to the timing); -W: how long to wait for the last replies.
    return ["ping", "-n", "-c", str(count), "-i", f"{interval:g}", "-W", f"{timeout:g}", target]


def run_ping(target: str, count: int, interval: float, timeout: float, prefix: str = "") -> tuple[dict, list]:
    cmd = ping_command(target, count, interval, timeout)
    limit = count * max(interval, 0.002) * 3 + timeout + 30
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        return _ping_figures(None, prefix), [f"ping {target}: no result within {limit:.0f} s"]
    parsed = parse_ping(proc.stdout)
    errors = []
    if parsed["sent"] == 0:  # name not resolved, no route, not permitted...
        errors.append(f"ping {target}: {(proc.stderr.strip() or proc.stdout.strip() or 'failed').splitlines()[-1]}")
        return _ping_figures(None, prefix), errors
    return _ping_figures(parsed, prefix), errors


def _ping_figures(parsed: dict[str, Any] | None, prefix: str) -> dict[str, Any]:
    keys = ("rtt_min_ms", "rtt_avg_ms", "rtt_max_ms", "jitter_ms", "loss_percent")
    out: dict[str, Any] = {f"{prefix}{k}": (parsed or {}).get(k) for k in keys}
    out[f"{prefix}ping_sent"] = (parsed or {}).get("sent", 0)
    out[f"{prefix}ping_received"] = (parsed or {}).get("received", 0)
    return out


# --- iperf3 ----------------------------------------------------------------------------------------------------
def parse_iperf(text: str) -> dict[str, Any]:
    """Throughput of one iperf3 -J run, as received at the far end: {mbps, error, busy, retransmits}."""
    try:
        data = json.loads(text)
    except ValueError:
        lines = text.strip().splitlines()
        return {"mbps": None, "error": lines[-1] if lines else "no output", "busy": False, "retransmits": None}
    error = data.get("error")
    if error:
        return {"mbps": None, "error": str(error), "busy": "busy" in str(error), "retransmits": None}
    end = data.get("end") or {}
    received = end.get("sum_received") or end.get("sum") or {}
    bps = received.get("bits_per_second")
    if bps is None:
        return {"mbps": None, "error": "no throughput in iperf3 output", "busy": False, "retransmits": None}
    return {
        "mbps": round(float(bps) / 1e6, 3),
        "error": None,
        "busy": False,
        "retransmits": (end.get("sum_sent") or {}).get("retransmits"),
    }


def iperf_command(
    server: str, port: int, seconds: int, direction: str, timeout: float, max_mbps: float = 0
) -> list[str]:
    cmd = ["iperf3", "-c", server, "-p", str(port), "-t", str(seconds), "-J"]
    cmd += ["--connect-timeout", str(int(timeout * 1000))]
    cmd += [f"--bitrate={max_mbps:g}M"] if max_mbps > 0 else []  # TCP is paced to it; 0: as fast as the line goes
    return cmd + (["-R"] if direction == "down" else [])


def run_iperf(server: str, ports: list[int], seconds: int, direction: str, wait: float, timeout: float,
              max_mbps: float = 0) -> dict:  # fmt: skip
    """One direction, retrying busy servers across `ports` (starting at a port picked from this host's name, so
    several wards spread over the servers) until one test completes or `wait` seconds have passed."""
    start = zlib.crc32(socket.gethostname().encode()) % len(ports)
    order = ports[start:] + ports[:start]
    deadline = time.monotonic() + wait
    last = "no iperf3 server port given"
    attempt = 0
    while True:
        busy = False
        for port in order:
            try:
                cmd = iperf_command(server, port, seconds, direction, timeout, max_mbps)
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + timeout + 60, check=False)
                result = parse_iperf(proc.stdout or proc.stderr)
            except subprocess.TimeoutExpired:
                result = {"mbps": None, "error": "iperf3 did not finish", "busy": False, "retransmits": None}
            if result["error"] is None:
                return {**result, "port": port}
            last = f"port {port}: {result['error']}"
            busy = busy or result["busy"]
        attempt += 1
        if not busy or time.monotonic() >= deadline:
            return {"mbps": None, "error": last, "busy": busy, "retransmits": None, "port": None}
        # Short, staggered pauses: a server frees up every `seconds`, and the waiting wards should not ask in step.
        time.sleep(0.2 + (zlib.crc32(f"{socket.gethostname()}{attempt}".encode()) % 300) / 1000)


# --- DNS -------------------------------------------------------------------------------------------------------
def run_dns(name: str, attempts: int) -> tuple[dict[str, Any], list[str]]:
    times: list[float] = []
    addresses: set[str] = set()
    error = None
    for _ in range(max(attempts, 1)):
        started = time.perf_counter()
        try:
            infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            error = f"resolve {name}: {exc.strerror or exc}"
            continue
        times.append((time.perf_counter() - started) * 1000.0)
        addresses.update(str(info[4][0]) for info in infos)
    figures = {
        "dns_ms": round(statistics.median(times), 3) if times else None,
        "dns_addresses": sorted(addresses),
        "dns_failures": max(attempts, 1) - len(times),
    }
    return figures, ([error] if error and not times else [])


# --- NTP -------------------------------------------------------------------------------------------------------
NTP_EPOCH = 2208988800  # seconds from 1900-01-01 (NTP era 0) to 1970-01-01


def ntp_to_unix(raw: int) -> float:
    return (raw >> 32) - NTP_EPOCH + (raw & 0xFFFFFFFF) / 2**32


def unix_to_ntp(ts: float) -> int:
    frac, whole = math.modf(ts + NTP_EPOCH)
    return (int(whole) << 32) | int(frac * 2**32)


def sntp_request(t1: float) -> bytes:
    """An SNTPv4 client request (LI 0, VN 4, mode 3) carrying t1 as its transmit timestamp."""
    return struct.pack("!B39xQ", 0x23, unix_to_ntp(t1))


def parse_sntp(packet: bytes, t1: float, t4: float) -> dict[str, Any]:
    """Offset and delay (RFC 4330 §5) of a server answer sent to a request stamped t1 and received at t4."""
    if len(packet) < 48:
        raise ValueError("short NTP answer")
    first, stratum = packet[0], packet[1]
    origin, recv, xmit = struct.unpack("!QQQ", packet[24:48])
    if first & 0x7 != 4:
        raise ValueError("not a server answer")
    if stratum == 0:
        raise ValueError(f"kiss-o'-death {packet[12:16].decode('ascii', 'replace')}")
    if origin != unix_to_ntp(t1):
        raise ValueError("answer does not match the request")
    t2, t3 = ntp_to_unix(recv), ntp_to_unix(xmit)
    return {
        "ntp_offset_ms": round(((t2 - t1) + (t3 - t4)) / 2 * 1000.0, 3),
        "ntp_delay_ms": round(((t4 - t1) - (t3 - t2)) * 1000.0, 3),
        "ntp_stratum": stratum,
    }


NTP_TRIES = 3


def run_ntp(servers: list[str], timeout: float) -> tuple[dict[str, Any], list[str]]:
    problems = []
    for server in servers:
        # One UDP query is one lost packet away from "no answer" on a lossy line (with 3 % loss each way, about one
        # query in seventeen): ask again, as SNTP clients do (RFC 4330, section 10), before giving up.
        for _attempt in range(NTP_TRIES):
            try:
                family, kind, proto, _, address = socket.getaddrinfo(server, 123, proto=socket.IPPROTO_UDP)[0]
                with socket.socket(family, kind, proto) as sock:
                    sock.settimeout(timeout)
                    t1 = time.time()
                    sock.sendto(sntp_request(t1), address)
                    packet, _ = sock.recvfrom(512)
                    t4 = time.time()
                return {**parse_sntp(packet, t1, t4), "ntp_server": server}, []
            except (OSError, ValueError) as exc:
                problems.append(f"{server}: {exc}")
    empty = {"ntp_offset_ms": None, "ntp_delay_ms": None, "ntp_stratum": None, "ntp_server": None}
    return empty, [f"NTP: no answer ({'; '.join(problems) or 'no server given'})"]


# --- the module ------------------------------------------------------------------------------------------------
def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "probe": {"type": "str", "required": True, "choices": ["ping", "iperf", "dns", "ntp"]},
            "target": {"type": "str"},
            "count": {"type": "int", "default": 200},
            "interval": {"type": "float", "default": 0.02},
            "timeout": {"type": "float", "default": 2.0},
            "prefix": {"type": "str", "default": ""},
            "server": {"type": "str"},
            "ports": {"type": "list", "elements": "int", "default": [5201]},
            "seconds": {"type": "int", "default": 5},
            "directions": {"type": "list", "elements": "str", "choices": ["down", "up"], "default": ["down", "up"]},
            "wait": {"type": "float", "default": 600},
            "max_mbps": {"type": "float", "default": 0},
            "name": {"type": "str"},
            "attempts": {"type": "int", "default": 3},
            "servers": {"type": "list", "elements": "str", "default": []},
        },
        required_if=[("probe", "ping", ["target"]), ("probe", "iperf", ["server"]), ("probe", "dns", ["name"])],
        supports_check_mode=True,  # measuring changes nothing, so check mode measures too
    )
    p = module.params
    figures: dict[str, Any]
    errors: list[str] = []
    if p["probe"] == "ping":
        if shutil.which("ping") is None:
            module.fail_json(msg="ping is not installed (Debian: iputils-ping)")
        figures, errors = run_ping(p["target"], p["count"], p["interval"], p["timeout"], p["prefix"])
    elif p["probe"] == "iperf":
        if shutil.which("iperf3") is None:
            module.fail_json(msg="iperf3 is not installed")
        if not p["ports"]:
            module.fail_json(msg="ports: give at least one iperf3 server port")
        figures = {"iperf_max_mbps": p["max_mbps"] or None}
        for direction in p["directions"]:
            got = run_iperf(p["server"], p["ports"], p["seconds"], direction, p["wait"], p["timeout"], p["max_mbps"])
            figures[f"{direction}_mbps"] = got["mbps"]
            figures[f"{direction}_port"] = got["port"]
            if direction == "up":
                figures["up_retransmits"] = got["retransmits"]
            if got["error"]:
                errors.append(f"iperf3 {direction} from {p['server']}: {got['error']}")
    elif p["probe"] == "dns":
        figures, errors = run_dns(p["name"], p["attempts"])
    else:
        figures, errors = run_ntp(p["servers"], p["timeout"])
    module.exit_json(changed=False, figures=figures, errors=errors)


if __name__ == "__main__":
    main()
