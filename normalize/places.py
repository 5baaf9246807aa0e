"""Places as written, checked and resolved against Vietnam's administrative units.

Two states of the units come from ``vietnamadminunits`` (pinned): the *legacy* table (63
provinces → districts → 10,040 communes/wards, the state until 30 June 2025) and the
*2025* table (34 provinces → communes/wards, no district level), with its official
old-commune → new-commune mapping.

A place such as ``Phường Thạc Gián, Quận Thanh Khê, Đà Nẵng`` is *known* when every
comma-separated part is a real unit inside the part to its right. The written form is never
replaced; :func:`resolve_place` adds the unit in force at the event date and today's unit.
When an old commune was split between several new ones, nothing is guessed: today's unit
stays empty with the reason ``commune_split``.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from unidecode import unidecode

from normalize.text import clean_text, tone_key

REORGANISED = "2025-07-01"  # the two-level units took effect


@dataclass(eq=False)
class Unit:
    """A unit, its parent and its children by the tone keys of their full and short names."""

    name: str = ""
    parent: Unit | None = None
    children: dict[str, Unit | None] = field(default_factory=dict)  # None: two units share the name

    def path(self) -> list[str]:
        names: list[str] = []
        unit: Unit | None = self
        while unit is not None and unit.name:
            names.append(unit.name)
            unit = unit.parent
        return names


def _keys(full: str | None, short: str | None) -> set[str]:
    return {tone_key(name) for name in (full, short) if name}


# Provinces renamed before the table's date, still written under their old names.
PROVINCE_ALIASES = {"Thành phố Huế": ("Tỉnh Thừa Thiên Huế", "Thừa Thiên Huế", "Thừa Thiên - Huế")}


def _dataset() -> sqlite3.Connection:
    path = resources.files("vietnamadminunits").joinpath("data/dataset.db")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


@cache
def gazetteer() -> Unit:
    """Legacy units: provinces → districts → communes/wards, each by full or short name."""
    root = Unit()
    with _dataset() as connection:
        rows = connection.execute(
            "SELECT province, provinceShort, district, districtShort, ward, wardShort FROM admin_units_legacy"
        ).fetchall()
    for province, province_short, district, district_short, ward, ward_short in rows:
        province_unit = _child(root, province, _keys(province, province_short))
        district_unit = _child(province_unit, district, _keys(district, district_short))
        ward_unit = _child(district_unit, ward, _keys(ward, ward_short))
        for key in _keys(ward, ward_short):  # a commune written without its district
            _shortcut(province_unit, key, ward_unit)
    for province, aliases in PROVINCE_ALIASES.items():
        unit = root.children.get(tone_key(province))
        for alias in aliases:
            root.children.setdefault(tone_key(alias), unit)
    return root


@cache
def gazetteer_2025() -> Unit:
    """Units since 1 July 2025: provinces → communes/wards."""
    root = Unit()
    with _dataset() as connection:
        rows = connection.execute("SELECT province, provinceShort, ward, wardShort FROM admin_units").fetchall()
    for province, province_short, ward, ward_short in rows:
        province_unit = _child(root, province, _keys(province, province_short))
        _child(province_unit, ward, _keys(ward, ward_short))
    return root


def _child(parent: Unit, name: str, keys: set[str]) -> Unit:
    existing = next((parent.children[key] for key in keys if parent.children.get(key)), None)
    unit = existing or Unit(name, parent)
    for key in keys:
        parent.children.setdefault(key, unit)
    return unit


def _shortcut(parent: Unit, key: str, unit: Unit) -> None:
    present = parent.children.get(key, unit)
    parent.children[key] = unit if present is unit else None


def _find(root: Unit, text: str | None) -> tuple[Unit | None, str | None]:
    """The unit the written place names, or None and why (``not_a_unit``, ``ambiguous``)."""
    parts = [part.strip() for part in clean_text(text).split(",") if part.strip()]
    if not parts:
        return None, "not_a_unit"
    unit: Unit | None = root
    for part in reversed(parts):
        assert unit is not None
        key = tone_key(part)
        if key not in unit.children:
            return None, "not_a_unit"
        unit = unit.children[key]
        if unit is None:
            return None, "ambiguous"
    return unit, None


def is_known_place(text: str | None) -> bool:
    """True when every part of the place is a real unit inside the next part."""
    return _find(gazetteer(), text)[0] is not None


@dataclass(frozen=True)
class PlaceResolution:
    """The unit in force at the event date and today's unit (full names, smallest first)."""

    then: str | None
    today: str | None
    reason: str | None = None  # why a unit is missing

    def as_dict(self) -> dict[str, str | None]:
        return {"then": self.then, "today": self.today, "reason": self.reason}


def _key(name: str) -> str:
    return re.sub(r"[^\w]+", "", unidecode(name)).lower()


@cache
def _conversion() -> dict[str, Any]:
    path = resources.files("vietnamadminunits").joinpath("data/converter_2025.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    old_to_new: dict[str, tuple[str, str]] = {}
    for new_province, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                old_to_new[old_key] = (new_province, new_ward)
    split = {old for wards in data["DICT_PROVINCE_WARD_DIVIDED"].values() for old in wards}
    with _dataset() as connection:
        names = {
            (province_key, ward_key): (ward, province)
            for province_key, ward_key, province, ward in connection.execute(
                "SELECT provinceKey, wardKey, province, ward FROM admin_units"
            )
        }
    provinces = {old: new for new, olds in data["DICT_PROVINCE"].items() for old in olds}
    province_names = {province_key: province for (province_key, _), (_, province) in names.items()}
    return {"old_to_new": old_to_new, "split": split, "names": names, "provinces": provinces, "pnames": province_names}


def resolve_place(text: str | None, event_date: str | None = None) -> PlaceResolution:
    """Resolve a written place; reasons: ``not_a_unit``, ``ambiguous``, ``commune_split``."""
    after = bool(event_date and len(event_date) >= 7 and event_date >= REORGANISED[: len(event_date)])
    return _resolve(text, after)


@lru_cache(maxsize=65536)
def _resolve(text: str | None, after_reorganisation: bool) -> PlaceResolution:
    if not clean_text(text):
        return PlaceResolution(None, None, None)
    if after_reorganisation:
        unit, reason = _find(gazetteer_2025(), text)
        if unit is None:
            return PlaceResolution(None, None, reason)
        name = ", ".join(unit.path())
        return PlaceResolution(name, name)
    unit, reason = _find(gazetteer(), text)
    if unit is None:
        return PlaceResolution(None, None, reason)
    path = unit.path()
    then = ", ".join(path)
    tables = _conversion()
    province_key = _key(path[-1])
    new_province = tables["provinces"].get(province_key)
    if len(path) < 3:  # a province or a district: only the province carries over
        today = tables["pnames"].get(new_province) if new_province else None
        return PlaceResolution(then, today, None if today else "not_a_unit")
    old_key = "_".join(_key(name) for name in reversed(path))
    if old_key in tables["split"]:
        return PlaceResolution(then, None, "commune_split")
    new = tables["old_to_new"].get(old_key)
    if new is None:
        return PlaceResolution(then, None, "no_mapping")
    ward, province = tables["names"].get(new, (None, None))
    return PlaceResolution(then, f"{ward}, {province}" if ward else None, None if ward else "no_mapping")
