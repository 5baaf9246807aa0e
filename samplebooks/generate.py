"""Write sample books (spec section 1) and their ground truth, deterministic by seed."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from pathlib import Path

from records import BookManifest, Kind, Locality
from records.layouts import Layout
from samplebooks.content import Cell, Entry, EntryWriter, random_style
from samplebooks.render import Damage, PageDrawer, damage_page, random_damage, random_plan, save_scan

BOOK_PREFIX = {Kind.birth: "KS", Kind.death: "KT", Kind.marriage: "KH"}


EMPTY_ROWS_ON_LAST_PAGE = 2


def _entries_by_page(drawer: PageDrawer, writer: EntryWriter, pages: int) -> list[list[Entry]]:
    result: list[list[Entry]] = []
    pending: list[Entry] = []
    for page_no in range(1, pages + 1):
        while len(pending) < 30:
            pending.append(writer.entry())
        empty = EMPTY_ROWS_ON_LAST_PAGE if page_no == pages else 0
        fit = max(1, drawer.rows_that_fit(pending, empty_rows=empty))
        result.append(pending[:fit])
        pending = pending[fit:]
    return result


@dataclass(frozen=True)
class Variation:
    """A printing hotich was not tuned on (bench/robustness.py): the font, the dpi, where the
    names come from (``frequency`` as common as they are; ``uniform`` drawn evenly from the name
    list, rare ones as often as common ones), and a scale of the damage (0 clean, 1 as generated)."""

    font: Path | None = None
    dpi: int | None = None
    names: str = "frequency"
    damage: float = 1.0
    writing: str | None = None  # the later layouts: ``typed`` or ``hand`` (None: by the seed, mostly by hand)


def _varied(damage: Damage, scale: float) -> Damage:
    if scale == 1.0:
        return damage
    return replace(
        damage,
        angle=damage.angle * scale,
        light=min(0.6, damage.light * scale),
        noise=damage.noise * scale,
        blur=damage.blur * scale,
        jpeg_quality=None if scale == 0 else damage.jpeg_quality,
        stains=round(damage.stains * scale),
    )


def generate_book(
    out_dir: Path,
    *,
    kind: Kind,
    seed: int,
    pages: int = 5,
    year: int | None = None,
    layout: Layout | None = None,
    variation: Variation | None = None,
) -> Path:
    """Write one book folder under ``out_dir/books`` and its truth under ``out_dir/truth``.

    ``layout``: a ruled-row layout of the registry other than the kind's ledger; its columns are
    printed in its order, a column the ledger lacks filled by its value type."""
    if layout is not None and layout.structure != "row":
        return _generate_later(
            out_dir, kind=kind, seed=seed, pages=pages, year=year, layout=layout, variation=variation
        )
    rng = random.Random(f"{seed}/{kind}")
    year = year or rng.randint(1978, 2015)
    style = random_style(rng)
    varied = variation or Variation()
    writer = EntryWriter(rng, kind, year, style, layout, uniform_names=varied.names == "uniform")
    plan = random_plan(rng, kind, layout)
    plan = replace(plan, font_path=varied.font or plan.font_path, dpi=varied.dpi or plan.dpi)
    drawer = PageDrawer(plan, kind, rng, layout)
    book_id = f"{BOOK_PREFIX[kind]}-{year}-S{seed}"
    book_dir, truth_dir = _book_folder(out_dir, book_id, kind, layout.name if layout else "ledger", year, writer)
    title = f"SỔ ĐĂNG KÝ {BOOK_TITLE[kind]} — Năm {year}"
    with (truth_dir / f"{book_id}.jsonl").open("w", encoding="utf-8") as truth:
        for page_no, entries in enumerate(_entries_by_page(drawer, writer, pages), start=1):
            empty = EMPTY_ROWS_ON_LAST_PAGE if page_no == pages else 0
            image, boxes = drawer.page(title, entries, empty, page_no)
            damage = _varied(random_damage(rng), varied.damage)
            scan = damage_page(image, damage, seed=rng.randrange(2**32))
            path = save_scan(scan, book_dir / f"{page_no:04d}", damage, plan.dpi)
            for row, (entry, box) in enumerate(zip(entries, boxes, strict=True), start=1):
                line = {
                    "book": book_id,
                    "page": page_no,
                    "row": row,
                    "image": path.name,
                    "fields": {key: cell.value for key, cell in entry.cells.items()},
                    "written": {key: cell.written for key, cell in entry.cells.items()},
                    "bbox_unskewed": box,
                }
                truth.write(json.dumps(line, ensure_ascii=False) + "\n")
    return book_dir


def _generate_later(
    out_dir: Path, *, kind: Kind, seed: int, pages: int, year: int | None, layout: Layout, variation: Variation | None
) -> Path:
    """A book of the 2006–2015 era (layouts.md): ``form`` pages of one record each, or
    ``couple-ledger`` spreads of about four entries; typed or handwritten. The truth holds each
    field's ink box on the scan (``marks``) and whether it was written by hand."""
    from samplebooks.forms import CoupleLedgerDrawer, FormDrawer, Writing
    from samplebooks.hand import random_hand
    from samplebooks.render import box_after_damage

    rng = random.Random(f"{seed}/{layout.id}")
    year = year or rng.randint(2006, 2015)
    varied = variation or Variation()
    writer = EntryWriter(rng, kind, year, random_style(rng), layout, uniform_names=varied.names == "uniform")
    plan = random_plan(rng, kind, layout)
    plan = replace(
        plan, font_path=varied.font or plan.font_path, dpi=varied.dpi or plan.dpi, font_pt=rng.uniform(10.5, 12)
    )
    by_hand = varied.writing == "hand" if varied.writing else rng.random() < 0.7
    hand = random_hand(rng, int(plan.font_pt * 1.05 * plan.dpi / 72)) if by_hand else None
    stamped = frozenset({"registration_number"}) if by_hand and rng.random() < 0.3 else frozenset()
    writing = Writing(hand, stamped)
    book_id = f"{BOOK_PREFIX[kind]}-{year}-{layout.name}-S{seed}"
    book_dir, truth_dir = _book_folder(out_dir, book_id, kind, layout.name, year, writer)
    with (truth_dir / f"{book_id}.jsonl").open("w", encoding="utf-8") as truth:
        for page_no in range(1, pages + 1):
            if layout.structure == "page":
                form = FormDrawer(plan, layout, rng, writing)
                entry = writer.entry()
                entry.cells["page_label"] = Cell(str(page_no), str(page_no))
                image, marks = form.page(entry, page_no)
                placed = [(1, entry, (0, 0, *form.size), marks)]
                size = form.size
            else:
                spread = CoupleLedgerDrawer(plan, layout, rng, writing)
                lines = spread.lines_on_page()
                planned: list[tuple[Entry, int]] = []
                while True:
                    taken = spread.entry_lines()
                    if sum(t for _, t in planned) + taken > lines:
                        break
                    planned.append((writer.entry(), taken))
                if page_no == pages and len(planned) > 1:
                    planned = planned[:-1]  # the last spread is not full
                image, results = spread.page(planned, page_no)
                placed = [
                    (row, entry, box, marks)
                    for row, ((entry, _), (box, marks)) in enumerate(zip(planned, results, strict=True), start=1)
                ]
                size = spread.size
            damage = _varied(random_damage(rng), varied.damage)
            scan = damage_page(image, damage, seed=rng.randrange(2**32))
            path = save_scan(scan, book_dir / f"{page_no:04d}", damage, plan.dpi)
            for row, entry, box, marks in placed:
                line = {
                    "book": book_id,
                    "page": page_no,
                    "row": row,
                    "image": path.name,
                    "layout": layout.id,
                    "fields": {key: cell.value for key, cell in entry.cells.items()},
                    "written": {key: cell.written for key, cell in entry.cells.items()},
                    "bbox": box_after_damage(box, damage, size),
                    "marks": {
                        key: {"box": box_after_damage(mark.box, damage, size), "hand": mark.hand}
                        for key, mark in marks.items()
                    },
                }
                truth.write(json.dumps(line, ensure_ascii=False) + "\n")
    return book_dir


