"""Extraction: page files, clean-up, the ruled table, cells, and the Tesseract module."""

from __future__ import annotations

import itertools
import json
import stat
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import DATA, needs_tesseract
from PIL import Image

from extract.cells import PageInk, has_writing, strip_ruling_remnants
from extract.clean import _rotation, box_on_scan, clean_page, estimate_skew, rotate
from extract.images import content_hash, list_pages, load_page
from extract.page import extract_page, page_label
from extract.table import find_grid
from extract.tesseract import OcrFailed, Reading, TesseractEngine, Word, parse_tsv
from extract.vote import choose_reading, header_matches
from records import LAYOUTS, HotichError, Kind, ledger


def _truth_rows(sample_root: Path, book: Path, page: int) -> list[dict]:
    lines = (sample_root / "truth" / f"{book.name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [row for row in map(json.loads, lines) if row["page"] == page]


@pytest.mark.parametrize("kind", list(Kind))
def test_grid_has_every_column_and_ruled_row(sample_root: Path, kind: Kind) -> None:
    for book in (sample_root / "books").iterdir():
        if book.name.startswith({"birth": "KS", "death": "KT", "marriage": "KH"}[kind]):
            break
    for page in list_pages(book):
        clean = clean_page(load_page(book, page, book_id=book.name)).image
        grid = find_grid(clean, columns=len(LAYOUTS[kind]))
        assert grid is not None
        assert len(grid.columns) - 1 == len(LAYOUTS[kind])
        # header + data rows (+ 2 empty ruled rows on the book's last page)
        written = len(_truth_rows(sample_root, book, page.page_no))
        assert len(grid.rows) - 2 in (written, written + 2)


@pytest.mark.parametrize(
    ("texts", "label"),
    [
        (["SỔ ĐĂNG KÝ KHAI SINH", "Trang 12"], "12"),
        (["Trang số: 007"], "7"),
        (["TRANG SÔ 3"], "3"),  # a lost mark
        (["Ghi chú: đăng ký trang trọng", ""], None),
        (["Trang l2"], None),  # a letter for a digit: not guessed, the page index stands in
        ([], None),
    ],
)
def test_the_printed_page_number(texts: list[str], label: str | None) -> None:
    assert page_label(texts) == label


def test_no_table_on_a_page_of_prose() -> None:
    page = np.full((1400, 1000), 255, np.uint8)
    for y in range(100, 1300, 40):
        cv2.putText(page, "Khong co bang nao o day " * 2, (50, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    assert find_grid(page) is None
    with pytest.raises(HotichError) as caught:
        extract_page(page, layout=ledger(Kind.birth), engine=TesseractEngine(), where="book B, file x.png")
    assert caught.value.code == "page_no_table"
    assert "book B, file x.png" in str(caught.value)


@pytest.mark.parametrize("angle", [-3.0, -1.2, 0.0, 2.5])
def test_skew_is_measured(angle: float) -> None:
    page = np.full((1200, 1600), 255, np.uint8)
    for y in range(200, 1000, 60):
        cv2.line(page, (100, y), (1500, y), 0, 2)
    tilted = rotate(page, -angle)
    assert abs(estimate_skew(tilted) - angle) < 0.15


def test_box_on_scan_round_trips_the_centre() -> None:
    assert box_on_scan((40, 40, 20, 20), _rotation(0.0, (100, 100)), (100, 100)) == (40, 40, 20, 20)
    x, y, w, h = box_on_scan((40, 40, 20, 20), _rotation(3.0, (100, 100)), (100, 100))
    assert (x + w / 2, y + h / 2) == pytest.approx((50, 50), abs=1.5)


def test_ruling_remnants_are_blanked_but_writing_kept() -> None:
    cell = np.full((60, 200), 255, np.uint8)
    cell[:, 1:3] = 0  # a sliver of the left ruling
    cv2.putText(cell, "An", (40, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    ink = PageInk(threshold=128, text_height=22)
    cleaned = strip_ruling_remnants(cell, ink)
    assert cleaned[:, :4].min() == 255
    assert cleaned[:, 30:120].min() == 0
    assert has_writing(cleaned, ink)


def test_noise_is_not_writing() -> None:
    rng = np.random.default_rng(1)
    cell = np.clip(rng.normal(235, 10, (80, 200)), 0, 255).astype(np.uint8)
    assert not has_writing(cell, PageInk(threshold=150, text_height=24))


def test_pages_are_listed_in_name_order_with_frames(tmp_path: Path) -> None:
    frames = [Image.fromarray(np.full((300, 300), v, np.uint8)) for v in (10, 200)]
    frames[0].save(tmp_path / "0002.tif", save_all=True, append_images=frames[1:])
    Image.fromarray(np.zeros((300, 300), np.uint8)).save(tmp_path / "0001.png")
    (tmp_path / "book.json").write_text("{}")
    pages = list_pages(tmp_path)
    assert [(p.image_name, p.page_no) for p in pages] == [("0001.png", 1), ("0002.tif", 2), ("0002.tif#2", 3)]


def test_pdf_pages_render(tmp_path: Path) -> None:
    image = Image.fromarray(np.tile(np.arange(0, 250, 1, np.uint8), (300, 1)))
    image.save(tmp_path / "book.pdf", save_all=True, append_images=[image], resolution=100)
    pages = list_pages(tmp_path)
    assert len(pages) == 2
    gray = load_page(tmp_path, pages[1], book_id="B")
    assert gray.ndim == 2 and gray.shape[1] > 600  # rendered at 300 dpi


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("0001.png", b"\x89PNG\r\n\x1a\nnot really", "page_unreadable"),
        ("notes.txt", b"hello", "page_not_an_image"),
        ("0001.jpg", b"", "page_unreadable"),
    ],
)
def test_bad_page_files_are_named(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    (tmp_path / name).write_bytes(content)
    page = list_pages(tmp_path)[0]
    with pytest.raises(HotichError) as caught:
        load_page(tmp_path, page, book_id="KS-1")
    assert caught.value.code == code
    assert "KS-1" in str(caught.value) and name in str(caught.value)


def test_blank_and_tiny_pages(tmp_path: Path) -> None:
    Image.fromarray(np.full((800, 600), 250, np.uint8)).save(tmp_path / "0001.png")
    Image.fromarray(np.zeros((20, 20), np.uint8)).save(tmp_path / "0002.png")
    codes = []
    for page in list_pages(tmp_path):
        with pytest.raises(HotichError) as caught:
            load_page(tmp_path, page, book_id="B")
        codes.append(caught.value.code)
    assert codes == ["page_blank", "page_empty"]


def test_content_hash_follows_pixels_not_files() -> None:
    a = np.zeros((300, 300), np.uint8)
    assert content_hash(a) == content_hash(a.copy())
    b = a.copy()
    b[5, 5] = 1
    assert content_hash(a) != content_hash(b)


def test_parse_captured_tesseract_output() -> None:
    readings = parse_tsv((DATA / "cells" / "cells.tsv").read_text(encoding="utf-8"), 4)
    expected = json.loads((DATA / "cells" / "expected.json").read_text(encoding="utf-8"))
    assert readings[0].text == expected[0]["written"]
    assert readings[2].text == expected[2]["written"]
    assert readings[1].words[0].text == "Ñgô"  # a real misread, kept as read
    assert 0.6 < readings[1].confidence < 0.7  # the weakest word decides


def test_choosing_between_renderings() -> None:
    good = Reading(
        (Word("NGUYỄN", 0.9, (0, 0, 1, 1), 1), Word("VĂN", 0.95, (0, 0, 1, 1), 1), Word("AN", 0.95, (0, 0, 1, 1), 1))
    )
    bad = Reading(
        (Word("NGUYỄN", 0.97, (0, 0, 1, 1), 1), Word("VĂN", 0.97, (0, 0, 1, 1), 1), Word("AM", 0.97, (0, 0, 1, 1), 1))
    )
    chosen = choose_reading("full_name", [bad, good])
    assert chosen.text == "NGUYỄN VĂN AN"
    assert chosen.confidence <= 0.6  # the renderings disagreed
    mended = Reading(
        (Word("NGUYẼN", 0.97, (0, 0, 1, 1), 1), Word("VĂN", 0.97, (0, 0, 1, 1), 1), Word("AN", 0.97, (0, 0, 1, 1), 1))
    )
    assert choose_reading("full_name", [mended, mended]).confidence <= 0.85  # the lexicon had to mend it
    agreed = choose_reading("full_name", [good, good])
    assert agreed.confidence == pytest.approx(0.9)


def test_header_matching() -> None:
    labels = [column.label for column in LAYOUTS[Kind.birth]]
    assert header_matches(labels, ledger(Kind.birth))
    assert not header_matches(labels, ledger(Kind.marriage))


@needs_tesseract
@pytest.mark.tesseract
def test_real_tesseract_reads_the_captured_cells() -> None:
    expected = json.loads((DATA / "cells" / "expected.json").read_text(encoding="utf-8"))
    images = [cv2.imread(str(DATA / "cells" / item["file"]), cv2.IMREAD_GRAYSCALE) for item in expected]
    readings = TesseractEngine().read(images)
    assert len(readings) == 4
    assert readings[0].text == "01"
    assert readings[2].text == "25/12/1984"


def _fake_tesseract(tmp_path: Path, script: str) -> str:
    path = tmp_path / "tesseract"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_tesseract_crash_is_a_transient_error(tmp_path: Path) -> None:
    engine = TesseractEngine(binary=_fake_tesseract(tmp_path, "echo 'Segmentation fault' >&2; exit 139\n"))
    with pytest.raises(OcrFailed) as caught:
        engine.read([np.zeros((10, 10), np.uint8)])
    assert caught.value.code == "ocr_crashed"


def test_tesseract_timeout_is_a_transient_error(tmp_path: Path) -> None:
    engine = TesseractEngine(binary=_fake_tesseract(tmp_path, "sleep 5\n"), timeout=0.3)
    with pytest.raises(OcrFailed) as caught:
        engine.read([np.zeros((10, 10), np.uint8)])
    assert caught.value.code == "ocr_timeout"


def test_missing_tesseract_says_how_to_install(tmp_path: Path) -> None:
    engine = TesseractEngine(binary=str(tmp_path / "no-such-tesseract"))
    with pytest.raises(HotichError) as caught:
        engine.read([np.zeros((10, 10), np.uint8)])
    assert caught.value.code == "tesseract_missing"
    assert "apt-get install" in caught.value.fix


def test_tesseract_runs_single_threaded(tmp_path: Path) -> None:
    out = tmp_path / "env.txt"
    engine = TesseractEngine(binary=_fake_tesseract(tmp_path, f"env > {out}\n"))
    engine.read([np.zeros((10, 10), np.uint8)])
    assert "OMP_THREAD_LIMIT=1" in out.read_text()


def test_a_page_photographed_at_an_angle_is_squared_up(sample_root: Path) -> None:
    book = next((sample_root / "books").glob("KT-*"))
    page = list_pages(book)[0]
    gray = load_page(book, page, book_id=book.name)
    height, width = gray.shape
    d = 0.03 * width  # corners pulled in by 3% of the width: a phone held a little askew
    source = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    target = np.float32([[d, 0.5 * d], [width - 0.2 * d, d], [width - d, height - 0.3 * d], [0.4 * d, height - d]])
    photo = cv2.warpPerspective(gray, cv2.getPerspectiveTransform(source, target), (width, height), borderValue=(120,))
    cleaned = clean_page(photo)
    assert cleaned.rectified
    grid = find_grid(cleaned.image, columns=len(LAYOUTS[Kind.death]))
    assert grid is not None
    assert len(grid.rows) - 2 == len(_truth_rows(sample_root, book, 1))


@pytest.mark.parametrize(
    ("description", "listed", "known", "numbers", "notices"),
    [
        ("first run: the folder's order", ["a", "b", "c"], {}, [1, 2, 3], 0),
        ("a scan added at the end", ["a", "b", "c"], {"a": 1, "b": 2}, [1, 2, 3], 0),
        ("a scan added between", ["a", "a2", "b"], {"a": 1, "b": 2}, [1, 3, 2], 1),
        ("two added between, one at the end", ["a", "a2", "a3", "b", "c"], {"a": 1, "b": 2}, [1, 3, 4, 2, 5], 2),
        ("a scan removed", ["b"], {"a": 1, "b": 2}, [2], 1),
        ("renamed: a new one and a gone one", ["z"], {"a": 1}, [2], 2),
    ],
)
def test_pages_keep_their_numbers_whatever_the_folder_becomes(
    description: str, listed: list[str], known: dict[str, int], numbers: list[int], notices: int
) -> None:
    from extract.images import PageRef, number_pages

    refs = [PageRef(f"{name}.png", 0, index) for index, name in enumerate(listed, start=1)]
    pages, said = number_pages(refs, {f"{name}.png": number for name, number in known.items()})
    assert [page.page_no for page in pages] == numbers, description
    assert len(said) == notices, (description, said)


def test_a_run_of_bold_type_is_no_ruling() -> None:
    """A line of heavy type across every cell makes a run as long as a ruling; it stops short
    of the column rulings (the cells' padding), a ruling runs through them."""
    page = np.full((1200, 1700), 255, np.uint8)
    xs = [100, 400, 700, 1000, 1300, 1600]
    ys = [150, 260, 420, 580, 740]
    for x in xs:
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 2)
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 2)
    for left, right in itertools.pairwise(xs):
        cv2.rectangle(page, (left + 14, 335), (right - 14, 343), 0, -1)  # the bar inside row 2 only
        cv2.putText(page, "NGUYEN", (left + 20, 230), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    grid = find_grid(page, columns=5)
    assert grid is not None
    assert len(grid.rows) == len(ys) and all(abs(a - b) <= 3 for a, b in zip(grid.rows, ys, strict=True))
