"""Closed vocabularies and the word check of free text."""

from __future__ import annotations

import pytest

from extract.tesseract import Reading, Word
from extract.vote import choose_reading, needs_second_look
from normalize.places import is_known_place
from normalize.record import ReviewSettings, normalize_record
from normalize.values import normalize_ethnicity
from normalize.vocabulary import is_known_ethnicity, mend_ethnicity
from normalize.words import mend_text, suggest_text
from records import Kind


@pytest.mark.parametrize("name", ["Kinh", "Tày", "Ê Đê", "Ê-đê", "H'Mông", "Khmer", "Bru Vân Kiều", "Ơ Đu", "kinh"])
def test_known_ethnic_groups(name: str) -> None:
    assert is_known_ethnicity(name)


@pytest.mark.parametrize(("read", "official"), [("Ê Đề", "Ê Đê"), ("Tay", "Tày"), ("Muong", "Mường"), ("Xyz", None)])
def test_mend_ethnicity(read: str, official: str | None) -> None:
    assert mend_ethnicity(read) == official


def test_unknown_ethnicity_is_flagged_not_changed() -> None:
    assert normalize_ethnicity("Ê Đề").issues == ("unknown_ethnicity",)
    assert normalize_ethnicity("Ê Đề").value == "Ê Đề"
    assert normalize_ethnicity("Kinh").issues == ()


# (description, read, value kept, suggestion offered): a phrase of valid syllables stays as
# read, the dictionary word only offered; a phrase with an impossible syllable is mended.
WORDS = [
    ("lost dot below", "Đột quy", "Đột quy", "Đột quỵ"),
    ("hook added on a capital", "Ủng thư phổi", "Ủng thư phổi", "Ung thư phổi"),
    ("acute for hook", "Bố sung tên cha", "Bố sung tên cha", "Bổ sung tên cha"),
    ("circumflex lost", "Tai nạn giao thống", "Tai nạn giao thống", "Tai nạn giao thông"),
    ("impossible syllable mended", "Tai nạn giao thôg", "Tai nạn giao thôg", None),  # no word that close
    ("valid but no word", "Xơ gàn", "Xơ gàn", "Xơ gan"),
    ("stop final with huyền: no syllable", "Đồt quỵ", "Đột quỵ", None),
    ("function words are grammar", "Đã cấp bản sao ngày 13/7/2018", "Đã cấp bản sao ngày 13/7/2018", None),
    ("proper nouns are left alone", "Xã Diễn Hạnh, Huyện Diên Châu", "Xã Diễn Hạnh, Huyện Diên Châu", None),
    ("right text is unchanged", "Đăng ký quá hạn", "Đăng ký quá hạn", None),
    ("numbers and codes", "Ghi chú theo QĐ số 36/QĐ-UBND", "Ghi chú theo QĐ số 36/QĐ-UBND", None),
]


@pytest.mark.parametrize(("description", "read", "kept", "offered"), WORDS, ids=[w[0] for w in WORDS])
def test_mend_text(description: str, read: str, kept: str, offered: str | None) -> None:
    assert mend_text(read).text == kept, description
    assert suggest_text(kept) == offered, description


def test_an_invalid_syllable_in_a_dictionary_word_is_mended() -> None:
    assert mend_text("Nhồi máu cơ tim, tai nạn giao thôngg").text == "Nhồi máu cơ tim, tai nạn giao thôngg"
    assert mend_text("Đột quyj").text == "Đột quyj"  # letters no word has: nothing to mend with
    assert mend_text("Bệnh nhồi máu cơ tìm, đồt quỵ").text == "Bệnh nhồi máu cơ tìm, đột quỵ"


def _reading(text: str, confidence: float) -> Reading:
    return Reading(tuple(Word(part, confidence, (0, 0, 1, 1), 1) for part in text.split()))