BOOK_TITLE = {Kind.birth: "KHAI SINH", Kind.death: "KHAI TỬ", Kind.marriage: "KẾT HÔN"}


def generate_books(out_dir: Path, *, seed: int, pages: int = 5, kinds: list[Kind] | None = None) -> list[Path]:
    """One book of each kind (or of ``kinds``)."""
    return [generate_book(out_dir, kind=kind, seed=seed, pages=pages) for kind in kinds or list(Kind)]


def _book_folder(
    out_dir: Path, book_id: str, kind: Kind, layout: str, year: int, writer: EntryWriter
) -> tuple[Path, Path]:
    """The book's folder with its book.json, and the folder of its ground truth."""
    book_dir = out_dir / "books" / book_id
    book_dir.mkdir(parents=True, exist_ok=True)
    manifest = BookManifest(
        book_id=book_id,
        kind=kind,
        layout=layout,
        year=year,
        locality=Locality(commune=writer.communes[0], district=writer.district, province=writer.province),
        volume="01",
        opened_year=year,
        registration_place=f"UBND {writer.communes[0]}, {writer.district}, {writer.province}",
    )
    (book_dir / "book.json").write_text(manifest.model_dump_json(indent=2, exclude_none=True), encoding="utf-8")
    truth_dir = out_dir / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    return book_dir, truth_dir


def box_inside(truth: list[int], crop: tuple[int, int, int, int] | list[int] | None, share: float = 0.95) -> bool:
    """Whether a field's true ink box (ground truth) lies inside ``crop``: ``share`` of its area."""
    if not crop:
        return False
    tx, ty, tw, th = truth
    cx, cy, cw, ch = crop
    ix = max(0, min(tx + tw, cx + cw) - max(tx, cx))
    iy = max(0, min(ty + th, cy + ch) - max(ty, cy))
    return tw * th > 0 and ix * iy >= share * tw * th
