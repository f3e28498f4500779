"""Load on the lab's report portal: concurrent technicians fetching their ward pages over basic auth.

    WARDCTL_LAB_NAME=wardlab .venv/bin/python benchmarks/portal_load.py [--clients 100] [--requests 20] [--cap 60]

Needs the lab up with the portal deployed (`make demo`, or playbooks/report_site.yml after a publish). Each client
is one thread with its own keep-alive HTTP connection, logging in as one of the lab's wards (round robin) and
fetching that ward's pages (vi, en) and downloads in turn. Bounded: clients x requests at most, and it stops
early at --cap seconds. Only the lab's own services host is a target: the address comes from the lab's state and
must lie in the lab's subnet. Prints requests per second and latency percentiles; asserts nothing.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import ipaddress
import json
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from wardctl.lab.config import LabConfig  # noqa: E402

PAGES = ("index.html", "index.en.html", "report.json", "report.csv", "report.md")


def _target(cfg: LabConfig) -> tuple[str, int, dict[str, str]]:
    """(address, port, ward -> password) of the lab's portal; refuses anything outside the lab."""
    state = cfg.state_dir / "state.json"
    if not state.exists():
        sys.exit(f"portal_load: lab {cfg.name} is not up ({state} missing): wardctl lab up, then the portal playbook")
    hosts = json.loads(state.read_text())["hosts"]
    address = next((h["address"] for h in hosts if h["role"] == "city_services"), None)
    if address is None or ipaddress.ip_address(address) not in cfg.subnet:
        sys.exit(f"portal_load: {address!r} is not in lab {cfg.name}'s subnet {cfg.subnet}; refusing")
    extra = cfg.inventory_dir / "group_vars" / "all" / "extra.yml"
    port = next((int(line.split(":")[1]) for line in extra.read_text().splitlines()
                 if line.startswith("report_site_port:")), 80)  # fmt: skip
    secrets = cfg.state_dir / "secrets"
    wards = sorted({h["ward"] for h in hosts})
    passwords = {w: (secrets / f"report_site_{w}").read_text().strip() for w in wards
                 if (secrets / f"report_site_{w}").exists()}  # fmt: skip
    if not passwords:
        sys.exit(f"portal_load: lab {cfg.name} has no portal passwords (run wardctl lab up again)")
    return address, port, passwords


def _client(address: str, port: int, ward: str, password: str, count: int, deadline: float,
            latencies: list[float], errors: list[str]) -> None:  # fmt: skip
    auth = "Basic " + base64.b64encode(f"{ward}:{password}".encode()).decode()
    conn = http.client.HTTPConnection(address, port, timeout=10)
    try:
        for i in range(count):
            if time.monotonic() > deadline:
                return
            path = f"/wards/{ward}/{PAGES[i % len(PAGES)]}"
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Authorization": auth})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{path}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(address, port, timeout=10)
                continue
            latencies.append(time.perf_counter() - start)  # list.append is atomic under the GIL
            if response.status != 200:
                errors.append(f"{path}: HTTP {response.status}")
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100, help="concurrent clients (default 100, at most 200)")
    parser.add_argument("--requests", type=int, default=20, help="requests per client (default 20, at most 200)")
    parser.add_argument("--cap", type=float, default=60.0, help="stop after this many seconds (default 60)")
    args = parser.parse_args()
    if not (1 <= args.clients <= 200 and 1 <= args.requests <= 200 and 0 < args.cap <= 300):
        parser.error("--clients 1..200, --requests 1..200, --cap up to 300 s")
    cfg = LabConfig.from_env()
    address, port, passwords = _target(cfg)
    wards = sorted(passwords)
    latencies: list[float] = []
    errors: list[str] = []
    started = time.monotonic()
    deadline = started + args.cap
    threads = [
        threading.Thread(target=_client, args=(address, port, wards[i % len(wards)], passwords[wards[i % len(wards)]],
                                               args.requests, deadline, latencies, errors), daemon=True)
        for i in range(args.clients)
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 15)
    elapsed = time.monotonic() - started
    if not latencies:
        print(f"portal_load: no request succeeded ({len(errors)} errors; first: {errors[:1]})")
        return 1
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(f"portal http://{address}:{port}/wards/<ward>/ (lab {cfg.name}): {args.clients} clients x "
          f"{args.requests} requests, {len(wards)} ward logins")  # fmt: skip
    print(f"  {len(latencies)} responses in {elapsed:.2f} s: {len(latencies) / elapsed:.0f} requests/s; "
          f"errors {len(errors)}")  # fmt: skip
    print(f"  latency: median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
          f"max {ordered[-1] * 1000:.1f} ms")  # fmt: skip
    if errors:
        print(f"  first error: {errors[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
