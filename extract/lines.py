"""Pages of the ``lines`` structure (layouts.md, couple-ledger): an A3 spread of two ruled tables
either side of the binding fold, each entry two ruled lines (husband, wife) and one or two spare.

The spread is straightened as one photo, then cut at the fold; each half's table is found on
its own. The header's printed column numbers (1–14) say where the entries start, and its
labels which layout this is. An entry starts on a line with its number (column 1) or, failing
that, with a name after a line without one; its next line is the wife's, and the columns of
the entry as a whole (number, date, signer, officer, notes) span every line up to the next entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

import cv2
import numpy as np

from extract.cells import INSET, PageInk, has_writing, page_ink, prepare_variants, strip_ruling_remnants
from extract.clean import box_on_scan, clean_page
from extract.handwriting import by_hand, colour_crop, is_colour, look, printed_blueness
from extract.reading import read_cells
from extract.table import Grid, erase_lines, find_grid, ruling_masks
from extract.tesseract import OcrEngine, Reading
from extract.vote import CellText, choose_reading
from normalize.text import fold
from records import HotichError
from records.layouts import Layout, LayoutColumn

HEADER_BANDS = 5  # the header is found among the table's first bands
RUNS = 12  # a ruling runs at least 1/12 of a page's width: longer than a word of the small writing
_ROLE_WORD = re.compile(r"^(?:chong|vo)[:;.,]?$")


def without_role_word(reading: Reading) -> Reading:
    """The name without the ``Chồng:`` / ``Vợ:`` written before it."""
    words = reading.words
    if words and _ROLE_WORD.match(fold(words[0].text)):
        return Reading(words[1:])
    return reading


@dataclass(frozen=True)
class Half:
    """One page of the spread: its table, where it sits on the spread, which printed columns."""

    grid: Grid
    x0: int  # the half's left edge on the cleaned spread
    numbers: list[int]  # the printed column numbers of its columns
    body: list[int]  # index of the band after the header, in the grid's bands


def find_fold(cleaned: np.ndarray) -> int | None:
    """The x of the binding fold: the widest run near the middle that no horizontal ruling crosses."""
    height, width = cleaned.shape
    ink = cv2.adaptiveThreshold(cleaned, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY_INV, 41, 12)
    horizontal, _ = ruling_masks(ink, bridge=9, length=(max(40, width // 40), height))
    crossed = (horizontal > 0).sum(axis=0)
    middle = slice(int(width * 0.3), int(width * 0.7))
    quiet = crossed[middle] <= max(2, 0.02 * crossed.max(initial=1))
    best, start, run_start = (0, 0), None, None
    for index, is_quiet in enumerate([*quiet, False]):
        if is_quiet and run_start is None:
            run_start = index
        elif not is_quiet and run_start is not None:
            if index - run_start > best[1] - best[0]:
                best = (run_start, index)
            run_start = None
    del start
    if best[1] - best[0] < width * 0.01:
        return None
    return middle.start + (best[0] + best[1]) // 2


def _half_table(cleaned: np.ndarray, x0: int, x1: int, numbers: list[int], where: str, side: str) -> Grid:
    part = cleaned[:, x0:x1]
    grid = find_grid(part, columns=len(numbers), runs=RUNS)
    if grid is None:
        raise HotichError(
            "page_no_table",
            f"no ruled table was found on the {side} page of the spread",
            fix="photograph the opened book flat, both pages in the frame",
            where=where,
        )
    if len(grid.columns) - 1 != len(numbers):
        raise HotichError(
            "page_columns_mismatch",
            f"the {side} page's table has {len(grid.columns) - 1} columns, this layout prints {len(numbers)} there",
            fix="check the book's layout in book.json, or rescan so every ruling shows",
            where=where,
        )
    return grid


def _cell(page: np.ndarray, box: tuple[int, int, int, int], ink: PageInk) -> np.ndarray:
    x, y, w, h = box
    return strip_ruling_remnants(page[y + INSET : y + h - INSET, x + INSET : x + w - INSET], ink)


def _band_box(grid: Grid, column: int, first: int, last: int, x0: int) -> tuple[int, int, int, int]:
    """Bands ``first``..``last`` of a column, on the spread."""
    x, y, w, _ = grid.cell_box(first, column)
    bottom = grid.rows[last + 1]
    return x + x0, y, w, bottom - y


def _number_band(texts: dict[tuple[int, int], str], numbers: list[int], bands: int) -> int | None:
    """The header band whose cells read as the printed column numbers."""
    best, best_share = None, 0.0
    for band in range(bands):
        right = sum(re.sub(r"\D", "", texts.get((band, c), "")) == str(n) for c, n in enumerate(numbers))
        share = right / len(numbers)
        if share > best_share:
            best, best_share = band, share
    return best if best_share >= 0.5 else None


def split_spread(cleaned: np.ndarray, layout: Layout, where: str) -> list[tuple[int, int, list[int]]]:
    """The spread's halves: (x0, x1, printed column numbers) of each, left then right."""
    printed = [number for number, _ in layout.printed_columns()]
    fold = find_fold(cleaned)
    if fold is None:
        raise HotichError(
            "page_no_fold",
            "no binding fold was found: this layout's pages are photographed as an opened spread",
            fix="photograph both facing pages in one picture, the fold in the middle",
            where=where,
        )
    left_count = _left_columns(cleaned, fold, printed)
    return [(0, fold, printed[:left_count]), (fold, cleaned.shape[1], printed[left_count:])]


