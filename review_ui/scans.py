"""Images for the review and counter pages: a record's row cropped from its scan, the whole page."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from extract.images import PageRef, load_page
from load.schema import Book, RecordRow
from records import HotichError


def page_ref(image_name: str, page_no: int) -> PageRef:
    """The page a record's ``image_name`` (``0003.png`` or ``book.pdf#3``) names."""
    file, _, frame = image_name.partition("#")
    return PageRef(file, int(frame) - 1 if frame else 0, page_no)


@lru_cache(maxsize=16)
def _page(source_dir: str, image_name: str, page_no: int, book_id: str) -> np.ndarray:
    return load_page(Path(source_dir), page_ref(image_name, page_no), book_id=book_id)


def row_crop_png(
    source_dir: str, image_name: str, page_no: int, book_id: str, bbox: list[int], *, width: int = 1600
) -> bytes:
    """The row's box on the scan, with a margin, scaled to ``width`` pixels, as PNG."""
    page = _page(source_dir, image_name, page_no, book_id)
    x, y, w, h = bbox
    margin = max(8, h // 6)
    top, bottom = max(0, y - margin), min(page.shape[0], y + h + margin)
    left, right = max(0, x - margin), min(page.shape[1], x + w + margin)
    crop = page[top:bottom, left:right]
    scale = width / max(1, crop.shape[1])
    crop = cv2.resize(crop, (width, max(1, round(crop.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".png", crop)
    return encoded.tobytes() if ok else b""


def page_jpeg(source_dir: str, image_name: str, page_no: int, book_id: str, *, width: int = 1400) -> bytes:
    page = _page(source_dir, image_name, page_no, book_id)
    scale = width / max(1, page.shape[1])
    small = cv2.resize(page, (width, max(1, round(page.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return encoded.tobytes() if ok else b""


def record_crop_png(engine: Engine, record_id: str) -> bytes | None:
    """The record's row cropped from its scan, or None (an imported record, or the scan is gone)."""
    with Session(engine) as session:
        row = session.get(RecordRow, record_id)
        book = session.get(Book, row.book_id) if row is not None and row.book_id else None
        if row is None or book is None or not (row.bbox and row.image_name and row.page_no):
            return None
        try:
            return row_crop_png(book.source_dir, row.image_name, row.page_no, book.book_id, row.bbox)
        except HotichError:
            return None
