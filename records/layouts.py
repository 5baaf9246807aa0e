"""The layout registry: every register layout as data (docs/spec/records.md §2, layouts.md).

A layout says what a book's pages look like and what each entry holds: its kind, its entry
structure (one ruled row per record; several ruled lines per entry, a role per line; one record
per page in labelled lines), its columns or labels in printed order with the key and value type
of each, and which fields an entry needs. ``book.json`` names a layout (``ledger``, ``form``,
``couple-ledger``); with its kind that is one entry of :data:`REGISTRY`. Every stage takes a
:class:`Layout`; adding the next era's layout is an entry here and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


class Kind(StrEnum):
    birth = "birth"
    death = "death"
    marriage = "marriage"


class ValueType(StrEnum):
    """What a field holds: it decides which normaliser reads it and how it is checked."""

    name = "name"  # a person's name
    date = "date"  # a date, in figures or words, solar or lunar
    number = "number"  # the registration number
    sex = "sex"
    ethnicity = "ethnicity"  # one of the 54 groups
    place = "place"  # an address or administrative unit
    times = "times"  # how many times (``Nhất`` → 1, ``Hai`` → 2, ``lần thứ 3`` → 3)
    text = "text"  # open text: nothing to check it against


class Structure(StrEnum):
    row = "row"  # one ruled row per record (a ledger)
    lines = "lines"  # several ruled lines per entry, one role per line (couple-ledger)
    page = "page"  # one record per page, each value after its printed label (form)


class LayoutColumn(NamedTuple):
    """One column (or labelled line) of a layout, in printed order."""

    key: str
    label: str
    type: ValueType = ValueType.text
    line: str | None = None  # structure ``lines``: the role of the line it is on (None: the whole entry)
    number: int | None = None  # structure ``lines``: the printed column number (1-based)
    printed: str | None = None  # structure ``page``: the label as printed, when ``label`` says more
    # structure ``page``: the value is ``after`` its label (on to the next), ``below`` it, or in the ``margin`` column
    where: str = "after"


@dataclass(frozen=True)
class Layout:
    name: str  # as book.json names it
    kind: Kind
    structure: Structure
    columns: tuple[LayoutColumn, ...]
    required: tuple[str, ...]  # an entry without one of these goes to a person (missing:KEY)
    lines: tuple[str, ...] = ()  # structure ``lines``: the roles of an entry's lines, in order
    read: bool = True  # False: known and validated, but this version cannot yet read its pages
    marks: tuple[LayoutColumn, ...] = ()  # cut and checked for ink only (a signature), never a field
    headings: tuple[str, ...] = ()  # structure ``page``: printed section headings (not fields), in order
    # an opened book's two facing pages: one photo of the spread, or its halves as two scans (left,
    # then right, each taller than wide), joined into the spread they were cut from
    spread: bool = False
    description: str = ""

    @property
    def id(self) -> str:
        return layout_id(self.name, self.kind)

    def field_keys(self) -> list[str]:
        """The field keys, in printed order (a key on several lines appears once)."""
        return list(dict.fromkeys(column.key for column in self.columns))

    def labels(self) -> dict[str, str]:
        return {column.key: column.label for column in self.columns}

    def printed_columns(self) -> list[tuple[int, list[LayoutColumn]]]:
        """Structure ``lines``: (printed number, its columns and marks, one per line role) in order."""
        numbered: dict[int, list[LayoutColumn]] = {}
        for column in (*self.columns, *self.marks):
            if column.number is not None:
                numbered.setdefault(column.number, []).append(column)
        return sorted(numbered.items())

    def printed_label(self, column: LayoutColumn) -> str:
        return column.printed or column.label


def layout_id(name: str, kind: Kind | str) -> str:
    return f"{name}/{Kind(kind).value}"


_N, _D, _NO, _S, _E, _P, _T, _C = (
    ValueType.name,
    ValueType.date,
    ValueType.number,
    ValueType.sex,
    ValueType.ethnicity,
    ValueType.place,
    ValueType.text,
    ValueType.times,
)

# records.md §2: the v1 ledger, one ruled row per record.
_LEDGERS = (
    Layout(
        "ledger",
        Kind.birth,
        Structure.row,
        (
            LayoutColumn("registration_number", "Số", _NO),
            LayoutColumn("registration_date", "Ngày đăng ký", _D),
            LayoutColumn("full_name", "Họ, chữ đệm, tên", _N),
            LayoutColumn("sex", "Giới tính", _S),
            LayoutColumn("birth_date", "Ngày, tháng, năm sinh", _D),
            LayoutColumn("birth_place", "Nơi sinh", _P),
            LayoutColumn("ethnicity", "Dân tộc", _E),
            LayoutColumn("father_name", "Họ tên cha", _N),
            LayoutColumn("mother_name", "Họ tên mẹ", _N),
            LayoutColumn("notes", "Ghi chú", _T),
        ),
        ("registration_number", "full_name", "birth_date"),
        description="birth ledger: one ruled row per record (records.md §2)",
    ),
    Layout(
        "ledger",
        Kind.death,
        Structure.row,
        (
            LayoutColumn("registration_number", "Số", _NO),
            LayoutColumn("registration_date", "Ngày đăng ký", _D),
            LayoutColumn("full_name", "Họ, chữ đệm, tên người chết", _N),
            LayoutColumn("sex", "Giới tính", _S),
            LayoutColumn("birth_date", "Ngày, tháng, năm sinh", _D),
            LayoutColumn("death_date", "Ngày chết", _D),
            LayoutColumn("death_place", "Nơi chết", _P),
            LayoutColumn("death_cause", "Nguyên nhân", _T),
            LayoutColumn("residence", "Nơi cư trú cuối cùng", _P),
            LayoutColumn("notes", "Ghi chú", _T),
        ),
        ("registration_number", "full_name", "death_date"),
        description="death ledger: one ruled row per record (records.md §2)",
    ),
    Layout(
        "ledger",
        Kind.marriage,
        Structure.row,
        (
            LayoutColumn("registration_number", "Số", _NO),
            LayoutColumn("registration_date", "Ngày đăng ký", _D),
            LayoutColumn("husband_name", "Họ tên chồng", _N),
            LayoutColumn("husband_birth_date", "Ngày sinh (chồng)", _D),
            LayoutColumn("husband_residence", "Nơi cư trú (chồng)", _P),
            LayoutColumn("wife_name", "Họ tên vợ", _N),
            LayoutColumn("wife_birth_date", "Ngày sinh (vợ)", _D),
            LayoutColumn("wife_residence", "Nơi cư trú (vợ)", _P),
            LayoutColumn("notes", "Ghi chú", _T),
        ),
        ("registration_number", "husband_name", "wife_name"),
        description="marriage ledger: one ruled row per record (records.md §2)",
    ),
)

# layouts.md: the 2006–2015 books. Known, validated and shown; their pages are not read yet.
_FORM_BIRTH = Layout(
    "form",
    Kind.birth,
    Structure.page,
    (
        LayoutColumn("page_label", "Trang số", _T),
        LayoutColumn("registration_number", "Số", _NO),
        LayoutColumn("full_name", "Họ và tên", _N),
        LayoutColumn("sex", "Giới tính", _S),
        LayoutColumn("birth_date", "Ngày, tháng, năm sinh", _D),
        LayoutColumn("birth_date_in_words", "ghi bằng chữ", _D),
        LayoutColumn("birth_place", "Nơi sinh", _P),
        LayoutColumn("ethnicity", "Dân tộc", _E),
        LayoutColumn("nationality", "Quốc tịch", _T),
        LayoutColumn("home_town", "Quê quán", _P),
        LayoutColumn("father_name", "Họ và tên cha", _N),
        LayoutColumn("father_ethnicity", "Dân tộc (cha)", _E, printed="Dân tộc"),
        LayoutColumn("father_nationality", "Quốc tịch (cha)", _T, printed="Quốc tịch"),
        LayoutColumn("mother_name", "Họ và tên mẹ", _N),
        LayoutColumn("mother_ethnicity", "Dân tộc (mẹ)", _E, printed="Dân tộc"),
        LayoutColumn("mother_nationality", "Quốc tịch (mẹ)", _T, printed="Quốc tịch"),
        LayoutColumn("declarant_name", "Họ và tên người đi khai sinh", _N, printed="Họ và tên"),
        LayoutColumn("declarant_relation", "Quan hệ với người được khai sinh", _T),
        LayoutColumn("registration_date", "Đăng ký ngày", _D),
        LayoutColumn(
            "signer", "Họ tên, chức vụ người ký Giấy khai sinh", _T, printed="Họ tên, chức vụ, người ký Giấy khai sinh"
        ),
        LayoutColumn("officer", "Cán bộ Tư pháp hộ tịch", _T, where="below"),
        LayoutColumn("notes", "Ghi chú", _T, where="margin"),
    ),
    ("registration_number", "full_name", "birth_date"),
    headings=(
        "Phần ghi về người được đăng ký khai sinh",
        "Phần ghi về cha, mẹ người được đăng ký khai sinh",
        "Phần ghi về người đi đăng ký khai sinh",
    ),
    description="birth book of A4 pages, one record per page in labelled dotted lines (layouts.md)",
)
_COUPLE_LEDGER = Layout(
    "couple-ledger",
    Kind.marriage,
    Structure.lines,
    (
        LayoutColumn("registration_number", "STT", _NO, None, 1),
        LayoutColumn("registration_date", "Ngày, tháng, năm cấp Giấy chứng nhận kết hôn", _D, None, 2),
        LayoutColumn("husband_name", "Họ và tên (Viết bằng chữ in hoa)", _N, "husband", 3),
        LayoutColumn("wife_name", "Họ và tên (Viết bằng chữ in hoa)", _N, "wife", 3),
        LayoutColumn("husband_birth_date", "Ngày, tháng, năm sinh", _D, "husband", 4),
        LayoutColumn("wife_birth_date", "Ngày, tháng, năm sinh", _D, "wife", 4),
        LayoutColumn("husband_ethnicity", "Dân tộc", _E, "husband", 5),
        LayoutColumn("wife_ethnicity", "Dân tộc", _E, "wife", 5),
        LayoutColumn("husband_nationality", "Quốc tịch", _T, "husband", 6),
        LayoutColumn("wife_nationality", "Quốc tịch", _T, "wife", 6),
        LayoutColumn("husband_home_town", "Quê quán", _P, "husband", 7),
        LayoutColumn("wife_home_town", "Quê quán", _P, "wife", 7),
        LayoutColumn("husband_residence", "Nơi thường trú / Tạm trú", _P, "husband", 8),
        LayoutColumn("wife_residence", "Nơi thường trú / Tạm trú", _P, "wife", 8),
        LayoutColumn(
            "husband_id_document", "Giấy CMND/ Giấy tờ hợp lệ thay thế, Số, nơi cấp, ngày cấp", _T, "husband", 9
        ),
        LayoutColumn("wife_id_document", "Giấy CMND/ Giấy tờ hợp lệ thay thế, Số, nơi cấp, ngày cấp", _T, "wife", 9),
        LayoutColumn("husband_marriage_count", "Kết hôn lần thứ mấy", _C, "husband", 10),
        LayoutColumn("wife_marriage_count", "Kết hôn lần thứ mấy", _C, "wife", 10),
        LayoutColumn("signer", "Họ tên, chức vụ của người ký Giấy chứng nhận kết hôn", _T, None, 12),
        LayoutColumn("officer", "Họ tên, chữ ký của cán bộ hộ tịch", _T, None, 13),
        LayoutColumn("notes", "Ghi chú", _T, None, 14),
    ),
    ("registration_number", "husband_name", "wife_name"),
    lines=("husband", "wife"),
    marks=(
        LayoutColumn("husband_signature", "Chữ ký của chồng, vợ", _T, "husband", 11),
        LayoutColumn("wife_signature", "Chữ ký của chồng, vợ", _T, "wife", 11),
    ),
    spread=True,
    description="marriage book of A3 spreads, 14 columns, two lines per entry: husband, wife (layouts.md)",
)


@dataclass
class Registry:
    """Layout id → layout. A test may :meth:`add` one; every stage then reads it."""

    layouts: dict[str, Layout] = field(default_factory=dict)

    def add(self, layout: Layout) -> None:
        for column in layout.columns:
            known = FIELD_TYPES.get(column.key)
            if known is not None and known != column.type:
                raise ValueError(f"{column.key} is a {known} in another layout, not a {column.type}")
        self.layouts[layout.id] = layout
        for column in layout.columns:
            FIELD_TYPES.setdefault(column.key, column.type)
            FIELD_LABELS.setdefault(column.key, column.label)

    def remove(self, layout: Layout) -> None:
        del self.layouts[layout.id]
        _recompute()

    def __iter__(self) -> Iterator[Layout]:
        return iter(self.layouts.values())

    def names(self) -> set[str]:
        return {layout.name for layout in self}

    def get(self, name: str, kind: Kind | str) -> Layout | None:
        return self.layouts.get(layout_id(name, kind))


FIELD_TYPES: dict[str, ValueType] = {}  # a key's type is one across layouts
FIELD_LABELS: dict[str, str] = {}  # one label per key, the first layout's (the ledger's) where several print it
REGISTRY = Registry()


def _recompute() -> None:
    FIELD_TYPES.clear()
    FIELD_LABELS.clear()
    layouts = list(REGISTRY)
    REGISTRY.layouts.clear()
    for layout in layouts:
        REGISTRY.add(layout)


for _layout in (*_LEDGERS, _FORM_BIRTH, _COUPLE_LEDGER):
    REGISTRY.add(_layout)


def layout_of(name: str, kind: Kind | str) -> Layout:
    """The registered layout; ``KeyError`` naming what is registered when there is none."""
    found = REGISTRY.get(name, kind)
    if found is None:
        known = sorted(layout.id for layout in REGISTRY)
        raise KeyError(f"no layout {layout_id(name, kind)} (registered: {', '.join(known)})")
    return found


def layout_by_id(identifier: str) -> Layout | None:
    return REGISTRY.layouts.get(identifier)


def ledger(kind: Kind | str) -> Layout:
    """The v1 ledger of a kind: the layout of records with no book (imported ones)."""
    return layout_of("ledger", kind)


def value_type(key: str) -> ValueType:
    """What ``key`` holds, in whichever registered layout has it (open text when none does)."""
    return FIELD_TYPES.get(key, ValueType.text)


def keys_of_type(value_type: ValueType) -> frozenset[str]:
    return frozenset(key for key, found in FIELD_TYPES.items() if found == value_type)


def field_keys(kind: Kind | str) -> list[str]:
    """The field keys of a kind's ledger, in column order (records.md §2)."""
    return ledger(kind).field_keys()


def kind_keys(kind: Kind | str) -> list[str]:
    """Every key any registered layout of the kind has (ledger's first)."""
    keys: dict[str, None] = dict.fromkeys(field_keys(kind))
    for layout in REGISTRY:
        if layout.kind == Kind(kind):
            keys.update(dict.fromkeys(layout.field_keys()))
    return list(keys)


# The ledger's columns by kind (records.md §2), as the sample generator and older callers read them.
LAYOUTS: dict[Kind, tuple[LayoutColumn, ...]] = {kind: ledger(kind).columns for kind in Kind}

# The keys of each value type in the layouts registered at import (a layout a test adds later
# reaches the normalisers through FIELD_TYPES, which they read).
NAME_FIELDS = keys_of_type(ValueType.name)
DATE_FIELDS = keys_of_type(ValueType.date)
NUMBER_FIELDS = keys_of_type(ValueType.number)
SEX_FIELDS = keys_of_type(ValueType.sex)
ETHNICITY_FIELDS = keys_of_type(ValueType.ethnicity)
PLACE_FIELDS = keys_of_type(ValueType.place)
OPEN_TEXT_FIELDS = keys_of_type(ValueType.text)
COUNT_FIELDS = keys_of_type(ValueType.times)
