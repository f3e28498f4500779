"""The portal's password files as one group for wardkit.core.files (one module run instead of one per ward)."""

from __future__ import annotations

from typing import Any


def report_site_password_files(
    wards: dict[str, str], auth_dir: str, city_user: str, city_password: str, group: str
) -> list[dict[str, Any]]:
    """The city staff's file, then one per ward in id order readable by the ward's technician and the city
    staff; each rendered by htpasswd.j2 from its own users. Passwords stay values: nothing here is templated."""
    readers = [("city", {city_user: city_password})]
    readers += [(ward, {ward: password, city_user: city_password}) for ward, password in sorted(wards.items())]
    return [
        {"dest": f"{auth_dir}/{name}.htpasswd", "template": "htpasswd.j2", "owner": "root", "group": group,
         "mode": "0640", "vars": {"report_site__users": users}}
        for name, users in readers
    ]  # fmt: skip


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"report_site_password_files": report_site_password_files}
