"""The city dashboard in a real browser: Debian's headless Chromium renders it, screenshots it, dumps its DOM.

Skipped only on a developer machine without chromium; in CI (`CI` set) a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium not installed (apt-get install -y chromium); required when CI is set",
)
# No network, no profile, no background services: the page must render from the file alone.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1600")  # fmt: skip


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None, "CI is set but chromium is not installed: apt-get install -y chromium"
    env = dict(os.environ, HOME=str(tmp))  # chromium writes caches under HOME
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, env=env)


def png_pixels(data: bytes, max_rows: int) -> tuple[int, int, list[bytes]]:
    """(width, height, the first max_rows rows as RGB(A) bytes) of an 8-bit truecolour PNG, in pure Python."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = 0
    channels = 3
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(min(height, max_rows)):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):  # PNG filters: None, Sub, Up, Average, Paeth
            left = line[i - channels] if i >= channels else 0
            up = prev[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                corner = prev[i - channels] if i >= channels else 0
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def test_city_dashboard_in_chromium(state, cli, tmp_path) -> None:
    page = tmp_path / "city.html"
    assert cli("report", "--city", "--format", "html", "-o", str(page)).code == 0

    shot = tmp_path / "city.png"
    # One browser run both screenshots the page and prints its DOM (after layout, as a reader gets it).
    proc = chromium(tmp_path, f"--screenshot={shot}", "--dump-dom", page.as_uri())
    assert shot.is_file(), proc.stderr[-2000:]
    data = shot.read_bytes()
    assert len(data) > 30_000, "a screenshot this small is a blank page"
    # The top of the page holds the header and the status tiles (green, red, orange, grey borders).
    width, height, rows = png_pixels(data, max_rows=360)
    assert (width, height) == (1280, 1600)
    step = len(rows[0]) // width
    colours = {row[x : x + 3] for row in rows for x in range(0, len(row), step * 2)}
    assert len(colours) >= 12, f"only {len(colours)} colours: the page did not render"
    assert any(g > r + 60 and g > b + 20 for r, g, b in colours), "no green (done) anywhere"
    assert any(r > g + 80 and r > b + 80 for r, g, b in colours), "no red (failed) anywhere"

    dom = proc.stdout
    assert "Tiến độ triển khai họp trực tuyến — Thành phố Vũng Tàu" in dom, proc.stderr[-2000:]
    for name in (
        "Phường Thắng Nhất",
        "Phường Nguyễn An Ninh",
        "Phường Rạch Dừa",
        "Xã Long Sơn",
        "UBND Thành phố Vũng Tàu",
    ):
        assert name in dom
    for status, count in (("done", 16), ("failed", 1), ("unreachable", 1), ("pending", 0)):
        assert f'data-status="{status}">{count}<' in dom
    assert dom.count('<tr id="ward-') == 18
    assert '<svg class="chart"' in dom and 'class="ready"' in dom and "Hạn hoàn thành 30/06/2021" in dom
