"""A couple-ledger spread that came as its two pages scanned apart (issue 21, point 3): the two
half scans, left then right, are joined into the spread they were cut from and read as one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import needs_tesseract
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from extract.images import PageRef, list_pages, load_page, load_page_as_scanned, page_ref, pair_halves
from flows.digitize import digitize_book
from load.db import open_database
from load.schema import RecordRow
from records import HotichError, Kind
from records.layouts import layout_of
from samplebooks.generate import Variation, generate_book

COUPLE = layout_of("couple-ledger", Kind.marriage)
FORM = layout_of("form", Kind.birth)
MARRIAGE_LEDGER = layout_of("ledger", Kind.marriage)


def _scan(path: Path, width: int, height: int, shade: int = 0) -> None:
    image = np.full((height, width), 255, np.uint8)
    image[40:60, 20 : width - 20] = shade  # a ruling: not blank
    Image.fromarray(image).save(path)


def test_a_spread_as_two_halves_is_named_by_both() -> None:
    joined = PageRef("0001.png", 0, 1, "0002.png")
    assert joined.image_name == "0001.png|0002.png"
    assert page_ref(joined.image_name, 1) == joined
    assert page_ref("book.pdf#3", 2) == PageRef("book.pdf", 2, 2)


@pytest.mark.parametrize(
    ("layouts", "size", "paired"),
    [
        ([COUPLE], (400, 560), True),  # named: halves taller than wide
        ([MARRIAGE_LEDGER, COUPLE], (400, 560), True),  # recognised: a v1 ledger page is wider than tall
        ([COUPLE], (800, 560), False),  # a spread in one photo
        ([MARRIAGE_LEDGER], (400, 560), False),  # no spread layout
        ([FORM, COUPLE], (400, 560), False),  # an upright A4 form page is a page of its own
    ],
)
def test_halves_are_paired_only_where_they_can_be(tmp_path: Path, layouts, size, paired: bool) -> None:
    for number in range(1, 5):
        _scan(tmp_path / f"{number:04d}.png", *size)
    pages, notices = pair_halves(tmp_path, list_pages(tmp_path), layouts)
    if paired:
        assert [page.image_name for page in pages] == ["0001.png|0002.png", "0003.png|0004.png"]
        assert [page.page_no for page in pages] == [1, 2] and not notices
    else:
        assert [page.image_name for page in pages] == ["0001.png", "0002.png", "0003.png", "0004.png"]


def test_a_half_without_its_other_half_is_reported(tmp_path: Path) -> None:
    for number in range(1, 4):
        _scan(tmp_path / f"{number:04d}.png", 400, 560)
    pages, notices = pair_halves(tmp_path, list_pages(tmp_path), [COUPLE])
    assert [page.image_name for page in pages] == ["0001.png|0002.png", "0003.png"]
    assert len(notices) == 1 and "0003.png" in notices[0] and "without its right page" in notices[0]


def test_the_halves_join_left_then_right_tops_aligned(tmp_path: Path) -> None:
    _scan(tmp_path / "0001.png", 400, 560, shade=10)
    _scan(tmp_path / "0002.png", 380, 540, shade=90)
    image, gray = load_page_as_scanned(tmp_path, PageRef("0001.png", 0, 1, "0002.png"), book_id="KH")
    assert gray.shape == (560, 780) and image.size == (780, 560)
    assert gray[50, 100] == 10 and gray[50, 500] == 90 and gray[550, 500] == 255  # the shorter half padded white
    with pytest.raises(HotichError) as missing:
        load_page(tmp_path, PageRef("0001.png", 0, 1, "0009.png"), book_id="KH")
    assert missing.value.code == "page_unreadable" and "0009.png" in str(missing.value)


def test_a_file_named_with_the_join_is_refused_by_name(tmp_path: Path) -> None:
    _scan(tmp_path / "a|b.png", 400, 560)
    with pytest.raises(HotichError) as refused:
        load_page(tmp_path, PageRef("a|b.png", 0, 1), book_id="KH")
    assert refused.value.code == "page_bad_name" and "a|b.png" in str(refused.value)


@needs_tesseract
def test_a_spread_scanned_as_two_halves_reads_as_the_whole_photo(tmp_path: Path) -> None:
    whole = generate_book(
        tmp_path / "whole", kind=Kind.marriage, seed=67, pages=1, layout=COUPLE, variation=Variation(writing="typed")
    )
    halves = tmp_path / "halves"
    halves.mkdir()
    manifest = json.loads((whole / "book.json").read_text(encoding="utf-8"))
    manifest.pop("layout")  # recognised from the labels of the joined halves
    manifest["book_id"] = manifest["book_id"] + "-H"
    (halves / "book.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    spreads = list_pages(whole)
    for number, page in enumerate(spreads):
        image, gray = load_page_as_scanned(whole, page, book_id="whole")
        fold = gray.shape[1] // 2  # the generator's fold, where a person would cut the photo
        image.crop((0, 0, fold, gray.shape[0])).save(halves / f"{2 * number + 1:04d}.png")
        image.crop((fold, 0, gray.shape[1], gray.shape[0])).save(halves / f"{2 * number + 2:04d}.png")
        joined = load_page(halves, PageRef(f"{2 * number + 1:04d}.png", 0, 1, f"{2 * number + 2:04d}.png"), book_id="H")
        assert np.array_equal(joined, gray)  # the join is the spread they were cut from
    db = f"sqlite:///{tmp_path / 'h.db'}"
    expected = digitize_book(whole, db)
    summary = digitize_book(halves, db)
    assert not summary.errors and summary.rows == expected.rows > 0
    assert digitize_book(halves, db).count("loaded") == 0  # a re-run adds nothing
    with Session(open_database(db)) as session:
        rows = session.scalars(select(RecordRow).order_by(RecordRow.page_no, RecordRow.row_no)).all()
    by_book: dict[str, list[RecordRow]] = {}
    for row in rows:
        by_book.setdefault(str(row.book_id), []).append(row)
    from_whole, from_halves = by_book[manifest["book_id"][:-2]], by_book[manifest["book_id"]]
    assert [row.image_name for row in from_halves] == ["0001.png|0002.png"] * len(from_halves)
    assert [row.fields for row in from_halves] == [row.fields for row in from_whole]
    assert [row.field_boxes for row in from_halves] == [row.field_boxes for row in from_whole]