def _left_columns(cleaned: np.ndarray, fold: int, printed: list[int]) -> int:
    """How many of the printed columns the left page holds: the count its table has."""
    for count in range(len(printed) - 1, 0, -1):
        grid = find_grid(cleaned[:, :fold], columns=count, runs=RUNS)
        if grid is not None and len(grid.columns) - 1 == count:
            right = find_grid(cleaned[:, fold:], columns=len(printed) - count, runs=RUNS)
            if right is not None and len(right.columns) - 1 == len(printed) - count:
                return count
    return len(printed) // 2 + 1


def heading_texts(
    cleaned: np.ndarray, layout: Layout, engine: OcrEngine, where: str
) -> tuple[list[Half], list[str], float]:
    """Both halves with their header found, the labels read per printed column, and how well
    they read as the layout's (0 to 1)."""
    halves: list[tuple[Grid, int, list[int], np.ndarray, PageInk]] = []
    images: dict[tuple[int, int, int], np.ndarray] = {}
    for side, (x0, x1, numbers) in zip(("left", "right"), split_spread(cleaned, layout, where), strict=True):
        grid = _half_table(cleaned, x0, x1, numbers, where, side)
        page = erase_lines(cleaned[:, x0:x1], grid)
        ink = page_ink(page, grid)
        halves.append((grid, x0, numbers, page, ink))
        for band in range(min(HEADER_BANDS, len(grid.rows) - 1)):
            for column in range(len(numbers)):
                crop = _cell(page, grid.cell_box(band, column), ink)
                if has_writing(crop, ink):
                    images[(len(halves) - 1, band, column)] = prepare_variants(crop, ink)[0]
    readings = engine.read(list(images.values())) if images else []
    texts = {cell: reading.text for cell, reading in zip(images, readings, strict=True)}
    found: list[Half] = []
    labels: dict[int, str] = {}
    for index, (grid, x0, numbers, _page, _ink) in enumerate(halves):
        own = {(band, column): text for (half, band, column), text in texts.items() if half == index}
        bands = min(HEADER_BANDS, len(grid.rows) - 1)
        number_band = _number_band(own, numbers, bands)
        if number_band is None:
            raise HotichError(
                "page_header_unread",
                "the header's printed column numbers were not found",
                fix="rescan the spread so its header is sharp",
                where=where,
            )
        for column, number in enumerate(numbers):
            labels[number] = " ".join(own.get((band, column), "") for band in range(number_band)).strip()
        found.append(Half(grid, x0, numbers, list(range(number_band + 1, len(grid.rows) - 1))))
    score = _label_score(labels, layout)
    return found, [labels[number] for number, _ in layout.printed_columns()], score


