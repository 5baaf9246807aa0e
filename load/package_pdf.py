"""The record PDFs of the Ministry's package: the colour scan as given, JPEG inside, about
100 kB per A4 page, no text layer (docs/spec/moj-package.md, "The PDFs")."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from extract.images import content_hash, load_page_as_scanned, page_ref
from load.moj_template import Template
from records import HotichError

A4_MM2 = 210 * 297
BASE_QUALITY = 55  # a scan's JPEG quality first tried; then up to HIGHER_QUALITIES or down
HIGHER_QUALITIES = (65, 75, 85)
LOWER_QUALITIES = (45, 35)
DEFAULT_DPI = 300.0


@dataclass(frozen=True)
class PageJpeg:
    """One scan page made ready for the record PDFs that show it."""

    jpeg: bytes
    width_mm: float
    height_mm: float

    @property
    def a4_pages(self) -> float:
        """The page's area in A4 pages (an A3 spread is two), at least one."""
        return max(1.0, self.width_mm * self.height_mm / A4_MM2)


def _dpi(image: Image.Image) -> float:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else DEFAULT_DPI
    except (TypeError, ValueError, IndexError):
        value = DEFAULT_DPI
    return value if 50 <= value <= 2400 else DEFAULT_DPI


def page_jpeg(
    source_dir: str, image_name: str, page_no: int, book_id: str, expected_sha256: str | None, template: Template
) -> PageJpeg:
    """The page's colour scan, checked to be the one that was read, as a JPEG at the target size."""
    image, gray = load_page_as_scanned(Path(source_dir), page_ref(image_name, page_no), book_id=book_id)
    if expected_sha256 is not None and content_hash(gray) != expected_sha256:
        raise HotichError(
            "scan_changed",
            f"the scan {image_name} on disk is not the one this book's records were read from",
            fix="put the original scan back, or digitise the book again (the changed page is read anew)",
            where=f"book {book_id}, file {image_name}",
        )
    dpi = _dpi(image)
    width_mm, height_mm = image.width / dpi * 25.4, image.height / dpi * 25.4
    pixels = np.asarray(image.convert("RGB") if image.mode != "L" else image)
    a4 = max(1.0, width_mm * height_mm / A4_MM2)
    jpeg = fitted_jpeg(pixels, int(template.target_kb_per_page * 1024 * a4), int(template.long_side_px * a4**0.5))
    return PageJpeg(jpeg, width_mm, height_mm)


def _encode(pixels: np.ndarray, quality: int) -> bytes:
    bgr = pixels if pixels.ndim == 2 else pixels[:, :, ::-1]
    ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1])
    if not ok:  # pragma: no cover - OpenCV encodes any 8-bit image
        raise ValueError("the page could not be encoded as JPEG")
    return bytes(encoded)


def fitted_jpeg(pixels: np.ndarray, target: int, long_side: int) -> bytes:
    """A good JPEG of the page within ``target`` bytes, in few encodings (they are most of the
    package's time): at most ``long_side`` pixels on its long side (A4 at 150 dpi) at quality
    55; a page that fits there gets the highest quality that still fits, one that does not is
    made smaller by how far it was over (a JPEG's size follows its pixel count), then lower in
    quality if it must."""
    height, width = pixels.shape[:2]

    def at(scale: float) -> np.ndarray:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA) if scale < 1.0 else pixels

    scale = min(1.0, long_side / max(height, width))
    resized = at(scale)
    encoded = _encode(resized, BASE_QUALITY)
    if len(encoded) <= target:
        for quality in HIGHER_QUALITIES:
            better = _encode(resized, quality)
            if len(better) > target:
                break
            encoded = better
        return encoded
    for _ in range(4):
        scale *= 0.97 * (target / len(encoded)) ** 0.5
        resized = at(scale)
        for quality in (BASE_QUALITY, *LOWER_QUALITIES):
            encoded = _encode(resized, quality)
            if len(encoded) <= target:
                return encoded
    return encoded  # the validator measures it against the budget


def record_pdf(pages: list[PageJpeg]) -> bytes:
    """One PDF of the given pages, each at its scanned size, the JPEG embedded as it is."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creator("hotich")
    for page in pages:
        pdf.add_page(format=(page.width_mm, page.height_mm))
        pdf.image(io.BytesIO(page.jpeg), x=0, y=0, w=page.width_mm, h=page.height_mm)
    return bytes(pdf.output())
