"""One page image in, its table rows out: text, OCR text, confidence and box per field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from extract.cells import crop_cell, has_writing, page_ink, prepare_variants
from extract.clean import box_on_scan, clean_page
from extract.form import RECOGNISED_FORM, FormLabels, extract_form, label_share, read_form_labels
from extract.lines import extract_spread, spread_heading_score
from extract.reading import read_cells
from extract.table import Grid, erase_lines, find_grid
from extract.tesseract import OcrEngine, Reading
from extract.vote import (
    CellText,
    choose_reading,
    header_matches,
    header_score,
)
from normalize.text import fold
from records import HotichError
from records.layouts import Layout


@dataclass(frozen=True)
class RowExtraction:
    row: int  # 1-based among the table's data rows
    bbox: tuple[int, int, int, int]  # x, y, w, h on the scan as given
    cells: dict[str, CellText]  # the cells with writing
    boxes: dict[str, tuple[int, int, int, int]]  # every cell's box on the scan, by field key
    marks: dict[str, bool] = field(default_factory=dict)  # a layout's marks (signatures): is there ink


@dataclass(frozen=True)
class PageExtraction:
    angle: float
    rows: list[RowExtraction]
    warnings: list[str] = field(default_factory=list)
    page_label: str | None = None  # the printed page number ("Trang 12", "Trang số: 12"), when read
    layout: str | None = None  # the id of the layout the page was read in
    layout_score: float | None = None  # how well its printed labels read as that layout's (recognised pages)


_PAGE_LABEL = re.compile(r"\btrang\s*(?:so)?\s*[:.]?\s*(\d{1,4})\b")
MARGIN_STRIP = 0.12  # of the page's height: where a page number is printed above or below the table


def _margin_strips(page: np.ndarray, grid: Grid) -> list[np.ndarray]:
    """The page above and below the table, where the page number is printed."""
    height = page.shape[0]
    reach = int(height * MARGIN_STRIP)
    top, bottom = grid.rows[0], grid.rows[-1]
    strips = [page[max(0, top - reach) : max(0, top - 4)], page[min(height, bottom + 4) : min(height, bottom + reach)]]
    return [strip for strip in strips if strip.shape[0] >= 12]


def page_label(texts: list[str]) -> str | None:
    """The number after ``Trang`` / ``Trang số`` in the page's margins, if one is printed."""
    for text in texts:
        found = _PAGE_LABEL.search(fold(text))
        if found:
            return str(int(found.group(1)))
    return None


def _grid_or_error(clean: np.ndarray, layout: Layout, where: str) -> Grid:
    grid = find_grid(clean, columns=len(layout.columns))
    if grid is None:
        raise HotichError(
            "page_no_table",
            "no ruled table was found on the page",
            fix="check that this is a ledger page; rescan it straighter or with more light",
            where=where,
        )
    expected = len(layout.columns)
    found = len(grid.columns) - 1
    if found != expected:
        raise HotichError(
            "page_columns_mismatch",
            f"the table has {found} columns, a {layout.kind} {layout.name} has {expected}",
            fix="check the book's kind in book.json, or rescan the page so every ruling shows",
            where=where,
        )
    return grid


RECOGNISED = 0.5  # a page's headings must read at least this well as a layout's labels to be read in it


