"""Ledger layouts of spec section 2: column order, keys and printed labels per kind."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Kind(StrEnum):
    birth = "birth"
    death = "death"
    marriage = "marriage"


class LayoutColumn(NamedTuple):
    key: str
    label: str


LAYOUTS: dict[Kind, tuple[LayoutColumn, ...]] = {
    Kind.birth: (
        LayoutColumn("registration_number", "Số"),
        LayoutColumn("registration_date", "Ngày đăng ký"),
        LayoutColumn("full_name", "Họ, chữ đệm, tên"),
        LayoutColumn("sex", "Giới tính"),
        LayoutColumn("birth_date", "Ngày, tháng, năm sinh"),
        LayoutColumn("birth_place", "Nơi sinh"),
        LayoutColumn("ethnicity", "Dân tộc"),
        LayoutColumn("father_name", "Họ tên cha"),
        LayoutColumn("mother_name", "Họ tên mẹ"),
        LayoutColumn("notes", "Ghi chú"),
    ),
    Kind.death: (
        LayoutColumn("registration_number", "Số"),
        LayoutColumn("registration_date", "Ngày đăng ký"),
        LayoutColumn("full_name", "Họ, chữ đệm, tên người chết"),
        LayoutColumn("sex", "Giới tính"),
        LayoutColumn("birth_date", "Ngày, tháng, năm sinh"),
        LayoutColumn("death_date", "Ngày chết"),
        LayoutColumn("death_place", "Nơi chết"),
        LayoutColumn("death_cause", "Nguyên nhân"),
        LayoutColumn("residence", "Nơi cư trú cuối cùng"),
        LayoutColumn("notes", "Ghi chú"),
    ),
    Kind.marriage: (
        LayoutColumn("registration_number", "Số"),
        LayoutColumn("registration_date", "Ngày đăng ký"),
        LayoutColumn("husband_name", "Họ tên chồng"),
        LayoutColumn("husband_birth_date", "Ngày sinh (chồng)"),
        LayoutColumn("husband_residence", "Nơi cư trú (chồng)"),
        LayoutColumn("wife_name", "Họ tên vợ"),
        LayoutColumn("wife_birth_date", "Ngày sinh (vợ)"),
        LayoutColumn("wife_residence", "Nơi cư trú (vợ)"),
        LayoutColumn("notes", "Ghi chú"),
    ),
}

# One label per key, as the birth register prints it where kinds share a key.
FIELD_LABELS: dict[str, str] = {}
for _kind in Kind:
    for _column in LAYOUTS[_kind]:
        FIELD_LABELS.setdefault(_column.key, _column.label)

# What kind of value each key holds decides which normaliser reads it.
NAME_FIELDS = frozenset({"full_name", "father_name", "mother_name", "husband_name", "wife_name"})
DATE_FIELDS = frozenset(
    {
        "registration_date",
        "birth_date",
        "death_date",
        "husband_birth_date",
        "wife_birth_date",
    }
)
NUMBER_FIELDS = frozenset({"registration_number"})
SEX_FIELDS = frozenset({"sex"})
ETHNICITY_FIELDS = frozenset({"ethnicity"})
PLACE_FIELDS = frozenset({"birth_place", "death_place", "residence", "husband_residence", "wife_residence"})
# Open text: no vocabulary to check it against, so only a very sure reading is accepted.
OPEN_TEXT_FIELDS = frozenset({"death_cause", "notes"})


def field_keys(kind: Kind | str) -> list[str]:
    """The field keys of a kind, in ledger column order."""
    return list(_FIELD_KEYS[Kind(kind)])


_FIELD_KEYS = {kind: tuple(column.key for column in LAYOUTS[kind]) for kind in Kind}
