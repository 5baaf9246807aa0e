"""Images for the review and counter pages: a record's row cropped from its scan, the whole page."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from extract.images import content_hash, load_page, page_ref
from load.schema import Book, Page, RecordRow
from records import HotichError


@lru_cache(maxsize=16)
def _loaded(source_dir: str, image_name: str, page_no: int, book_id: str) -> tuple[np.ndarray, str]:
    gray = load_page(Path(source_dir), page_ref(image_name, page_no), book_id=book_id)
    return gray, content_hash(gray)


_LOCKS: dict[tuple[str, str, int, str], threading.Lock] = {}
_GUARD = threading.Lock()


def _loaded_once(source_dir: str, image_name: str, page_no: int, book_id: str) -> tuple[np.ndarray, str]:
    """The page loaded by one thread while the others asking for it wait for the cache: a record
    page asks for every field's cell at once, and each decoding the scan took seconds."""
    key = (source_dir, image_name, page_no, book_id)
    with _GUARD:
        if len(_LOCKS) > 1024:
            _LOCKS.clear()
        lock = _LOCKS.setdefault(key, threading.Lock())
    with lock:
        return _loaded(*key)


def _page(source_dir: str, image_name: str, page_no: int, book_id: str, expected_sha256: str | None) -> np.ndarray:
    """The scan, only if it is the one that was read: a file replaced since (another page, another
    family's rows) is refused, never shown or printed in its place."""
    gray, sha = _loaded_once(source_dir, image_name, page_no, book_id)
    if expected_sha256 is not None and sha != expected_sha256:
        raise HotichError(
            "scan_changed",
            f"the scan {image_name} on disk is not the one this record was read from",
            fix="put the original scan back, or digitise the book again (the changed page is read anew)",
            where=f"book {book_id}, file {image_name}",
        )
    return gray


def page_sha256(engine: Engine, book_id: str, page_no: int) -> str | None:
    """The hash of the page's pixels when it was read (what a scan shown must still be)."""
    with Session(engine) as session:
        query = select(Page.image_sha256).where(Page.book_id == book_id, Page.page_no == page_no)
        return session.scalar(query)


def row_crop_png(
    source_dir: str,
    image_name: str,
    page_no: int,
    book_id: str,
    bbox: list[int],
    *,
    width: int = 1600,
    expected_sha256: str | None = None,
    margin: bool = True,
) -> bytes:
    """The row's box on the scan, scaled to ``width`` pixels, as PNG; with ``margin``, a little
    around it for the reviewer's eye; without (an extract), not one pixel of the rows beside it."""
    page = _page(source_dir, image_name, page_no, book_id, expected_sha256)
    x, y, w, h = bbox
    border = max(8, h // 6) if margin else 0
    top, bottom = max(0, y - border), min(page.shape[0], y + h + border)
    left, right = max(0, x - border), min(page.shape[1], x + w + border)
    crop = page[top:bottom, left:right]
    scale = width / max(1, crop.shape[1])
    crop = cv2.resize(crop, (width, max(1, round(crop.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".png", crop)
    return encoded.tobytes() if ok else b""


def page_jpeg(
    source_dir: str,
    image_name: str,
    page_no: int,
    book_id: str,
    *,
    width: int = 1400,
    expected_sha256: str | None = None,
) -> bytes:
    page = _page(source_dir, image_name, page_no, book_id, expected_sha256)
    scale = width / max(1, page.shape[1])
    small = cv2.resize(page, (width, max(1, round(page.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return encoded.tobytes() if ok else b""


def record_crop_png(engine: Engine, record_id: str) -> bytes | None:
    """The record's row cut from its scan for an extract: the row's box alone, from the scan that
    was read; None for an imported record, or when the scan is gone or has changed."""
    with Session(engine) as session:
        row = session.get(RecordRow, record_id)
        book = session.get(Book, row.book_id) if row is not None and row.book_id else None
        if row is None or book is None or not (row.bbox and row.image_name and row.page_no):
            return None
        source_dir, image_name, page_no, bbox = book.source_dir, row.image_name, row.page_no, row.bbox
        book_id = book.book_id
    try:
        expected = page_sha256(engine, book_id, page_no)
        return row_crop_png(source_dir, image_name, page_no, book_id, bbox, expected_sha256=expected, margin=False)
    except HotichError:
        return None
