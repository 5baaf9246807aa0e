"""Find the ruled table of a straightened page: its row and column boundaries."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Grid:
    """Ruling-line positions (pixels) of a table; rows[0]..rows[1] is the header."""

    rows: list[int]
    columns: list[int]
    line_mask: np.ndarray

    def cell_box(self, row: int, column: int) -> tuple[int, int, int, int]:
        """(x, y, w, h) of a cell; row 0 is the header."""
        x0, x1 = self.columns[column], self.columns[column + 1]
        y0, y1 = self.rows[row], self.rows[row + 1]
        return x0, y0, x1 - x0, y1 - y0

    def row_box(self, row: int) -> tuple[int, int, int, int]:
        x0, x1 = self.columns[0], self.columns[-1]
        y0, y1 = self.rows[row], self.rows[row + 1]
        return x0, y0, x1 - x0, y1 - y0


def ink_mask(gray: np.ndarray, *, sensitivity: int = 12) -> np.ndarray:
    """255 where the page has ink, including faint ruling lines."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY_INV, 41, sensitivity)


def ruling_masks(ink: np.ndarray, *, bridge: int, length: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical runs of ink at least ``length`` (across, down) pixels long.

    Breaks up to ``bridge`` pixels in a faint or broken ruling are closed first.
    """

    def runs(size: tuple[int, int], gap: tuple[int, int]) -> np.ndarray:
        closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, gap))
        return cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, size))

    return runs((length[0], 1), (bridge, 1)), runs((1, length[1]), (1, bridge))


def _line_masks(ink: np.ndarray, runs: int = 35) -> tuple[np.ndarray, np.ndarray]:
    height, width = ink.shape
    return ruling_masks(ink, bridge=9, length=(max(40, width // runs), max(40, height // 25)))


def _peaks(profile: np.ndarray, threshold: float, min_gap: int) -> list[int]:
    """Centres of runs of ``profile`` above ``threshold``, merging runs closer than ``min_gap``."""
    above = np.flatnonzero(profile >= threshold)
    if above.size == 0:
        return []
    runs: list[list[int]] = [[int(above[0]), int(above[0])]]
    for index in above[1:]:
        if index - runs[-1][1] <= min_gap:
            runs[-1][1] = int(index)
        else:
            runs.append([int(index), int(index)])
    return [(start + end) // 2 for start, end in runs]


def _smooth(profile: np.ndarray, size: int = 5) -> np.ndarray:
    # A maximum filter keeps a thin ruling whose residual tilt spreads it over a few pixels.
    return np.asarray(cv2.dilate(profile.astype(np.float32).reshape(-1, 1), np.ones((size, 1))).ravel())


def _table_extent(horizontal: np.ndarray, rows: list[int]) -> tuple[int, int, list[int]]:
    """Left and right ends of the rulings, and the rows that share them (near the median ends).

    A page edge or a shadow spans another width than the table's rulings and is left out.
    """
    ends = []
    for y in rows:
        xs = np.flatnonzero(horizontal[max(0, y - 3) : y + 4].any(axis=0))
        ends.append((int(xs.min()), int(xs.max())) if xs.size else (0, 0))
    left = int(np.median([a for a, _ in ends]))
    right = int(np.median([b for _, b in ends]))
    slack = max(20, horizontal.shape[1] // 30)
    kept = [
        (y, a, b) for y, (a, b) in zip(rows, ends, strict=True) if abs(a - left) <= slack and abs(b - right) <= slack
    ]
    if not kept:
        return left, right, []
    return min(a for _, a, _ in kept), max(b for _, _, b in kept), [y for y, _, _ in kept]


# (blur sigma, threshold offset): smoothing first resists noise that flattening the light
# amplified in dark corners; no smoothing and a low offset keep faint one-pixel rulings.
STRATEGIES = ((1.5, 12), (0.0, 12), (1.0, 6))


def find_grid(gray: np.ndarray, *, columns: int | None = None, runs: int = 35) -> Grid | None:
    """The table's ruling lines, or None when the page has no ruled table.

    With ``columns`` (the layout's count), the first strategy that finds that many wins. A
    ruling is a run of ink at least 1/``runs`` of the page's width: a page of narrow lines of
    small writing (a couple-ledger's) wants longer runs, or a line of text passes for one."""
    found = []
    plain = ink_mask(gray)  # the junctions are judged on the page's own ink, whatever found the lines
    for sigma, offset in STRATEGIES:
        smoothed = cv2.GaussianBlur(gray, (0, 0), sigma) if sigma else gray
        grid = _grid_from_ink(ink_mask(smoothed, sensitivity=offset), plain, runs)
        if grid is not None and (columns is None or len(grid.columns) - 1 == columns):
            return grid
        found.append(grid)
    return next((grid for grid in found if grid is not None), None)


def _grid_from_ink(ink: np.ndarray, plain: np.ndarray | None = None, runs: int = 35) -> Grid | None:
    horizontal, vertical = _line_masks(ink, runs)
    height, width = ink.shape
    min_gap = max(6, height // 200)
    # First pass: long horizontal rulings give the table's horizontal extent.
    candidates = _peaks(_smooth((horizontal > 0).sum(axis=1)), 0.2 * width, min_gap)
    if len(candidates) < 3:
        return None
    left, right, candidates = _table_extent(horizontal, candidates)
    if len(candidates) < 3:
        return None
    top, bottom = candidates[0], candidates[-1]
    profile = _smooth((vertical[top : bottom + 1, :] > 0).sum(axis=0))
    tolerance = max(10, width // 150)
    # Text never makes long vertical runs, so a broken, faint ruling needs only a third of its length.
    columns = [x for x in _peaks(profile, 0.35 * (bottom - top), min_gap) if left - tolerance <= x <= right + tolerance]
    # An outer border too faint to see: the horizontal rulings still say where the table ends.
    if columns and right - columns[-1] > 3 * tolerance:
        columns.append(right)
    if columns and columns[0] - left > 3 * tolerance:
        columns.insert(0, left)
    if len(columns) < 3:
        return None
    rows = _peaks(
        _smooth((horizontal[:, columns[0] : columns[-1] + 1] > 0).sum(axis=1)),
        0.45 * (columns[-1] - columns[0]),
        min_gap,
    )
    rows = _rows_spanned_by_columns(rows, columns, vertical)
    rows = _rulings_through_junctions(ink if plain is None else plain, rows, columns)
    if len(rows) < 3:
        return None
    return Grid(rows=rows, columns=columns, line_mask=_ruling_mask(horizontal, vertical, rows, columns))


def _spanned(vertical: np.ndarray, columns: list[int], top: int, bottom: int) -> bool:
    """Do most column rulings run from ``top`` to ``bottom``?"""
    reach = 4
    spanned = 0
    for x in columns:
        strip = vertical[top + 2 : bottom - 1, max(0, x - reach) : x + reach + 1]
        spanned += strip.size > 0 and strip.any(axis=1).mean() > 0.6
    return spanned >= 0.6 * len(columns)


def _rulings_through_junctions(ink: np.ndarray, rows: list[int], columns: list[int]) -> list[int]:
    """Drop an inner row line that does not run on through the column rulings.

    A ruling is drawn through every junction with the column rulings: ink just left and right
    of each. A line of bold type can merge into a run as long as a ruling (the bridging that
    mends broken rulings joins its letters), but a cell's text keeps its padding away from the
    column rulings, so beside them such a run has no ink. A broken ruling still has most of its
    junctions; half of them must show ink on both sides."""
    inner = columns[1:-1]
    if not inner:
        return rows
    height, width = ink.shape
    kept = [rows[0]]
    for y in rows[1:-1]:
        band = ink[max(0, y - 4) : min(height, y + 5)]
        through = 0
        for x in inner:
            left = band[:, max(0, x - 8) : max(0, x - 4)]
            right = band[:, min(width, x + 5) : min(width, x + 9)]
            through += bool(left.size and right.size and left.any(axis=0).all() and right.any(axis=0).all())
        if through >= 0.5 * len(inner):
            kept.append(y)
    return [*kept, rows[-1]]


def _rows_spanned_by_columns(rows: list[int], columns: list[int], vertical: np.ndarray) -> list[int]:
    """Drop bands above or below the table (a page edge, a title underline) that no column crosses."""
    while len(rows) >= 3 and not _spanned(vertical, columns, rows[-2], rows[-1]):
        rows = rows[:-1]
    while len(rows) >= 3 and not _spanned(vertical, columns, rows[0], rows[1]):
        rows = rows[1:]
    return rows


def _ruling_mask(horizontal: np.ndarray, vertical: np.ndarray, rows: list[int], columns: list[int]) -> np.ndarray:
    """Line pixels near the detected rulings only: text strokes elsewhere are kept."""
    band = np.zeros_like(horizontal)
    reach = 6
    for y in rows:
        band[max(0, y - reach) : y + reach + 1, :] |= horizontal[max(0, y - reach) : y + reach + 1, :]
    for x in columns:
        band[:, max(0, x - reach) : x + reach + 1] |= vertical[:, max(0, x - reach) : x + reach + 1]
    return cv2.dilate(band, np.ones((3, 3), np.uint8))


def erase_lines(gray: np.ndarray, grid: Grid) -> np.ndarray:
    """The page with its ruling lines painted white, so OCR sees only the writing."""
    cleaned = gray.copy()
    cleaned[grid.line_mask > 0] = 255
    return cleaned
