"""Printed or handwritten, per field: how the ink measures read on generated books of the later
layouts (layouts.md), tuned on one set of seeds and measured on another.

    .venv/bin/python bench/handwriting.py [--tune 1 2 3] [--measure 11 12 13 14] [--pages 2]

Prints, per set, the measures' spread for printed and for handwritten fields (to set the
thresholds in extract/handwriting.py on the tuning set only) and the detection's figures:
handwritten fields found, printed fields taken for handwriting.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract.form import extract_form
from extract.handwriting import InkLook, colour_crop, look
from extract.images import load_page_as_scanned, page_ref
from extract.lines import extract_spread
from extract.tesseract import TesseractEngine
from records import Kind
from records.layouts import layout_of
from samplebooks.generate import Variation, generate_book

LAYOUTS = [("form", Kind.birth), ("couple-ledger", Kind.marriage)]


def colour_of(image) -> np.ndarray:
    return np.asarray(image.convert("RGB"))[:, :, ::-1].copy()


def run(seeds: list[int], pages: int, out: Path) -> dict[str, list[tuple[bool, bool]]]:
    """(truth handwritten, detected handwritten) per field, by layout."""
    engine = TesseractEngine()
    found: dict[str, list[tuple[bool, bool]]] = {}
    for name, kind in LAYOUTS:
        layout = layout_of(name, kind)
        for seed in seeds:
            for writing in ("hand", "typed"):
                book = generate_book(out / f"{seed}-{writing}", kind=kind, seed=seed, pages=pages, layout=layout,
                                     variation=Variation(writing=writing))  # fmt: skip
                truth = [json.loads(line) for line in (book.parent.parent / "truth" / f"{book.name}.jsonl").open()]
                for page_no in sorted({row["page"] for row in truth}):
                    rows = [row for row in truth if row["page"] == page_no]
                    image, gray = load_page_as_scanned(book, page_ref(rows[0]["image"], page_no), book_id=book.name)
                    colour = colour_of(image)
                    if name == "form":
                        page = extract_form(gray, layout=layout, engine=engine, where=book.name, colour=colour)
                        entries = [page.cells]
                    else:
                        results, *_ = extract_spread(gray, layout=layout, engine=engine, where=book.name, colour=colour)
                        entries = [cells for _n, _box, cells, _boxes, _marks in results]
                    for row, cells in zip(rows, entries, strict=False):
                        for key, mark in row["marks"].items():
                            if key in cells:
                                found.setdefault(name, []).append((bool(mark["hand"]), cells[key].handwritten))
    return found


def spread(seeds: list[int], pages: int, out: Path) -> None:
    """The measures for printed and handwritten crops of the form (the tuning view)."""
    engine = TesseractEngine()
    layout = layout_of("form", Kind.birth)
    looks: dict[bool, list[InkLook]] = {True: [], False: []}
    for seed in seeds:
        for writing in ("hand", "typed"):
            book = generate_book(out / f"s{seed}-{writing}", kind=Kind.birth, seed=seed, pages=pages, layout=layout,
                                 variation=Variation(writing=writing))  # fmt: skip
            truth = [json.loads(line) for line in (book.parent.parent / "truth" / f"{book.name}.jsonl").open()]
            for row in truth:
                image, gray = load_page_as_scanned(book, page_ref(row["image"], row["page"]), book_id=book.name)
                page = extract_form(gray, layout=layout, engine=engine, where=book.name, colour=colour_of(image))
                for key, mark in row["marks"].items():
                    if key in page.crops and key in page.cells:
                        looks[bool(mark["hand"])].append(
                            look(page.crops[key], colour_crop(colour_of(image), page.boxes[key]), 0.0)
                        )
    for hand, found in looks.items():
        blues = [x.blue for x in found if x.blue is not None]
        slants = [abs(x.slant) for x in found if x.slant is not None]
        print(f"  {'handwritten' if hand else 'printed':12} n={len(found):4}  blue−red p5/p50/p95 "
              f"{np.percentile(blues, 5):6.1f} {np.percentile(blues, 50):6.1f} {np.percentile(blues, 95):6.1f}   "
              f"|slant| p5/p50/p95 " + " ".join(f"{np.percentile(slants, q):.2f}" for q in (5, 50, 95)))  # fmt: skip


def report(label: str, found: dict[str, list[tuple[bool, bool]]]) -> None:
    for name, pairs in found.items():
        hand = [detected for truth, detected in pairs if truth]
        printed = [detected for truth, detected in pairs if not truth]
        print(f"  {label:8} {name:14} handwritten found {sum(hand)}/{len(hand)} ({sum(hand) / max(1, len(hand)):.1%})"
              f"   printed taken for hand {sum(printed)}/{len(printed)}"
              f" ({sum(printed) / max(1, len(printed)):.1%})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tune", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--measure", type=int, nargs="*", default=[11, 12, 13, 14])
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--spread", action="store_true", help="print the measures' spread on the tuning seeds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        if args.spread:
            print("form fields of the tuning seeds (blue − red beside an ink of 0):")
            spread(args.tune, args.pages, out / "spread")
        report("tune", run(args.tune, args.pages, out / "tune"))
        report("measure", run(args.measure, args.pages, out / "measure"))


if __name__ == "__main__":
    main()
