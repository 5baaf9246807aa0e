"""Package a 300-page book for the Ministry and print the time and the PDF sizes.

    python bench/package_speed.py [--pages 300] [--distinct 12] [--seed 5150]

Generates ``--distinct`` ledger pages of a birth book (a seed the tests never use), repeats them
as the files of a ``--pages``-page book, writes a record per ledger row into a fresh SQLite
database as reviewed, and times ``build_package`` (validator, one JPEG per page, one PDF per
record, the Excel file and the ZIP). The issue's target: ≤ 60 s for 300 pages on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--distinct", type=int, default=12)
    parser.add_argument("--seed", type=int, default=5150)
    args = parser.parse_args()

    from sqlalchemy.orm import Session

    from extract.images import content_hash, list_pages, load_page
    from load.db import open_database
    from load.moj_template import shipped_template
    from load.package import build_package
    from load.schema import Book, Page, RecordRow
    from load.store import key_columns
    from records import Kind, Status, record_id_for
    from samplebooks import generate_book

    work = Path(tempfile.mkdtemp(prefix="hotich-package-bench-"))
    source = generate_book(work / "gen", kind=Kind.birth, seed=args.seed, pages=args.distinct)
    truth = [
        json.loads(line) for line in (work / "gen" / "truth" / f"{source.name}.jsonl").read_text("utf-8").splitlines()
    ]
    by_page: dict[int, list[dict]] = {}
    for entry in truth:
        by_page.setdefault(entry["page"], []).append(entry)
    book_dir = work / "book"
    book_dir.mkdir()
    originals = sorted(p for p in source.iterdir() if p.name != "book.json")
    for page_no in range(1, args.pages + 1):
        original = originals[(page_no - 1) % len(originals)]
        shutil.copy(original, book_dir / f"{page_no:04d}{original.suffix}")
    manifest = json.loads((source / "book.json").read_text("utf-8"))
    db = f"sqlite:///{work / 'bench.db'}"
    engine = open_database(db)
    book_id = manifest["book_id"]
    records = 0
    with Session(engine) as session, session.begin():
        session.add(
            Book(book_id=book_id, kind="birth", layout="ledger", year=manifest["year"], source_dir=str(book_dir),
                 locality=manifest["locality"], volume="01", opened_year=manifest["year"],
                 registration_place=manifest["registration_place"])
        )  # fmt: skip
        hashes: dict[str, str] = {}
        for page in list_pages(book_dir):
            original = originals[(page.page_no - 1) % len(originals)].name
            if original not in hashes:
                hashes[original] = content_hash(load_page(book_dir, page, book_id=book_id))
            session.add(Page(book_id=book_id, page_no=page.page_no, image_name=page.image_name,
                             image_sha256=hashes[original], status="loaded", row_count=0))  # fmt: skip
            for entry in by_page[(page.page_no - 1) % len(originals) + 1]:
                records += 1
                fields = dict(entry["fields"], registration_number=f"{records}/{manifest['year']}")
                session.add(
                    RecordRow(record_id=record_id_for(book_id, page.page_no, entry["row"]), kind="birth",
                              book_id=book_id, page_no=page.page_no, row_no=entry["row"], image_name=page.image_name,
                              bbox=[0, 0, 10, 10], fields=fields, raw={}, confidence={}, issues={},
                              status=Status.reviewed.value, review_reasons=[], version=1, cluster_id=None,
                              min_confidence=1.0, **key_columns(Kind.birth, fields))
                )  # fmt: skip
    started = time.perf_counter()
    result = build_package(engine, [book_id], work / "out", shipped_template())
    seconds = time.perf_counter() - started
    sizes = sorted(result.pdf_sizes)
    scan_bytes = sum(p.stat().st_size for p in book_dir.iterdir())
    print(f"book: {args.pages} pages ({args.distinct} distinct scans, {scan_bytes / args.pages / 1024:.0f} kB each), "
          f"{records} records, {os.cpu_count()} cores")  # fmt: skip
    print(f"refusals: {len(result.refusals)}; written: {', '.join(p.name for p in result.written)}")
    print(f"package: {seconds:.1f} s ({seconds / args.pages * 1000:.0f} ms per page), target ≤ 60 s for 300 pages")
    print(f"PDF per A4 page: median {statistics.median(sizes):.0f} kB, min {sizes[0]:.0f}, max {sizes[-1]:.0f} kB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
