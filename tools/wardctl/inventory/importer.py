"""`wardctl inventory import`: build an inventory from a technician's spreadsheet, one row per ward.

The spreadsheet is a CSV as Excel or LibreOffice save it: UTF-8 with or without BOM, `,` or `;`
between cells, English or Vietnamese headers. Every row is checked first and nothing is written
unless all are valid; problems name the CSV line and column, like `wardctl inventory check` does.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.inventory.layout import DEFAULT_PORTS
from wardctl.inventory.model import (
    SUPPORTED_DEVICE_TYPES,
    WARD_KINDS,
    Endpoint,
    Router,
    Ward,
)
from wardctl.inventory.reader import Problem, error, warning
from wardctl.inventory.rules import (
    address_error,
    data_text_error,
    is_group_name,
    phone_error,
    port_error,
    positive_number_error,
    shown,
    text_error,
)
from wardctl.router import drivers

COLUMNS = (
    "ward_id",
    "display_name",
    "kind",
    "router_type",
    "router_address",
    "router_port",
    "wan_interface",
    "line_down_mbps",
    "line_up_mbps",
    "endpoint_address",
    "endpoint_platform",
    "technician_name",
    "technician_phone",
)
OPTIONAL_COLUMNS = {"router_port"}

# Other spellings of the headers, after fold() (lower case, no diacritics, `_` between words).
_HEADER_ALIASES = {
    "ward_id": ("ward", "id", "ma", "ma_phuong", "ma_don_vi"),
    "display_name": ("name", "ward_name", "ten", "ten_phuong", "ten_don_vi"),
    "kind": ("type", "ward_kind", "loai", "loai_don_vi"),
    "router_type": ("device_type", "router_device_type", "loai_router", "thiet_bi"),
    "router_address": ("router_ip", "router_host", "dia_chi_router", "ip_router"),
    "router_port": ("router_ssh_port", "cong_router"),
    "wan_interface": ("router_wan_interface", "wan", "cong_wan"),
    "line_down_mbps": ("down_mbps", "download_mbps", "line_down", "toc_do_xuong", "toc_do_tai_xuong"),
    "line_up_mbps": ("up_mbps", "upload_mbps", "line_up", "toc_do_len", "toc_do_tai_len"),
    "endpoint_address": ("room_address", "room_ip", "endpoint_ip", "dia_chi_phong_hop", "ip_phong_hop"),
    "endpoint_platform": ("platform", "room_platform", "os", "he_dieu_hanh"),
    "technician_name": ("technician", "ky_thuat_vien", "can_bo_ky_thuat", "nguoi_phu_trach"),
    "technician_phone": ("phone", "dien_thoai", "so_dien_thoai", "sdt"),
}
HEADERS = {alias: column for column, aliases in _HEADER_ALIASES.items() for alias in (column, *aliases)}
_KINDS = {
    "city_hall": "city_hall",
    "ubnd": "city_hall",
    "ubnd_thanh_pho": "city_hall",
    "phuong": "phuong",
    "xa": "xa",
}
_DEVICE_TYPES = drivers.aliases()
_PLATFORMS = {"linux": "linux", "ubuntu": "linux", "debian": "linux", "windows": "windows"}


def fold(text: str) -> str:
    """'Tốc độ xuống (Mbps)' -> 'toc_do_xuong_mbps': headers and keywords compared without accents."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "_".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def _header(text: str) -> str | None:
    folded = fold(text)
    return HEADERS.get(folded) or HEADERS.get(folded.removesuffix("_mbps"))


@dataclass
class _Row:
    line: int
    cells: dict[str, str]  # stripped: what would be written
    problems: list[Problem] = field(default_factory=list)
    unsafe: dict[str, str] = field(default_factory=dict)  # column -> why its cell must not be used at all

    @classmethod
    def of(cls, line: int, columns: dict[int, str], cells: list[str]) -> _Row:
        raw = {col: (cells[i] if i < len(cells) else "") for i, col in columns.items()}
        # Judged before stripping: a newline or tab at the edge of a cell is as wrong as one inside it.
        unsafe = {col: problem for col, text in raw.items() if (problem := data_text_error(text))}
        return cls(line, {col: text.strip() for col, text in raw.items()}, unsafe=unsafe)