def test_a_suggested_text_field_is_kept_and_not_auto_accepted() -> None:
    cell = choose_reading("death_cause", [_reading("Đột quy", 0.96)])
    assert (cell.text, cell.raw, cell.suggestion) == ("Đột quy", "Đột quy", "Đột quỵ")
    result = normalize_record(
        Kind.death,
        {"registration_number": "1", "full_name": "Lê Văn An", "death_date": "1/2/2003", "death_cause": cell.text},
        {"death_cause": cell.confidence},
        reference_year=2003,
        settings=ReviewSettings(min_confidence_text=0.9),
        suggested={"death_cause": cell.suggestion},
    )
    assert result.fields["death_cause"] == "Đột quy"
    assert result.suggestions == {"death_cause": "Đột quỵ"}
    assert "suggestion:death_cause" in result.review_reasons


@pytest.mark.parametrize(
    ("key", "text", "confidence", "again"),
    [
        ("full_name", "Trần Văn An", 0.97, False),
        ("full_name", "Trần Văn An", 0.85, True),  # not sure enough
        ("full_name", "NGUYÊN VĂN AN", 0.97, True),  # a likelier name is offered: read it again
        ("birth_date", "15/3/1998", 0.97, False),
        ("birth_date", "15/3/19", 0.97, True),  # does not parse alone
        ("sex", "Nữ", 0.97, False),
        ("notes", "Đột quy", 0.97, True),  # a likelier word is offered: read it again
    ],
)
def test_needs_second_look(key: str, text: str, confidence: float, again: bool) -> None:
    assert needs_second_look(key, _reading(text, confidence)) is again


@pytest.mark.parametrize(
    ("place", "known"),
    [
        ("Phường Thạc Gián, Quận Thanh Khê, Thành phố Đà Nẵng", True),
        ("Phường Chính Gián, Đà Nẵng", True),  # district left out
        ("Xã Hoà Châu, Huyện Hoà Vang, Đà Nẵng", True),  # old tone placement
        ("Xã Phú Mỹ, Huyện Phú Vang, Tỉnh Thừa Thiên Huế", True),  # the province's old name
        ("Phường Ô Chợ Dừa, Quận Đống Đa, Thành phố Hà Nội", True),
        ("Phường Thạc Gián, Quận Đống Đa, Thành phố Hà Nội", False),  # not inside that district
        ("Xã Diễn Hạnh, Huyện Diên Châu, Tỉnh Nghệ An", False),  # a misread mark
        ("Bệnh viện Phụ sản Đà Nẵng", False),  # a place, but not a unit
        ("Tại nhà", False),
        ("", False),
    ],
)
def test_places_known_as_administrative_units(place: str, known: bool) -> None:
    assert is_known_place(place) is known


def test_a_known_place_is_routed_like_a_checked_field() -> None:
    settings = ReviewSettings()
    assert settings.threshold("birth_place", "Phường Chính Gián, Đà Nẵng") == settings.min_confidence
    assert settings.threshold("birth_place", "Tại nhà") == settings.min_confidence_text
    assert settings.threshold("death_cause", "Đột quỵ") == settings.min_confidence_text


def test_a_manifest_written_to_the_contract_v2_example_is_valid() -> None:
    """records.md §1 (v2) names volume, opened_year and registration_place: they were refused as unknown keys."""
    import pytest
    from pydantic import ValidationError

    from records import BookManifest

    example = {
        "book_id": "KS-1998-Q01", "kind": "birth", "layout": "ledger", "year": 1998,
        "locality": {"commune": "Phường An Khê", "district": "Quận Thanh Khê", "province": "Thành phố Đà Nẵng"},
        "page_offset": 0, "volume": "01", "opened_year": 1998,
        "registration_place": "UBND phường An Khê, quận Thanh Khê, thành phố Đà Nẵng",
    }  # fmt: skip
    manifest = BookManifest.model_validate(example)
    assert (manifest.volume, manifest.opened_year) == ("01", 1998)
    assert BookManifest.model_validate({"book_id": "KS-1", "kind": "birth"}).volume is None  # old manifests valid
    for bad in ({"volume": ""}, {"volume": "0" * 17}, {"opened_year": 1800}, {"registration_place": "x" * 301}):
        with pytest.raises(ValidationError):
            BookManifest.model_validate({"book_id": "KS-1", "kind": "birth", **bad})