def recognise_layout(
    cleaned: np.ndarray, candidates: list[Layout], engine: OcrEngine, where: str
) -> tuple[Layout, Grid, float]:
    """The layout whose printed column headings the page's table shows, its grid and how sure.

    The headings are printed even where the entries are handwritten, so Tesseract reads them.
    Each candidate with a table of its column count found is scored by its labels (one OCR
    call for every candidate's heading cells); a page none reaches RECOGNISED for is refused."""
    tables: dict[int, Grid] = {}
    for count in sorted({len(layout.columns) for layout in candidates}):
        grid = find_grid(cleaned, columns=count)
        if grid is not None and len(grid.columns) - 1 == count and len(grid.rows) >= 3:
            tables[count] = grid
    headings: list[np.ndarray] = []
    spans: dict[int, tuple[int, int]] = {}
    for count, grid in tables.items():
        page = erase_lines(cleaned, grid)
        ink = page_ink(page, grid)
        start = len(headings)
        headings += [prepare_variants(crop_cell(page, grid, 0, column, ink), ink)[0] for column in range(count)]
        spans[count] = (start, len(headings))
    texts = [reading.text for reading in engine.read(headings)] if headings else []
    scores = {}
    for layout in candidates:
        count = len(layout.columns)
        if count in spans:
            start, stop = spans[count]
            scores[layout.id] = header_score(texts[start:stop], layout)
    best = max(candidates, key=lambda layout: scores.get(layout.id, 0.0))
    if scores.get(best.id, 0.0) < RECOGNISED:
        read = ", ".join(f"{name} {score:.2f}" for name, score in sorted(scores.items())) or "no ruled table"
        raise HotichError(
            "page_layout_unknown",
            f"the page matches no layout of the book's kind ({read}; {RECOGNISED} needed)",
            fix="name the layout in book.json, or check that this page belongs to the book",
            where=where,
        )
    return best, tables[len(best.columns)], round(scores[best.id], 3)


def extract_page(
    gray: np.ndarray,
    *,
    layout: Layout | None,
    engine: OcrEngine,
    where: str,
    candidates: list[Layout] | None = None,
    colour: np.ndarray | None = None,
) -> PageExtraction:
    """Read one page in its layout: a ruled ledger (here), a couple-ledger spread
    (extract/lines.py) or a one-record form (extract/form.py). ``colour`` is the scan in colour
    (BGR), where the pen's ink tells handwriting from type.

    With ``layout`` None the page's layout is recognised among ``candidates`` from its printed
    labels: the ledgers' column headings first, then a spread's, then a form's."""
    if layout is None:
        return _recognised(gray, candidates or [], engine, where, colour)
    if layout.structure == "lines":
        return _spread_page(gray, layout, engine, where, colour, None)
    if layout.structure == "page":
        return _form_page(gray, layout, engine, where, colour, None)
    return _ledger_page(gray, layout, engine, where, None)


def _recognised(
    gray: np.ndarray, candidates: list[Layout], engine: OcrEngine, where: str, colour: np.ndarray | None
) -> PageExtraction:
    tried: list[str] = []
    rows = [shape for shape in candidates if shape.structure == "row"]
    if rows:
        try:
            return _ledger_page(gray, None, engine, where, rows)
        except HotichError as error:
            if error.code not in ("page_layout_unknown", "page_no_table"):
                raise
            tried.append(error.message)
    for shape in (shape for shape in candidates if shape.structure == "lines"):
        try:
            halves_score = spread_heading_score(gray, shape, engine, where)
        except HotichError as error:
            tried.append(f"{shape.id}: {error.message}")
            continue
        if halves_score >= RECOGNISED:
            return _spread_page(gray, shape, engine, where, colour, halves_score)
        tried.append(f"{shape.id} {halves_score:.2f}")
    for shape in (shape for shape in candidates if shape.structure == "page"):
        prepared = read_form_labels(gray, shape, engine)
        share = label_share(prepared[2], shape)
        if share >= RECOGNISED_FORM:
            return _form_page(gray, shape, engine, where, colour, (share, prepared))
        tried.append(f"{shape.id}: {share:.0%} of its labels")
    raise HotichError(
        "page_layout_unknown",
        f"the page matches no layout of the book's kind ({'; '.join(tried) or 'none registered'})",
        fix="name the layout in book.json, or check that this page belongs to the book",
        where=where,
    )


def _spread_page(
    gray: np.ndarray, layout: Layout, engine: OcrEngine, where: str, colour: np.ndarray | None, score: float | None
) -> PageExtraction:
    entries, angle, read_score, margins = extract_spread(gray, layout=layout, engine=engine, where=where, colour=colour)
    rows = [
        RowExtraction(row=number, bbox=bbox, cells=cells, boxes=boxes, marks=marks)
        for number, bbox, cells, boxes, marks in entries
    ]
    return PageExtraction(
        angle=angle,
        rows=rows,
        page_label=page_label(margins),
        layout=layout.id,
        layout_score=None if score is None else round(read_score, 3),
    )


