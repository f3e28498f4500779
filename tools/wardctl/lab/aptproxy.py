"""The lab's only way out: an HTTP proxy on the lab bridge that forwards apt's requests to the Debian archive.

Lab hosts have no other route to the outside (egress.py drops their forwarded traffic), so "the Debian archive
and nothing else" holds by construction. Package files (`/pool/...`) are immutable by name, so they are cached
on the controller and shared by every lab host, lab instance and test run.

Run as `python -m wardctl.lab.aptproxy --listen ADDR --port N --cache DIR --allow 10.117.0.0/24`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import ipaddress
import logging
import os
import signal
from pathlib import Path
from urllib.parse import urlsplit

ALLOWED_HOSTS = frozenset({"deb.debian.org", "security.debian.org"})
PORT = 3142  # apt-cacher-ng's customary port
log = logging.getLogger("wardctl.aptproxy")


class Proxy:
    def __init__(self, cache: Path, allow: list[ipaddress.IPv4Network]) -> None:
        self.cache = cache
        self.allow = allow

    def cache_path(self, host: str, path: str) -> Path | None:
        if "/pool/" not in path or not path.endswith((".deb", ".udeb")):
            return None  # indexes change; only immutable package files are cached
        return self.cache / hashlib.sha256(f"{host}{path}".encode()).hexdigest()[:32]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = ipaddress.ip_address(writer.get_extra_info("peername")[0])
        try:
            if not any(peer in net for net in self.allow):
                await self.reply(writer, 403, "not a lab host")
                return
            while await self.one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 120)
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, url, _ = request_line.split(" ", 2)
        parts = urlsplit(url)
        if method not in ("GET", "HEAD") or parts.scheme != "http" or parts.hostname not in ALLOWED_HOSTS:
            log.warning("refused %s %s", method, url)
            await self.reply(writer, 403, "only GET/HEAD to the Debian archive")
            return False
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        cached = self.cache_path(parts.hostname, parts.path)
        if method == "GET" and cached is not None and cached.exists():
            body = cached.read_bytes()
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
            return True
        keep = [h for h in header_lines if h and h.split(":", 1)[0].lower() not in ("proxy-connection", "connection")]
        upstream_r, upstream_w = await asyncio.wait_for(asyncio.open_connection(parts.hostname, 80), 30)
        try:
            head_out = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}\r\n" for k in keep) + "Connection: close\r\n\r\n"
            upstream_w.write(head_out.encode("latin-1"))
            await upstream_w.drain()
            data = await asyncio.wait_for(upstream_r.read(), 600)
        finally:
            upstream_w.close()
        status_ok = data.startswith(b"HTTP/1.1 200") or data.startswith(b"HTTP/1.0 200")
        head_end = data.find(b"\r\n\r\n")
        if cached is not None and method == "GET" and status_ok and head_end > 0:
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data[head_end + 4 :])
            tmp.replace(cached)
        writer.write(self.close_delimited(data))
        await writer.drain()
        return False

    @staticmethod
    def close_delimited(data: bytes) -> bytes:
        """Tell apt the connection closes after this response (we asked upstream for that)."""
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return data
        lines = [ln for ln in data[:end].split(b"\r\n") if not ln.lower().startswith(b"connection:")]
        return b"\r\n".join([*lines, b"Connection: close"]) + data[end:]

    @staticmethod
    async def reply(writer: asyncio.StreamWriter, code: int, text: str) -> None:
        body = f"{text}\n".encode()
        writer.write(f"HTTP/1.1 {code} {text}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode())
        writer.write(body)
        await writer.drain()


async def serve(listen: str, port: int, proxy: Proxy, ready: Path | None) -> None:
    server = await asyncio.start_server(proxy.handle, listen, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        ready.write_text(f"{os.getpid()}\n")
    log.info("apt proxy on %s:%d", listen, port)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m wardctl.lab.aptproxy")
    parser.add_argument("--listen", required=True)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--allow", action="append", required=True, help="client network (CIDR)")
    parser.add_argument("--ready", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args.cache.mkdir(parents=True, exist_ok=True)
    proxy = Proxy(args.cache, [ipaddress.IPv4Network(a) for a in args.allow])
    asyncio.run(serve(args.listen, args.port, proxy, args.ready))


if __name__ == "__main__":
    main()
