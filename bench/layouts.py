"""The later layouts (layouts.md) on generated books of seeds the tests never use: layout
recognised, entries found, fields cut, printed values read, handwriting told from type.

    .venv/bin/python bench/layouts.py [--seeds 201 202 203] [--pages 3] [--layout L] [--halves]

``--halves`` cuts every couple-ledger spread at its fold into two scans, left page then right
(records.md §1), so the book is read from the joined halves.

Every book is read twice, with ``layout`` named in book.json and with it left out (recognised),
the way the digitise flow reads a page (flows/digitize.py, read_page), with real Tesseract.
Prints per layout and writing (typed, hand):

- recognised: pages whose layout was recognised right, when book.json does not name it;
- entries: found and matching a true entry / true entries; invented: found matching none;
- fields cut: true fields whose ink box lies inside the field's crop (≥ 95 % of its area);
- printed read: fields of typed books whose stored value is the true one (all fields, and the
  headline ones: numbers, dates, sex, names), beside the ledger's figure from bench/robustness.py;
- handwritten marked: true handwritten fields marked ``handwritten``; printed fields so marked.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract.images import list_pages, load_page_as_scanned, pair_halves
from extract.manifest import read_manifest
from extract.page import PageExtraction, RowExtraction, extract_page
from extract.tesseract import TesseractEngine
from normalize.record import ReviewSettings
from normalize.rows import page_records
from records import HotichError, Kind, Record
from records.layouts import ValueType, layout_of, value_type
from samplebooks.generate import Variation, box_inside, generate_book

LAYOUTS = [("form", Kind.birth), ("couple-ledger", Kind.marriage)]
SHOW = "--show" in sys.argv
HEADLINE = (ValueType.number, ValueType.date, ValueType.sex, ValueType.name)


def _centre_in(box: list[int], other: tuple[int, int, int, int] | list[int]) -> bool:
    x, y, w, h = box
    ox, oy, ow, oh = other
    cx, cy = x + w / 2, y + h / 2
    return ox <= cx <= ox + ow and oy <= cy <= oy + oh


def read(book: Path, *, named: bool, engine: TesseractEngine) -> dict[int, PageExtraction | HotichError]:
    manifest_path = book / "book.json"
    data = json.loads(manifest_path.read_text(encoding="utf-8"))
    if not named:
        data.pop("layout", None)
        manifest_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    manifest = read_manifest(book)
    pages: dict[int, PageExtraction | HotichError] = {}
    listed, _ = pair_halves(book, list_pages(book), manifest.layouts_to_try())  # as flows/digitize.py lists them
    for page in listed:
        image, gray = load_page_as_scanned(book, page, book_id=book.name)
        colour = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
        try:
            pages[page.page_no] = extract_page(
                gray,
                layout=manifest.book_layout,
                engine=engine,
                where=f"book {book.name}, file {page.image_name}",
                candidates=manifest.layouts_to_try(),
                colour=colour,
            )
        except HotichError as error:
            pages[page.page_no] = error
    return pages


def cut_into_halves(book: Path) -> None:
    """Each spread scan becomes two: its left page and its right page, cut at the fold."""
    scans = sorted(p for p in book.iterdir() if p.suffix in (".png", ".jpg"))
    for number, path in enumerate(scans):
        with Image.open(path) as image:
            image.load()
        fold = image.width // 2
        path.unlink()
        image.crop((0, 0, fold, image.height)).save(book / f"h{2 * number + 1:04d}.png")
        image.crop((fold, 0, image.width, image.height)).save(book / f"h{2 * number + 2:04d}.png")


def measure(seeds: list[int], pages: int, out: Path, only: str | None = None, halves: bool = False) -> None:
    engine = TesseractEngine()
    for name, kind in LAYOUTS:
        if only and name != only:
            continue
        layout = layout_of(name, kind)
        for writing in ("typed", "hand"):
            count: Counter[str] = Counter()
            started = time.perf_counter()
            for seed in seeds:
                for named in (True, False):
                    folder = out / f"{name}-{writing}-{seed}-{named}"
                    book = generate_book(folder, kind=kind, seed=seed, pages=pages, layout=layout,
                                         variation=Variation(writing=writing))  # fmt: skip
                    truth = [json.loads(line) for line in (folder / "truth" / f"{book.name}.jsonl").open()]
                    if halves and layout.spread:
                        cut_into_halves(book)
                    manifest = read_manifest(book)
                    for page_no, found in read(book, named=named, engine=engine).items():
                        expected = [row for row in truth if row["page"] == page_no]
                        count["pages"] += 1
                        if isinstance(found, HotichError):
                            count["pages failed"] += 1
                            print(f"    {found.describe()}")
                            count["entries true"] += len(expected)
                            continue
                        if not named:
                            count["pages to recognise"] += 1
                            count["recognised"] += found.layout == layout.id
                        records = page_records(manifest, page_no=page_no, image_name="x", extraction=found,
                                               settings=ReviewSettings())  # fmt: skip
                        matched: set[int] = set()
                        for true in expected:
                            count["entries true"] += 1
                            hit = next((i for i, row in enumerate(found.rows) if i not in matched
                                        and _centre_in(true["bbox"], row.bbox)), None)  # fmt: skip
                            if hit is None:
                                continue
                            matched.add(hit)
                            count["entries found"] += 1
                            _score_fields(count, true, found.rows[hit], records[hit])
                        count["entries invented"] += len(found.rows) - len(matched)
            seconds = time.perf_counter() - started
            _print(name, writing, count, seconds)


def _score_fields(count: Counter[str], true: dict, row: RowExtraction, record: Record) -> None:
    for key, mark in true["marks"].items():
        count["fields true"] += 1
        count["fields cut"] += box_inside(mark["box"], row.boxes.get(key))
        cell = row.cells.get(key)
        if mark["hand"]:
            count["hand fields"] += 1
            count["hand marked"] += bool(cell and cell.handwritten)
            continue
        count["printed fields"] += 1
        count["printed marked hand"] += bool(cell and cell.handwritten)
        right = record.fields.get(key) == true["fields"].get(key)
        count["printed right"] += right
        if not right and SHOW:
            print(
                f"    {key}: {true['fields'].get(key)!r} stored {record.fields.get(key)!r}"
                f" (read {cell.raw if cell else None!r})"
            )
        if value_type(key) in HEADLINE:
            count["headline printed"] += 1
            count["headline right"] += right


def _share(count: Counter[str], part: str, whole: str) -> str:
    return f"{count[part] / count[whole]:.1%} ({count[part]}/{count[whole]})" if count[whole] else "—"


def _print(name: str, writing: str, count: Counter[str], seconds: float) -> None:
    print(f"{name} / {writing}: {count['pages']} pages read in {seconds:.0f} s ({count['pages failed']} failed)")
    print(f"  recognised          {_share(count, 'recognised', 'pages to recognise')}")
    print(
        f"  entries found       {_share(count, 'entries found', 'entries true')}   invented {count['entries invented']}"
    )
    print(f"  fields cut          {_share(count, 'fields cut', 'fields true')}")
    if count["printed fields"]:
        print(f"  printed read        {_share(count, 'printed right', 'printed fields')}   "
              f"headline {_share(count, 'headline right', 'headline printed')}")  # fmt: skip
        print(f"  printed marked hand {_share(count, 'printed marked hand', 'printed fields')}")
    if count["hand fields"]:
        print(f"  handwritten marked  {_share(count, 'hand marked', 'hand fields')}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="*", default=[201, 202, 203])
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--show", action="store_true", help="print each printed value stored wrong")
    parser.add_argument("--layout", help="only this layout (form, couple-ledger)")
    parser.add_argument("--halves", action="store_true", help="couple-ledger spreads scanned as two halves")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(args.seeds, args.pages, Path(folder), args.layout, args.halves)


if __name__ == "__main__":
    main()