def _form_page(
    gray: np.ndarray,
    layout: Layout,
    engine: OcrEngine,
    where: str,
    colour: np.ndarray | None,
    recognised: tuple[float, FormLabels] | None,
) -> PageExtraction:
    prepared = recognised[1] if recognised else None
    page = extract_form(gray, layout=layout, engine=engine, where=where, prepared=prepared, colour=colour)
    label = page.cells.get("page_label")
    number = re.sub(r"\D", "", label.text) if label and not label.handwritten else ""
    rows = [RowExtraction(row=1, bbox=page.bbox, cells=page.cells, boxes=page.boxes)] if page.cells else []
    return PageExtraction(
        angle=page.angle,
        rows=rows,
        page_label=str(int(number)) if number else None,
        layout=layout.id,
        layout_score=None if recognised is None else round(recognised[0], 3),
    )


def _ledger_page(
    gray: np.ndarray, layout: Layout | None, engine: OcrEngine, where: str, candidates: list[Layout] | None
) -> PageExtraction:
    """Clean the page, find the layout's table, read every non-empty cell in one OCR call."""
    cleaned = clean_page(gray)
    score = None
    if layout is None:
        try:
            layout, grid, score = recognise_layout(cleaned.image, candidates or [], engine, where)
        except HotichError:
            if not cleaned.rectified:
                raise
            cleaned = clean_page(gray, rectify=False)  # the squaring-up went wrong: try without it
            layout, grid, score = recognise_layout(cleaned.image, candidates or [], engine, where)
    else:
        try:
            grid = _grid_or_error(cleaned.image, layout, where)
        except HotichError:
            if not cleaned.rectified:
                raise
            cleaned = clean_page(gray, rectify=False)  # the squaring-up went wrong: try without it
            grid = _grid_or_error(cleaned.image, layout, where)
    page = erase_lines(cleaned.image, grid)
    ink = page_ink(page, grid)
    keys = [column.key for column in layout.columns]
    renderings: dict[tuple[int, int], list[np.ndarray]] = {}  # (row, column) of every cell with writing
    for row in range(len(grid.rows) - 1):
        for column in range(len(keys)):
            cell = crop_cell(page, grid, row, column, ink)
            if has_writing(cell, ink):
                renderings[(row, column)] = prepare_variants(cell, ink)
    strips = _margin_strips(page, grid)
    key_of = {cell: keys[cell[1]] for cell in renderings}
    by_cell, margins = read_cells(renderings, key_of, engine, strips, second=lambda cell: cell[0] > 0)
    warnings = _header_warnings(by_cell, layout)
    rows = []
    for row in range(1, len(grid.rows) - 1):
        found = {keys[c]: choose_reading(keys[c], by_cell[(row, c)]) for c in range(len(keys)) if (row, c) in by_cell}
        if found:
            bbox = box_on_scan(grid.row_box(row), cleaned.transform, gray.shape)
            boxes = {
                key: box_on_scan(grid.cell_box(row, c), cleaned.transform, gray.shape) for c, key in enumerate(keys)
            }
            rows.append(RowExtraction(row=row, bbox=bbox, cells=found, boxes=boxes))
    label = page_label([reading.text for reading in margins])
    return PageExtraction(
        angle=cleaned.angle,
        rows=rows,
        warnings=warnings,
        page_label=label,
        layout=layout.id,
        layout_score=score,
    )


def _header_warnings(by_cell: dict[tuple[int, int], list[Reading]], layout: Layout) -> list[str]:
    columns = range(len(layout.columns))
    header = [max(by_cell.get((0, c), [Reading()]), key=lambda r: r.confidence).text for c in columns]
    if header_matches(header, layout):
        return []
    return [f"header_mismatch: the column headings read {header!r}, not those of a {layout.kind} {layout.name}"]