@dataclass
class ImportResult:
    wards: list[Ward]
    problems: list[Problem]


def read_csv(path: Path) -> ImportResult:
    """The wards of the spreadsheet, and every problem found in it (located by CSV line and column)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WardctlError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        msg = "not UTF-8 text: save it as 'CSV UTF-8' (Excel) or with UTF-8 encoding (LibreOffice)"
        return ImportResult([], [error(path.name, "file", msg, path, line)])
    rows = list(_rows(text))
    if not rows:
        return ImportResult([], [error(path.name, "file", "no header row: the file is empty", path)])
    header_line, header = rows[0]
    columns, problems = _columns(path, header_line, header)
    if any(p.is_error for p in problems):
        return ImportResult([], problems)
    parsed = [_Row.of(line, columns, cells) for line, cells in rows[1:]]
    if not parsed:
        problems.append(error(path.name, "rows", "the header is there but no ward rows follow", path, header_line))
    wards = [ward for row in parsed if (ward := _ward(path, row)) is not None]
    for row in parsed:
        problems += row.problems
    problems += _cross_checks(path, parsed, wards)
    return ImportResult(wards, problems)


def _rows(text: str) -> list[tuple[int, list[str]]]:
    sample = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = max(";,\t", key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    start = 1
    for cells in reader:
        # A quoted cell may hold line breaks: a row is named by the line it starts on.
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue  # blank rows, and comment rows
        out.append((line, cells))
    return out


def _columns(path: Path, line: int, header: list[str]) -> tuple[dict[int, str], list[Problem]]:
    columns: dict[int, str] = {}
    problems: list[Problem] = []
    for index, name in enumerate(header):
        problem = data_text_error(name)
        if problem:  # never echoed: it may span lines
            problems.append(error("header", f"column {index + 1}", problem, path, line))
            continue
        column = _header(name)
        if column is None:
            if name.strip():
                problems.append(warning("header", name.strip(), "unknown column, ignored", path, line))
            continue
        if column in columns.values():
            problems.append(error("header", column, f"column given twice ({name.strip()!r})", path, line))
        columns[index] = column
    found = ", ".join(h.strip() for h in header if h.strip())
    for column in COLUMNS:
        if column not in columns.values() and column not in OPTIONAL_COLUMNS:
            problems.append(error("header", column, f"missing column (the header has: {found})", path, line))
    return columns, problems


def _number(text: str) -> float | int | str:
    """'100' -> 100, '12.5' or '12,5' (Vietnamese decimal comma) -> 12.5, else the text unchanged."""
    candidate = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    try:
        value = float(candidate)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def _subject(row: _Row) -> str:
    """The ward a row is about, or `row N` when its id is no usable name (never echo a bad id: one line)."""
    ward_id = row.cells["ward_id"]
    return ward_id if is_group_name(ward_id) else f"row {row.line}"


def _ward(path: Path, row: _Row) -> Ward | None:
    cells = row.cells
    ward_id = cells["ward_id"]
    subject = _subject(row)
    # Every cell first: a template would run as code once in the inventory, a control character breaks the
    # one-line files it ends up in. Such a cell gets that one line and no other judgement.
    for column, problem in row.unsafe.items():
        row.problems.append(error(subject, column, problem, path, row.line))

    def bad(column: str, message: str) -> None:
        if column not in row.unsafe:
            row.problems.append(error(subject, column, message, path, row.line))

    if not is_group_name(ward_id):
        bad(
            "ward_id",
            f"must be a valid Ansible group name like phuong_3 (letters, digits, _), got {shown(ward_id)}",
        )
    for column in ("display_name", "technician_name", "wan_interface"):
        if text_error(cells[column]):
            bad(column, "missing")
    if phone_error(cells["technician_phone"]):
        bad("technician_phone", phone_error(cells["technician_phone"]) or "")
    kind = _KINDS.get(fold(cells["kind"]))
    if kind is None:
        bad("kind", f"must be one of {', '.join(WARD_KINDS)}, got {shown(cells['kind'])}")
    device_type = _DEVICE_TYPES.get(fold(cells["router_type"]))
    if device_type is None:
        supported = ", ".join(SUPPORTED_DEVICE_TYPES)
        bad("router_type", f"unknown device type {shown(cells['router_type'])}; supported: {supported}")
    platform = _PLATFORMS.get(fold(cells["endpoint_platform"]))
    if platform is None:
        bad("endpoint_platform", f"must be linux or windows, got {shown(cells['endpoint_platform'])}")
    for column in ("router_address", "endpoint_address"):
        problem = address_error(cells[column])
        if problem:
            bad(column, problem)
    port: object = _number(cells.get("router_port", "")) if cells.get("router_port") else DEFAULT_PORTS["router"]
    if port_error(port):
        bad("router_port", f"must be a port number 1-65535, got {shown(cells.get('router_port'))}")
    rates: list[float] = []
    for column in ("line_down_mbps", "line_up_mbps"):
        value = _number(cells[column]) if cells[column] else None
        if positive_number_error(value):
            bad(column, f"must be a positive number, got {shown(cells[column])}")
        else:
            rates.append(float(value))  # type: ignore[arg-type]
    if row.problems or kind is None or device_type is None or platform is None:
        return None
    router = Router(
        name=f"{ward_id}-router",
        device_type=device_type,
        address=cells["router_address"],
        port=int(port),  # type: ignore[call-overload]
        wan_interface=cells["wan_interface"],
        line_down_mbps=rates[0],
        line_up_mbps=rates[1],
    )
    room = Endpoint(
        f"{ward_id}-room", cells["endpoint_address"], platform, "meeting_room", port=DEFAULT_PORTS[platform]
    )
    return Ward(
        id=ward_id,
        display_name=cells["display_name"],
        kind=kind,
        technician_name=cells["technician_name"],
        technician_phone=cells["technician_phone"],
        router=router,
        endpoints=[room],
    )


def _cross_checks(path: Path, rows: list[_Row], wards: list[Ward]) -> list[Problem]:
    """What no single row shows: the same ward, name or address on two lines."""
    problems: list[Problem] = []
    ids: dict[str, int] = {}
    names: dict[str, int] = {}
    addresses: dict[tuple[str, int], int] = {}
    for row in rows:
        cells, line = row.cells, row.line
        subject = _subject(row)
        if row.unsafe:
            continue  # already refused; comparing its cells would only repeat that
        if cells["ward_id"] in ids:
            msg = f"ward {cells['ward_id']} is also on line {ids[cells['ward_id']]}"
            problems.append(error(subject, "ward_id", msg, path, line))
        elif cells["ward_id"]:
            ids[cells["ward_id"]] = line
        name = cells["display_name"].casefold()
        if name in names:
            problems.append(
                error(
                    subject,
                    "display_name",
                    f"same name as line {names[name]}: the same ward twice?",
                    path,
                    line,
                )
            )
        elif name:
            names[name] = line
        platform = _PLATFORMS.get(fold(cells["endpoint_platform"]), "linux")
        router_port = _number(cells.get("router_port") or "22")
        for column, port in (("router_address", router_port), ("endpoint_address", DEFAULT_PORTS[platform])):
            if not cells[column] or address_error(cells[column]) or not isinstance(port, int):
                continue
            key = (cells[column].lower(), port)
            if key in addresses:
                msg = f"{cells[column]} port {port} is also used on line {addresses[key]}"
                problems.append(error(subject, column, msg, path, line))
            else:
                addresses[key] = line
    return problems
