"""How long one extract (trích lục) PDF takes, crop of the source row included (target ≤ 1 s).

    python bench/extract_speed.py [--runs 20]

Generates a sample birth book, digitises nothing: a record is written for its first row with
the row's box, so the timing covers reading the scan, cropping, rendering and logging.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.orm import Session

from load.certificate import extract_pdf
from load.db import open_database
from load.schema import Book, RecordRow
from load.store import key_columns
from records import Kind
from review_ui import scans
from samplebooks import generate_book


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hotich-extract-"))
    book = generate_book(work, kind=Kind.birth, seed=3, pages=1)
    first = sorted(p.name for p in book.iterdir() if p.suffix != ".json")[0]
    engine = open_database(f"sqlite:///{work / 'x.db'}")
    fields = {
        "registration_number": "1",
        "registration_date": "1998-01-02",
        "full_name": "Nguyễn Thị Hoà",
        "sex": "female",
        "birth_date": "1997-12-30",
        "birth_place": "Phường An Khê, Đà Nẵng",
        "ethnicity": "Kinh",
        "father_name": "Nguyễn Văn Ba",
        "mother_name": "Trần Thị Bé",
        "notes": None,
    }
    with Session(engine) as session, session.begin():
        session.add(Book(book_id=book.name, kind="birth", layout="ledger", year=1998, source_dir=str(book)))
        session.flush()
        row = RecordRow(
            record_id="R1", kind="birth", book_id=book.name, page_no=1, row_no=1, image_name=first,
            bbox=[100, 500, 2200, 300], fields=fields, raw=fields, confidence={}, issues={},
            status="auto_accepted", review_reasons=[], version=1, **key_columns(Kind.birth, fields),
        )  # fmt: skip
        session.add(row)
    timings = []
    for _ in range(args.runs):
        scans._page.cache_clear()  # every extract reads its scan afresh
        started = time.perf_counter()
        crop = scans.row_crop_png(str(book), first, 1, book.name, [100, 500, 2200, 300])
        pdf = extract_pdf(engine, "R1", issued_by="bench", crop_png=crop)
        timings.append(time.perf_counter() - started)
    print(f"extract PDF ({len(pdf):,} bytes, crop included): median {statistics.median(timings) * 1000:.0f} ms, "
          f"max {max(timings) * 1000:.0f} ms over {len(timings)} runs")  # fmt: skip


if __name__ == "__main__":
    main()