def _label_score(labels: dict[int, str], layout: Layout) -> float:
    scores = []
    for number, columns in layout.printed_columns():
        expected = fold(columns[0].label)
        read = fold(labels.get(number, ""))
        # the group label above columns 3–11 reads into their cells: score the expected label's best window
        scores.append(max(SequenceMatcher(None, read, expected).ratio(), _contains(read, expected)))
    return sum(scores) / max(1, len(scores))


def _contains(read: str, expected: str) -> float:
    if not read or not expected:
        return 0.0
    matcher = SequenceMatcher(None, read, expected)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(expected)


@dataclass(frozen=True)
class Entry:
    lines: list[int]  # the band of each line role (husband, wife), as present
    first: int  # the entry's first band
    last: int  # its last band (spare lines included)


def find_entries(written: dict[tuple[int, int], bool], bands: list[int], name_column: int) -> list[Entry]:
    """Entries from which lines have writing: ``written[(band, printed number)]``."""
    entries: list[Entry] = []
    open_lines: list[int] = []
    first = None
    previous_named = False
    for band in bands:
        numbered = written.get((band, 1), False)
        named = written.get((band, name_column), False)
        if numbered or (named and not previous_named and not (first is not None and len(open_lines) == 1)):
            if first is not None:
                entries.append(Entry(open_lines, first, band - 1))
            first, open_lines = band, [band]
        elif named and first is not None and len(open_lines) == 1:
            open_lines = [*open_lines, band]
        previous_named = named
    if first is not None:
        last = bands[-1]
        # the entry ends at its last line with writing
        for band in reversed(bands):
            if band < first:
                break
            if any(written.get((band, number), False) for number in range(1, 15)):
                last = band
                break
        entries.append(Entry(open_lines, first, last))
    return entries


