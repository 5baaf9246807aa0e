"""Places as written, checked against the administrative units that existed before July 2025.

The units come from ``vietnamadminunits`` (its legacy table: 63 provinces, their districts and
10,040 communes/wards). A place such as ``Phường Thạc Gián, Quận Thanh Khê, Đà Nẵng`` is
*known* when every comma-separated part is a real unit inside the part to its right; the
written form is never replaced. Places that are not units (``Tại nhà``, a hospital) are
simply not known, which is no error.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from normalize.text import clean_text, tone_key


@dataclass
class Unit:
    """A unit's children by the tone keys of their full and short names."""

    children: dict[str, Unit] = field(default_factory=dict)


def _keys(full: str | None, short: str | None) -> set[str]:
    return {tone_key(name) for name in (full, short) if name}


# Provinces renamed before the table's date, still written under their old names.
PROVINCE_ALIASES = {"Thành phố Huế": ("Tỉnh Thừa Thiên Huế", "Thừa Thiên Huế", "Thừa Thiên - Huế")}


@cache
def gazetteer() -> Unit:
    """Provinces → districts → communes/wards, each reachable by full or short name."""
    path = resources.files("vietnamadminunits").joinpath("data/dataset.db")
    root = Unit()
    with resources.as_file(path) as db, sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT province, provinceShort, district, districtShort, ward, wardShort FROM admin_units_legacy"
        ).fetchall()
    for province, province_short, district, district_short, ward, ward_short in rows:
        province_unit = _child(root, _keys(province, province_short))
        district_unit = _child(province_unit, _keys(district, district_short))
        ward_unit = _child(district_unit, _keys(ward, ward_short))
        for key in _keys(ward, ward_short):  # a commune written without its district
            province_unit.children.setdefault(key, ward_unit)
    for province, aliases in PROVINCE_ALIASES.items():
        if tone_key(province) in root.children:
            for alias in aliases:
                root.children.setdefault(tone_key(alias), root.children[tone_key(province)])
    return root


def _child(parent: Unit, keys: set[str]) -> Unit:
    existing = next((parent.children[key] for key in keys if key in parent.children), None)
    unit = existing or Unit()
    for key in keys:
        parent.children.setdefault(key, unit)
    return unit


def is_known_place(text: str | None) -> bool:
    """True when every part of the place is a real unit inside the next part."""
    parts = [part.strip() for part in clean_text(text).split(",") if part.strip()]
    if not parts:
        return False
    unit = gazetteer()
    for part in reversed(parts):
        found = unit.children.get(tone_key(part))
        if found is None:
            return False
        unit = found
    return True
