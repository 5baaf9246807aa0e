"""Cell images ready for OCR: cropped inside the rulings, emptiness judged, text sized."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extract.table import Grid

INSET = 3  # pixels kept clear of a ruling on each side
BORDER = 12  # white margin Tesseract wants around text
TARGET_TEXT_HEIGHT = 24.0  # pixels: median glyph height Tesseract reads best (measured, bench/)


@dataclass(frozen=True)
class PageInk:
    """Page-wide facts that decide how each cell is prepared."""

    threshold: int  # grey level below which a pixel is ink
    text_height: float  # median height of glyph components, pixels


def page_ink(clean: np.ndarray, grid: Grid) -> PageInk:
    """Ink threshold (Otsu over the table) and the typical glyph height."""
    x0, x1 = grid.columns[0], grid.columns[-1]
    y0, y1 = grid.rows[0], grid.rows[-1]
    table = clean[y0:y1, x0:x1]
    threshold, ink = cv2.threshold(table, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    areas = stats[1:, cv2.CC_STAT_AREA]
    glyphs = heights[(areas >= 12) & (heights >= 6) & (heights <= (y1 - y0) / 4)]
    text_height = float(np.median(glyphs)) if glyphs.size else TARGET_TEXT_HEIGHT
    return PageInk(threshold=int(threshold), text_height=text_height)


def crop_cell(clean: np.ndarray, grid: Grid, row: int, column: int, ink: PageInk) -> np.ndarray:
    """The inside of a cell, with what is left of its rulings painted out."""
    x, y, w, h = grid.cell_box(row, column)
    return strip_ruling_remnants(clean[y + INSET : y + h - INSET, x + INSET : x + w - INSET], ink)


def strip_ruling_remnants(cell: np.ndarray, ink: PageInk) -> np.ndarray:
    """Blank edge columns and rows that are mostly ink: a ruling's remains, never writing.

    OCR reads a sliver of a vertical ruling as ``I``, ``!`` or ``(``.
    """
    if cell.size == 0:
        return cell
    cleaned = cell.copy()
    mask = cell < ink.threshold
    reach = max(4, int(0.5 * ink.text_height))
    height, width = mask.shape
    column_share = mask.mean(axis=0)
    row_share = mask.mean(axis=1)
    for x in [*range(min(reach, width)), *range(max(0, width - reach), width)]:
        if column_share[x] > 0.45:
            cleaned[:, max(0, x - 1) : x + 2] = 255
    for y in [*range(min(reach, height)), *range(max(0, height - reach), height)]:
        if row_share[y] > 0.45:
            cleaned[max(0, y - 1) : y + 2, :] = 255
    return cleaned


def has_writing(cell: np.ndarray, ink: PageInk) -> bool:
    """True when the cell holds at least one glyph-sized mark (not just specks of noise)."""
    if cell.size == 0:
        return False
    smooth = cv2.GaussianBlur(cell, (0, 0), 1.0)
    mask = (smooth < ink.threshold).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return False
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    areas = stats[1:, cv2.CC_STAT_AREA]
    glyph = (heights >= 0.4 * ink.text_height) & (areas >= 0.15 * ink.text_height**2 * 0.2)
    return bool(glyph.any())


LARGE_TEXT_HEIGHT = 40.0  # the second look's large rendering: typewriter digits read better big


def _sized(cell: np.ndarray, ink: PageInk, height: float) -> np.ndarray:
    scale = float(np.clip(height / max(ink.text_height, 1.0), 0.5, 3.0))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    sized = cv2.resize(cell, None, fx=scale, fy=scale, interpolation=interpolation)
    return cv2.copyMakeBorder(sized, BORDER, BORDER, BORDER, BORDER, cv2.BORDER_CONSTANT, value=255)


def prepare_variants(cell: np.ndarray, ink: PageInk) -> list[np.ndarray]:
    """Renderings of one cell that fail differently: grey (read first), binarised, and large grey."""
    gray = _sized(cell, ink, TARGET_TEXT_HEIGHT)
    _, binary = cv2.threshold(cv2.GaussianBlur(gray, (0, 0), 0.8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return [gray, binary, _sized(cell, ink, LARGE_TEXT_HEIGHT)]
