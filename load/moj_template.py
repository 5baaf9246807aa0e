"""The Ministry's import template as data: the column codes of each kind, where each value
comes from, and the code maps (docs/spec/moj-package.md).

The template is one JSON file, ``load/data/moj_template.json``; a province replaces it when the
Ministry revises its template (``hotich package --template FILE``). Nothing about the columns
is in code: a column's *source* says which of a handful of conversions makes its value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from normalize.text import tone_key
from records import HotichError, Kind

CONVERSIONS = ("text", "name", "date", "number", "code", "notes", "signer_name", "signer_title", "book", "page")
_NUMBER_SUFFIX = re.compile(r"\s*/\s*\d{2,4}\s*$")  # "12/1998": the year suffix the Ministry leaves off


@dataclass(frozen=True)
class Column:
    code: str
    conversion: str  # one of CONVERSIONS, or "" for a column hotich has no value for
    argument: str = ""  # the field key; for ``code`` the map's name then the key
    key: str = ""


@dataclass(frozen=True)
class Template:
    version: str
    prefixes: dict[Kind, str]  # KS, KT, KH
    columns: dict[Kind, tuple[Column, ...]]
    maps: dict[str, dict[str, str]]  # map name → tone key of a hotich value → the Ministry's value
    raw_maps: dict[str, dict[str, str]]  # the maps as the file writes them
    target_kb_per_page: int
    budget_kb_per_page: int
    long_side_px: int
    path: str

    def code(self, map_name: str, value: str) -> str | None:
        """The Ministry's value for ``value`` through ``map_name``; None when it has none."""
        return self.maps.get(map_name, {}).get(tone_key(value))

    def kind_of(self, codes: list[str]) -> Kind | None:
        """The kind whose column codes a sheet's header row holds (compared case-insensitively)."""
        header = {code.lower() for code in codes}
        for kind, columns in self.columns.items():
            if {column.code.lower() for column in columns} <= header:
                return kind
        return None


def _problem(path: str, message: str) -> HotichError:
    return HotichError(
        "template_invalid",
        f"the Ministry template {path} {message}",
        fix="correct the file, or leave out --template to use the one hotich ships",
        where=path,
    )


def _column(path: str, kind: str, entry: Any) -> Column:
    if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(part, str) for part in entry)):
        raise _problem(path, f"has a {kind} column that is not [code, source]: {entry!r}")
    code, source = entry
    parts = source.split()
    if not parts:
        return Column(code, "")
    conversion, arguments = parts[0], parts[1:]
    wanted = 2 if conversion == "code" else 1
    if conversion not in CONVERSIONS or len(arguments) != wanted:
        raise _problem(path, f"column {code} has a source it cannot read: {source!r}")
    key = "" if conversion in ("book", "page") else arguments[-1]  # book facts and page labels are no field
    return Column(code, conversion, arguments[0], key)


def parse_template(text: str, path: str) -> Template:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _problem(path, f"is not JSON ({error})") from error
    try:
        kinds, maps, pdf = data["kinds"], data["maps"], data["pdf"]
        columns = {
            Kind(kind): tuple(_column(path, kind, entry) for entry in spec["columns"]) for kind, spec in kinds.items()
        }
        prefixes = {Kind(kind): str(spec["prefix"]) for kind, spec in kinds.items()}
        coded = {name: {tone_key(value): str(code) for value, code in table.items()} for name, table in maps.items()}
        template = Template(
            str(data.get("version", "")),
            prefixes,
            columns,
            coded,
            {name: {str(value): str(code) for value, code in table.items()} for name, table in maps.items()},
            int(pdf["target_kb_per_page"]),
            int(pdf["budget_kb_per_page"]),
            int(pdf["long_side_px"]),
            path,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _problem(path, f"lacks or misspells a part ({error!r})") from error
    for kind in Kind:
        if kind not in columns:
            raise _problem(path, f"has no columns for {kind}")
        codes = [column.code for column in columns[kind]]
        if len(set(codes)) != len(codes):
            raise _problem(path, f"names a {kind} column twice")
        for column in columns[kind]:
            if column.conversion == "code" and column.argument not in coded:
                raise _problem(path, f"column {column.code} uses a map it does not hold: {column.argument}")
    return template


@cache
def shipped_template() -> Template:
    text = resources.files("load.data").joinpath("moj_template.json").read_text(encoding="utf-8")
    return parse_template(text, "load/data/moj_template.json")


def load_template(path: Path | None) -> Template:
    """The template at ``path``, or the one hotich ships."""
    if path is None:
        return shipped_template()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise _problem(str(path), f"cannot be read ({error})") from error
    return parse_template(text, str(path))


def ministry_date(value: str | None) -> str:
    """hotich's ISO date as the Ministry writes it: ``15.01.2008``; partial ``2008``, ``01.2008``.
    Converted from the canonical value, never parsed again."""
    if not value:
        return ""
    parts = value.split("-")
    return ".".join(reversed(parts))


def ministry_number(value: str | None) -> str:
    """The entry number without its ``/yyyy`` suffix."""
    return _NUMBER_SUFFIX.sub("", value or "").strip()


def split_signer(value: str | None) -> tuple[str, str]:
    """``Nguyễn Văn A, Chủ tịch`` → (name, title); a signer with no comma is all name."""
    if not value:
        return "", ""
    name, _, title = value.partition(",")
    return name.strip(), title.strip()
