"""What the IOS `show` commands print (text only; ios.py decides when)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wardsim.ios.router import IosRouter, IosSession


def uptime(seconds: float) -> str:
    mins = int(seconds // 60)
    days, rem = divmod(mins, 24 * 60)
    hours, mins = divmod(rem, 60)
    parts = [f"{days} day{'s' * (days != 1)}"] if days else []
    if hours:
        parts.append(f"{hours} hour{'s' * (hours != 1)}")
    parts.append(f"{mins} minute{'s' * (mins != 1)}")
    return ", ".join(parts)


def show_version(r: IosRouter) -> str:
    cfg = r.cfg
    up = uptime(time.time() - r.booted_at)
    ge = sum(1 for i in r.phys if "Gigabit" in i)
    image = f"isr4300-universalk9.{cfg.os_version}.SPA.bin"
    sw = "ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M)"
    return f"""Cisco IOS XE Software, Version {cfg.os_version}
Cisco IOS Software [Fuji], {sw}, Version {cfg.os_version}, RELEASE SOFTWARE (fc2)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2019 by Cisco Systems, Inc.
Compiled Thu 22-Aug-19 18:09 by mcpre


Cisco IOS-XE software, Copyright (c) 2005-2019 by cisco Systems, Inc.
All rights reserved.  Certain components of Cisco IOS-XE software are
licensed under the GNU General Public License ("GPL") Version 2.0.


ROM: IOS-XE ROMMON

{r.hostname()} uptime is {up}
Uptime for this control processor is {up}
System returned to ROM by Reload Command
System image file is "bootflash:{image}"
Last reload reason: Reload Command



This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use.

Technology Package License Information:

-----------------------------------------------------------------
Technology    Technology-package           Technology-package
              Current       Type           Next reboot
------------------------------------------------------------------
appxk9           appxk9           RightToUse       appxk9
securityk9       securityk9       RightToUse       securityk9
ipbase           ipbasek9         Permanent        ipbasek9

cisco {cfg.model} (1RU) processor with 1647778K/6147K bytes of memory.
Processor board ID {cfg.serial}
{ge} Gigabit Ethernet interfaces
32768K bytes of non-volatile configuration memory.
4194304K bytes of physical memory.
3223551K bytes of flash memory at bootflash:.

Configuration register is 0x2102
"""


def show_clock() -> str:
    t = time.time()
    ms = int((t % 1) * 1000)
    return time.strftime(f"*%H:%M:%S.{ms:03d} UTC %a %b %d %Y", time.gmtime(t)) + "\n"


def show_users(r: IosRouter, me: IosSession) -> str:
    out = ["    Line       User       Host(s)              Idle       Location"]
    for s in sorted(r.sessions, key=lambda s: s.line_no):
        mark = "*" if s is me else " "
        tty = f"{866 + s.line_no} vty {s.line_no}"
        out.append(f"{mark}{tty:<10} {s.username:<10} idle                 00:00:00 {s.peer}")
    return "\n".join(out) + "\n\n  Interface    User               Mode         Idle     Peer Address\n"


def show_ip_int_brief(r: IosRouter) -> str:
    out = ["Interface              IP-Address      OK? Method Status                Protocol"]
    for node in r.interfaces():
        name = node.line.split()[1]
        ip, method = "unassigned", "unset"
        for c in node.children:
            w = c.words()
            if w[:2] == ["ip", "address"]:
                ip, method = (w[2], "manual") if w[2] != "dhcp" else ("unassigned", "DHCP")
        shut = any(c.line == "shutdown" for c in node.children)
        status, proto = ("administratively down", "down") if shut else ("up", "up")
        out.append(f"{name:<22} {ip:<15} YES {method:<6} {status:<21} {proto}")
    return "\n".join(out) + "\n"


def show_archive(r: IosRouter) -> str:
    settings = r.archive_settings()
    if settings is None:
        return "Archive feature not enabled\n"
    _path, maximum = settings
    out = [
        f"The maximum archive configurations allowed is {maximum}.",
        f"There are currently {len(r.archives)} archive configurations saved.",
        f"The next archive file will be named {r.next_archive_name()}",
        " Archive #  Name",
    ]
    for i in range(1, maximum + 1):
        name = r.archives[i - 1] if i <= len(r.archives) else ""
        recent = " <- Most Recent" if name and i == len(r.archives) else ""
        out.append(f"   {i:<2}       {name}{recent}".rstrip())
    return "\n".join(out) + "\n"


def show_rollback_timer(r: IosRouter) -> str:
    rv = r.revert
    if rv is None:
        return "%No Rollback Confirmed Change pending\n"
    # Layout of the Cisco IOS command reference sample for `show archive config rollback timer`.
    when = time.strftime("%H:%M:%S UTC %a %b %d %Y", time.gmtime(rv.configured_at))
    return (
        f"Time configured(or reconfigured): {when}\n"
        f"Timer type: {'idle' if rv.idle else 'absolute'} timer\n"
        f"Timer value: {rv.minutes} min\n"
        f"User: {rv.started_by}\n"
    )


def show_acl(r: IosRouter, name: str | None) -> str:
    out: list[str] = []
    for acl_name, standard, entries in r.all_acls():
        if name is not None and acl_name != name:
            continue
        out.append(f"{'Standard' if standard else 'Extended'} IP access list {acl_name}")
        for seq, words in entries:
            out.append(f"    {seq} {' '.join(words)}")
    return "\n".join(out) + ("\n" if out else "")


def dir_flash(r: IosRouter) -> str:
    out = ["Directory of flash:/", ""]
    used = 0
    for i, path in enumerate(r.state.list_files(), start=11):
        st = path.stat()
        used += st.st_size
        when = time.strftime("%b %d %Y %H:%M:%S +00:00", time.gmtime(st.st_mtime))
        out.append(f"{i:>6}  -rw- {st.st_size:>16}  {when}  {path.name}")
    total = 7194652672
    out += ["", f"{total} bytes total ({total - used - 948756480} bytes free)"]
    return "\n".join(out) + "\n"
