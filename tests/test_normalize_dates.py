"""Dates: every form of spec section 3, partial dates, impossible dates flagged, never swapped."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalize.dates import format_vn_date, parse_vn_date
from normalize.numwords import date_in_words

CASES = [
    # (description, input, book year, expected value, expected issues)
    ("slashes", "15/3/1998", None, "1998-03-15", ()),
    ("dashes, two-digit year against the book's year", "15-03-98", 1998, "1998-03-15", ()),
    ("two-digit year cannot be after the book's year", "02-01-05", 2001, "1905-01-02", ()),
    ("two-digit year of this century", "02-01-01", 2001, "2001-01-02", ()),
    ("two-digit year without a book year is flagged", "15-03-98", None, "1998-03-15", ("two_digit_year",)),
    ("dots", "15.3.1998", None, "1998-03-15", ()),
    ("padded", "05/03/1998", None, "1998-03-05", ()),
    ("spaces around separators (OCR)", "15 / 3 / 1998", None, "1998-03-15", ()),
    ("words with figures", "ngày 15 tháng 3 năm 1998", None, "1998-03-15", ()),
    ("capitalised words with figures", "Ngày 15 tháng 03 năm 1998", None, "1998-03-15", ()),
    ("all in words", "ngày mười lăm tháng ba năm một nghìn chín trăm chín mươi tám", None, "1998-03-15", ()),
    ("ngàn for nghìn", "ngày hai mươi tháng tư năm một ngàn chín trăm tám mươi", None, "1980-04-20", ()),
    ("mồng before a small day", "mồng năm tháng giêng năm hai nghìn lẻ năm", None, "2005-01-05", ()),
    ("mùng and linh", "mùng một tháng hai năm hai nghìn linh một", None, "2001-02-01", ()),
    ("mốt", "ngày hai mươi mốt tháng mười hai năm một nghìn chín trăm năm mươi", None, "1950-12-21", ()),
    ("month named năm", "ngày 25 tháng năm năm 2001", None, "2001-05-25", ()),
    (
        "figures then words agreeing",
        "15/3/1998 (ngày mười lăm tháng ba năm một nghìn chín trăm chín mươi tám)",
        None,
        "1998-03-15",
        (),
    ),
    (
        "figures and words disagreeing",
        "15/3/1998 (ngày mười sáu tháng ba năm một nghìn chín trăm chín mươi tám)",
        None,
        "1998-03-15",
        ("date_words_mismatch",),
    ),
    ("month and year", "3/1998", None, "1998-03", ()),
    ("tháng … năm", "tháng 3 năm 1998", None, "1998-03", ()),
    ("year only", "1998", None, "1998", ()),
    ("năm before a year", "năm 1932", None, "1932", ()),
    ("year in words", "năm một nghìn chín trăm ba mươi hai", None, "1932", ()),
    ("30 February is kept out and flagged", "30/02/1998", None, None, ("invalid_date",)),
    ("31 April", "31/04/1975", None, None, ("invalid_date",)),
    ("29 February in a common year", "29/02/1999", None, None, ("invalid_date",)),
    ("29 February in a leap year", "29/02/2000", None, "2000-02-29", ()),
    ("month 13 is never swapped with the day", "13/25/1998", None, None, ("invalid_date",)),
    ("US order is not guessed", "3/15/1998", None, None, ("invalid_date",)),
    ("letters OCR reads for digits", "l5/O3/1998", None, "1998-03-15", ("ocr_substitution",)),
    ("trailing stain", "15/3/1998.", None, "1998-03-15", ()),
    ("empty is unknown", "", None, None, ()),
    ("blank is unknown", "   ", None, None, ()),
    ("garbage", "không rõ", None, None, ("unparsed_date",)),
    ("year out of range", "15/3/1650", None, None, ("year_out_of_range",)),
    ("decomposed input", "nga\u0300y 15 tha\u0301ng 3 na\u0306m 1998", None, "1998-03-15", ()),
]


@pytest.mark.parametrize(("description", "text", "year", "value", "issues"), CASES, ids=[c[0] for c in CASES])
def test_parse_vn_date(
    description: str, text: str, year: int | None, value: str | None, issues: tuple[str, ...]
) -> None:
    result = parse_vn_date(text, reference_year=year)
    assert (result.value, result.issues) == (value, issues), description


dates = st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2099, 12, 31))


@given(dates)
def test_parse_of_format_is_identity(date: dt.date) -> None:
    assert parse_vn_date(format_vn_date(date.isoformat())).value == date.isoformat()


@given(dates)
def test_dates_in_words_parse(date: dt.date) -> None:
    assert parse_vn_date(date_in_words(date)).value == date.isoformat()


@given(dates)
def test_normalising_twice_equals_once(date: dt.date) -> None:
    once = parse_vn_date(date.strftime("%d/%m/%Y")).value
    assert once is not None
    assert parse_vn_date(format_vn_date(once)).value == once
