"""Fixed RouterOS outputs: login banner, /system resource, /system routerboard, /interface, /file, /log."""

from __future__ import annotations

import time
from pathlib import Path

from wardsim.routeros.parse import fmt_time

BANNER = """

  MMM      MMM       KKK                          TTTTTTTTTTT      KKK
  MMMM    MMMM       KKK                          TTTTTTTTTTT      KKK
  MMM MMMM MMM  III  KKK  KKK  RRRRRR     OOOOOO      TTT     III  KKK  KKK
  MMM  MM  MMM  III  KKKKK     RRR  RRR  OOO  OOO     TTT     III  KKKKK
  MMM      MMM  III  KKK KKK   RRRRRR    OOO  OOO     TTT     III  KKK KKK
  MMM      MMM  III  KKK  KKK  RRR  RRR   OOOOOO      TTT     III  KKK  KKK

  MikroTik RouterOS {version} (c) 1999-2023       https://www.mikrotik.com/

Press F1 for help

"""


def aligned(rows: dict[str, str]) -> str:
    width = max(len(k) for k in rows)
    return "".join(f"  {k:>{width}}: {v}\n" for k, v in rows.items())


def resource(version: str, model: str, booted_at: float) -> str:
    return aligned(
        {
            "uptime": fmt_time(time.time() - booted_at),
            "version": f"{version} (stable)",
            "build-time": "2023-11-17 09:44:25",
            "factory-software": "7.1",
            "free-memory": "897.4MiB",
            "total-memory": "1024.0MiB",
            "cpu": "ARM64",
            "cpu-count": "4",
            "cpu-frequency": "1400MHz",
            "cpu-load": "1%",
            "free-hdd-space": "920.3MiB",
            "total-hdd-space": "1024.0MiB",
            "architecture-name": "arm64",
            "board-name": model,
            "platform": "MikroTik",
        }
    )


def routerboard(version: str, model: str, serial: str) -> str:
    return aligned(
        {
            "routerboard": "yes",
            "board-name": model,
            "model": model,
            "revision": "r3",
            "serial-number": serial,
            "firmware-type": "7040",
            "factory-firmware": "7.1",
            "current-firmware": version,
            "upgrade-firmware": version,
        }
    )


def interfaces(rows: list[tuple[str, bool, str]]) -> str:
    """rows: (name, disabled, mtu)."""
    out = [
        "Flags: X - DISABLED, R - RUNNING",
        "Columns: NAME, TYPE, ACTUAL-MTU, MAC-ADDRESS",
        "#   NAME    TYPE   ACTUAL-MTU  MAC-ADDRESS",
    ]
    for n, (name, disabled, mtu) in enumerate(rows):
        flag = "X" if disabled else "R"
        out.append(f"{n:<2}{flag} {name:<7} ether  {mtu:>10}  48:A9:8A:00:00:{n + 1:02X}")
    return "\n".join(out) + "\n"


def files(paths: list[Path]) -> str:
    out = [
        "Columns: NAME, TYPE, SIZE, CREATION-TIME",
        " #  NAME                          TYPE      SIZE  CREATION-TIME",
    ]
    for n, p in enumerate(paths):
        st = p.stat()
        kind = "script" if p.suffix == ".rsc" else "backup" if p.suffix == ".backup" else "file"
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(st.st_mtime))
        out.append(f"{n:>2}  {p.name:<29} {kind:<8} {st.st_size:>6}  {when}")
    return "\n".join(out) + "\n"


def log_lines(entries: list[tuple[float, str, str]]) -> str:
    return "".join(f" {time.strftime('%H:%M:%S', time.gmtime(t))} {topic} {msg}\n" for t, topic, msg in entries)