def extract_spread(
    gray: np.ndarray,
    *,
    layout: Layout,
    engine: OcrEngine,
    where: str,
    colour: np.ndarray | None = None,
) -> tuple[
    list[
        tuple[
            int, tuple[int, int, int, int], dict[str, CellText], dict[str, tuple[int, int, int, int]], dict[str, bool]
        ]
    ],
    float,
    float,
    list[str],
]:
    """Every entry of a couple-ledger spread: (entry number, its box on the scan, its cells,
    every field's box on the scan, which marks (signatures) have ink); the spread's angle, how
    well its headings read as the layout's, and the page's margins as read (for ``Trang số``)."""
    cleaned = clean_page(gray, rectify=False)
    halves, _labels, score = heading_texts(cleaned.image, layout, engine, where)
    by_number: dict[int, tuple[Half, int]] = {}
    for half in halves:
        for column, number in enumerate(half.numbers):
            by_number[number] = (half, column)
    # line up the halves' bands by height on the spread: the right half's band nearest each left band
    left, right = halves[0], halves[-1]
    centres = {band: (right.grid.rows[band] + right.grid.rows[band + 1]) / 2 for band in right.body}
    pairing: dict[int, int] = {}
    for band in left.body:
        centre = (left.grid.rows[band] + left.grid.rows[band + 1]) / 2
        nearest = min(centres, key=lambda b: abs(centres[b] - centre), default=None)
        if nearest is not None and abs(centres[nearest] - centre) < 0.5 * (
            left.grid.rows[band + 1] - left.grid.rows[band]
        ):
            pairing[band] = nearest
    pages = {
        id(half): erase_lines(cleaned.image[:, half.x0 :][:, : half.grid.line_mask.shape[1]], half.grid)
        for half in halves
    }
    inks = {id(half): page_ink(pages[id(half)], half.grid) for half in halves}

    def band_of(half: Half, band: int) -> int | None:
        return band if half is left else pairing.get(band)

    written: dict[tuple[int, int], bool] = {}
    crops: dict[tuple[int, int], np.ndarray] = {}
    for band in left.body:
        for number, (half, column) in by_number.items():
            own = band_of(half, band)
            if own is None:
                continue
            crop = _cell(pages[id(half)], half.grid.cell_box(own, column), inks[id(half)])
            crops[(band, number)] = crop
            written[(band, number)] = has_writing(crop, inks[id(half)])
    entries = find_entries(written, left.body, name_column=3)
    renderings: dict[tuple[int, str], list[np.ndarray]] = {}
    boxes_by_entry: list[dict[str, tuple[int, int, int, int]]] = []
    marks_by_entry: list[dict[str, bool]] = []
    roles = {role: index for index, role in enumerate(layout.lines)}
    for index, entry in enumerate(entries):
        boxes: dict[str, tuple[int, int, int, int]] = {}
        marks: dict[str, bool] = {}
        for number, columns in layout.printed_columns():
            half, column = by_number[number]
            for shape in columns:
                if shape.line is not None:
                    line = roles[shape.line]
                    if line >= len(entry.lines):
                        continue
                    own = band_of(half, entry.lines[line])
                    if own is None:
                        continue
                    box = _band_box(half.grid, column, own, own, half.x0)
                    crop = crops[(entry.lines[line], number)]
                    ink = written[(entry.lines[line], number)]
                else:
                    first, last = band_of(half, entry.first), band_of(half, entry.last)
                    if first is None or last is None:
                        continue
                    box = _band_box(half.grid, column, first, last, half.x0)
                    local = (box[0] - half.x0, box[1], box[2], box[3])
                    crop = _cell(pages[id(half)], local, inks[id(half)])
                    ink = has_writing(crop, inks[id(half)])
                boxes[shape.key] = box_on_scan(box, cleaned.transform, gray.shape)
                if shape in layout.marks:
                    marks[shape.key] = ink
                elif ink:
                    renderings[(index, shape.key)] = prepare_variants(crop, inks[id(half)])
        boxes_by_entry.append(boxes)
        marks_by_entry.append(marks)
    gray_crops = {cell: images[0] for cell, images in renderings.items()}
    key_of = {cell: cell[1] for cell in renderings}
    top = max(0, min(left.grid.rows[0], right.grid.rows[0]) - int(0.12 * gray.shape[0]))
    strip = cleaned.image[
        top : max(top + 12, min(left.grid.rows[0], right.grid.rows[0]) - 4), : left.grid.columns[-1] + left.x0
    ]
    by_cell, margins = read_cells(renderings, key_of, engine, [strip] if strip.shape[0] >= 12 else [])
    printed = None
    if is_colour(colour):
        header = [
            box_on_scan(_band_box(half.grid, column, 0, half.body[0] - 1, half.x0), cleaned.transform, gray.shape)
            for half in halves
            for column in range(len(half.numbers))
        ]
        printed = printed_blueness(colour, header)
    else:
        colour = None
    results = []
    for index, entry in enumerate(entries):
        cells = {}
        for (owner, key), readings in by_cell.items():
            if owner != index:
                continue
            printed_as = _column(layout, key)
            if printed_as is not None and printed_as.line is not None and printed_as.number == 3:
                readings = [without_role_word(reading) for reading in readings]
            cells[key] = choose_reading(key, readings)
        looks = {
            key: look(gray_crops[(index, key)], colour_crop(colour, boxes_by_entry[index][key]), printed)
            for key in cells
        }
        for key in by_hand(looks):
            cells[key] = replace(cells[key], handwritten=True)
        first_band, last_band = entry.first, entry.last
        y0 = left.grid.rows[first_band]
        y1 = left.grid.rows[last_band + 1]
        x0 = left.grid.columns[0]
        x1 = right.x0 + right.grid.columns[-1]
        bbox = box_on_scan((x0, y0, x1 - x0, y1 - y0), cleaned.transform, gray.shape)
        results.append((index + 1, bbox, cells, boxes_by_entry[index], marks_by_entry[index]))
    return results, cleaned.angle, score, [reading.text for reading in margins]


def _column(layout: Layout, key: str) -> LayoutColumn | None:
    return next((column for column in layout.columns if column.key == key), None)


def spread_heading_score(gray: np.ndarray, layout: Layout, engine: OcrEngine, where: str) -> float:
    """How well a page's headings read as this spread layout's (page_no_fold / page_no_table when
    the page is no spread of its shape)."""
    cleaned = clean_page(gray, rectify=False)
    return heading_texts(cleaned.image, layout, engine, where)[2]
