"""Where only digits can stand, look-alike letters are digits; a date's misread words are the words
they must be; a full stop before an address's unit word is a comma (issue 20, point 2). The raw text
is kept beside the value (``Record.raw``); each mend is flagged ``ocr_substitution``."""

from __future__ import annotations

import pytest

from normalize.dates import parse_vn_date
from normalize.record import ReviewSettings, normalize_record
from normalize.values import normalize_place, normalize_registration_number
from records import Kind

DATES = [
    ("Ø for 0, l for 1, ] for the last 1", "ngày Ø7 tháng l năm 201]", "2011-01-07"),
    ("I1 and II in figures", "I1/II/1998", "1998-11-11"),
    ("3l for 31", "3l/12/1999", "1999-12-31"),
    ("O in a month", "15/O3/1998", "1998-03-15"),
    ("| for the year's last 1", "15/3/199|", "1991-03-15"),
    ("năm read as nắm", "ngày 5 tháng 6 nắm 1990", "1990-06-05"),
    ("ngày and tháng misread", "ngáy 5 thang 6 năm 1990", "1990-06-05"),
    ("words untouched: lăm, mười", "ngày mười lăm tháng ba năm một nghìn chín trăm chín mươi tám", "1998-03-15"),
]


@pytest.mark.parametrize(("description", "raw", "value"), DATES, ids=[d[0] for d in DATES])
def test_date_figures_and_words_where_only_they_can_stand(description: str, raw: str, value: str) -> None:
    result = parse_vn_date(raw, reference_year=2000)
    assert result.value == value, description
    mended = raw != "ngày mười lăm tháng ba năm một nghìn chín trăm chín mươi tám"
    assert ("ocr_substitution" in result.issues) is mended and result.issues.count("ocr_substitution") <= 1


@pytest.mark.parametrize(
    ("raw", "value"),
    [("I2", "12"), ("Ø12", "12"), ("l2/1998", "12/1998"), ("O7/2001", "7/2001"), ("12a", "12a"), ("41", "41")],
)
def test_registration_numbers_are_digits(raw: str, value: str) -> None:
    result = normalize_registration_number(raw)
    assert result.value == value and ("ocr_substitution" in result.issues) is (raw not in ("12a", "41"))


PLACES = [
    ("a full stop before xã", "Ấp 4. xã Bình Mỹ, huyện Châu Phú", "Ấp 4, xã Bình Mỹ, huyện Châu Phú"),
    ("before phường", "Số 12 Lê Lợi. phường Thạch Thang", "Số 12 Lê Lợi, phường Thạch Thang"),
    ("a hamlet's number with l", "Xóm l4, xã Nghi Phú", "Xóm 14, xã Nghi Phú"),
    ("Thôn I", "Thôn I, xã Hòa Vang", "Thôn 1, xã Hòa Vang"),
    ("Roman II kept", "Thôn II, xã Hòa Vang", "Thôn II, xã Hòa Vang"),
    ("an abbreviation's full stop kept", "TP. Hồ Chí Minh", "TP. Hồ Chí Minh"),
    ("a place name kept", "Bản Lác. Mai Châu", "Bản Lác. Mai Châu"),
    ("nothing to mend", "Tổ 5, khu phố 3, phường An Khê", "Tổ 5, khu phố 3, phường An Khê"),
]


@pytest.mark.parametrize(("description", "raw", "value"), PLACES, ids=[p[0] for p in PLACES])
def test_address_parts_and_numbers(description: str, raw: str, value: str) -> None:
    result = normalize_place(raw)
    assert result.value == value, description
    assert ("ocr_substitution" in result.issues) is (raw != value)


def test_the_record_keeps_what_was_read_beside_what_it_must_be() -> None:
    raw = {"registration_number": "I2", "full_name": "Lê Văn Tám", "birth_date": "ngày Ø7 tháng l năm 201]",
           "birth_place": "Xóm l4. xã Nghi Phú"}  # fmt: skip
    result = normalize_record(Kind.birth, raw, {}, reference_year=2011, settings=ReviewSettings())
    assert result.fields["birth_place"] == "Xóm 14, xã Nghi Phú" and result.fields["birth_date"] == "2011-01-07"
    assert "ocr_substitution:birth_place" in result.review_reasons  # a person confirms a mend
