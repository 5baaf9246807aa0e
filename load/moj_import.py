"""A sheet in the Ministry's columns, read back as hotich's keys (``hotich import-existing``).

A commune's earlier deliveries are what the Ministry already holds: imported, each record is
linked to the digitised record it is (load.linkage), so that a book is not delivered twice.
Each value is turned back exactly as the package wrote it (``15.01.2008`` → ``2008-01-15``,
a code through the template's map read backwards); the normaliser then checks it as any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from load.files import ROW_PROBLEM, Row, Table
from load.moj_template import Template
from normalize.text import tone_key
from records import field_keys

_BACK = ("text", "name", "date", "number", "code", "notes")  # the conversions that can be read back


def _iso(date: str) -> str:
    """``15.01.2008`` → ``2008-01-15``, ``01.2008`` → ``2008-01``; anything else as written."""
    parts = date.split(".")
    if all(part.isdigit() for part in parts) and 1 <= len(parts) <= 3:
        return "-".join(reversed(parts))
    return date


def ministry_table(table: Table, template: Template) -> Table | None:
    """``table`` as record_id, kind and field keys, when its header is a kind's column codes."""
    kind = template.kind_of(table.columns)
    if kind is None:
        return None
    held = set(field_keys(kind))
    back: dict[str, tuple[str, str, str]] = {}  # lower-case code → (key, conversion, map)
    dropped = []
    for column in template.columns[kind]:
        if column.conversion not in _BACK or not column.key:
            continue
        if column.key in held:
            back[column.code.lower()] = (column.key, column.conversion, column.argument)
        else:
            dropped.append(column.code)
    # Code → hotich's value; where several values share a code (Việt, Kinh) the map's first wins.
    reverse = {
        name: {tone_key(code): value for value, code in reversed(list(table.items()))}
        for name, table in template.raw_maps.items()
    }
    prefix = template.prefixes[kind]

    def rows() -> Iterator[Row]:
        for row in table.rows():
            if not row or ROW_PROBLEM in row:
                yield row
                continue
            values: dict[str, str | None] = {}
            for code, (key, conversion, map_name) in back.items():
                text = row.get(code)
                if text and conversion == "date":
                    text = _iso(text)
                elif text and conversion == "code":
                    text = reverse[map_name].get(tone_key(text), text)
                values[key] = text
            number, volume, registered = row.get("so") or "", row.get("quyenso") or "", row.get("ngaydangky") or ""
            record_id = f"moj:{prefix}.{volume}.{number}.{registered}" if number else ""
            yield {"record_id": record_id, "kind": kind.value, **values}

    notes = [*table.notes, f"the Ministry's {prefix} columns (template {template.version})"]
    if dropped:
        notes.append(f"columns hotich holds no field for in this layout, not loaded: {', '.join(dropped)}")
    columns = ["record_id", "kind", *dict.fromkeys(key for key, _, _ in back.values())]
    return replace(table, columns=columns, rows=rows, notes=notes)
