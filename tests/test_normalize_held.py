"""Messy held records the normaliser had not seen (issue 20, point 6): each category a table."""

from __future__ import annotations

import pytest

from normalize.dates import cycle_year, parse_vn_date
from normalize.names import normalize_name
from normalize.record import ReviewSettings, normalize_record
from normalize.values import normalize_ethnicity
from records import Kind

DATES = [
    ("a spreadsheet's datetime at midnight", "1998-03-15 00:00:00", "1998-03-15", ()),
    ("a datetime with a time of day", "15/03/1998 08:30", "1998-03-15", ()),
    ("an ISO datetime", "1998-03-15T14:05:00", "1998-03-15", ()),
    ("a datetime with seconds' fraction", "2001-12-31 23:59:59.997", "2001-12-31", ()),
    ("figures with words typed without diacritics", "ngay 15 thang 3 nam 1998", "1998-03-15", ()),
    ("words typed without diacritics", "ngay muoi lam thang ba nam mot nghin chin tram chin muoi tam", "1998-03-15",
     ()),
    ("tens and mốt without diacritics", "ngay hai muoi mot thang tu nam hai nghin le mot", "2001-04-21", ()),
    ("mùng without diacritics", "mung 9 thang 10 nam 1975", "1975-10-09", ()),
    ("a lunar date with month and cycle year", "mồng 5 tháng Giêng năm Mậu Dần", "1998-02-01",
     ("lunar_date", "lunar_cycle_year")),
    ("the same typed without diacritics", "mong 5 thang gieng nam mau dan", "1998-02-01",
     ("lunar_date", "lunar_cycle_year")),
    ("Tỵ told from Tý by its stem", "ngày 3 tháng 2 năm Tân Tỵ", "1941-02-28", ("lunar_date", "lunar_cycle_year")),
    ("a time before the date stays read", "0h20 ngày 25/9/2000", "2000-09-25", ()),
]  # fmt: skip


@pytest.mark.parametrize(("description", "raw", "value", "issues"), DATES, ids=[d[0] for d in DATES])
def test_dates_of_held_records(description: str, raw: str, value: str, issues: tuple[str, ...]) -> None:
    result = parse_vn_date(raw, reference_year=2000)
    assert (result.value, result.issues) == (value, issues), description


@pytest.mark.parametrize(
    ("stem", "branch", "latest", "year"),
    [("giap", "ty", 2000, 1984), ("mau", "dan", 2000, 1998), ("mau", "dan", 1997, 1938), ("tan", "ty", 2001, 2001),
     ("quy", "hoi", 2000, 1983), ("at", "ty", 2000, 1965), ("giap", "mao", 2000, None)],
)  # fmt: skip
def test_cycle_years_are_the_latest_not_after_the_book(stem: str, branch: str, latest: int, year: int | None) -> None:
    assert cycle_year(stem, branch, latest) == year  # Giáp Mão is no pair of the 60


@pytest.mark.parametrize(
    ("raw", "value", "issues"),
    [("Thaùi", "Thái", ("legacy_encoding",)), ("Taøy", "Tày", ("legacy_encoding",)), ("Kinh", "Kinh", ()),
     ("Hoa", "Hoa", ()), ("Xyz", "Xyz", ("unknown_ethnicity",))],
)  # fmt: skip
def test_an_ethnicity_in_vni_is_decoded(raw: str, value: str, issues: tuple[str, ...]) -> None:
    assert (normalize_ethnicity(raw).value, normalize_ethnicity(raw).issues) == (value, issues)


@pytest.mark.parametrize(
    ("raw", "flagged"),
    [("Nguyễn Van An", True), ("Lê Thi Hoa", True), ("Phạm Hong Nhung", True), ("Nguyễn Văn An", False),
     ("Trần Thị An", False), ("Nguyễn An", False), ("Nguyen Van An", False)],
)  # fmt: skip
def test_a_half_accented_name_is_flagged_and_kept(raw: str, flagged: bool) -> None:
    result = normalize_name(raw)
    assert result.value == raw  # kept as written
    assert ("partial_diacritics" in result.issues) is flagged


@pytest.mark.parametrize(
    ("registered", "born", "expected"),
    [
        ("2/1/2001", "15/3/98", "1998-03-15"),
        ("2/1/1999", "15/3/01", "1901-03-15"),
        ("2/1/2001", "1/1/01", "2001-01-01"),
    ],
)
def test_a_two_digit_year_resolves_against_the_records_own_registration(
    registered: str, born: str, expected: str
) -> None:
    fields = {
        "registration_number": "1",
        "registration_date": registered,
        "full_name": "Lê Văn Tám",
        "birth_date": born,
    }
    result = normalize_record(Kind.birth, fields, {}, reference_year=None, settings=ReviewSettings())
    assert result.fields["birth_date"] == expected and "two_digit_year" not in result.issues.get("birth_date", ())


def _cp1258(text: str) -> bytes:
    """Text as Vietnamese Windows writes it: a letter cp1258 lacks is its base letter, then its tone mark."""
    import unicodedata

    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = next(mark for mark in parts if mark in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", parts.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def test_a_windows_1258_file_is_read_as_written(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from load.files import read_table

    rows = "record_id,kind,full_name,birth_place\n" + "".join(
        f"K{index},birth,{name},{place}\n"
        for index, (name, place) in enumerate(
            [("Nguyễn Thị Hồng Nhung", "Xã Hòa Vang"), ("Trần Văn Đức", "Phường Thạc Gián"),
             ("Lê Thị Ngọc Ánh", "Thị trấn Ái Nghĩa"), ("Phạm Quốc Việt", "Xã Điện Bàn")]
        )
    )  # fmt: skip
    path = tmp_path / "held.csv"
    path.write_bytes(_cp1258(rows))
    table = read_table(path)
    read = [row for row in table.rows() if row]
    assert table.encoding == "cp1258" and "Windows-1258" in table.notes[0]
    assert [row["full_name"] for row in read] == [
        "Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Lê Thị Ngọc Ánh", "Phạm Quốc Việt"
    ]  # fmt: skip
    assert read[2]["birth_place"] == "Thị trấn Ái Nghĩa"


@pytest.mark.parametrize(
    ("typed", "decoded"),
    [("Tr\u00a2n V\u00a1n \u00a7\u1ee9c", "Trân Văn Đức"),  # a capital's code inside a word: the small letter
     ("TR\u00a2N V\u00a1N", "TRÂN VĂN"),  # a word of capitals keeps them
     ("\u00a7inh", "Đinh")],  # an initial capital stays
)  # fmt: skip
def test_a_tcvn3_capital_inside_a_small_word_is_small(typed: str, decoded: str) -> None:
    from normalize.legacy import decode_tcvn3

    assert decode_tcvn3(typed) == decoded
