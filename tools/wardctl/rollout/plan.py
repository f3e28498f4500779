"""Which wards, in which waves: Ansible's `serial` semantics applied to wards instead of hosts."""

from __future__ import annotations

import math

from wardctl.errors import WardctlError


def parse_waves(spec: str, total: int) -> list[int]:
    """'1,5,100%' -> batch sizes; percentages are of all selected wards; the last size repeats (as `serial`)."""
    sizes: list[int] = []
    for part in (p.strip() for p in spec.split(",")):
        try:
            size = math.ceil(total * float(part[:-1]) / 100) if part.endswith("%") else int(part)
        except ValueError:
            raise WardctlError(f"--waves: {part!r} is not a number or a percentage") from None
        if size < 1:
            raise WardctlError(f"--waves: {part!r} gives an empty wave")
        sizes.append(size)
    return sizes


def plan(wards: list[str], *, canary: str | None, wave_size: int | None, waves: str | None) -> list[list[str]]:
    """Cut the wards into waves. The canary, when given, is a wave of its own and goes first."""
    if canary is not None and canary not in wards:
        raise WardctlError(f"--canary: ward {canary!r} is not among the selected wards")
    if wave_size is not None and waves is not None:
        raise WardctlError("--wave-size and --waves: give one or the other")
    rest = [w for w in wards if w != canary]
    sizes = parse_waves(waves, len(wards)) if waves else [wave_size or len(rest) or 1]
    if wave_size is not None and wave_size < 1:
        raise WardctlError(f"--wave-size: must be at least 1, got {wave_size}")
    out: list[list[str]] = [[canary]] if canary else []
    index = 0
    while rest:
        size = sizes[min(index, len(sizes) - 1)]
        out.append(rest[:size])
        rest = rest[size:]
        index += 1
    return out
