"""Digitise generated books end to end and print accuracy and speed figures.

    python bench/accuracy.py [--seed 777] [--pages 5] [--out DIR]

Generates one damaged book of each kind (a seed the tests never use), runs the real
``digitize`` flow into a fresh SQLite database, exports JSON Lines, scores it against the
ground truth (bench/score.py), and times hotich against one plain
``tesseract PAGE - -l vie`` run per page on the same pages.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from score import score


def plain_tesseract_seconds(pages: list[Path]) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    started = time.perf_counter()
    for page in pages:
        subprocess.run(["tesseract", str(page), "-", "-l", "vie"], capture_output=True, check=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=777)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="keep the books, database and export here")
    parser.add_argument("--skip-baseline", action="store_true", help="do not time plain tesseract")
    parser.add_argument("-v", action="store_true", help="list every wrong field")
    args = parser.parse_args()

    work = args.out or Path(tempfile.mkdtemp(prefix="hotich-bench-"))
    if work.exists() and args.out:
        shutil.rmtree(work)
    # A fresh Prefect home: no page read by an earlier run is served from the cache.
    os.environ["PREFECT_HOME"] = str(work / "prefect-home")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    from flows.digitize import digitize_book
    from load.db import open_database
    from load.export import exported_records, write_jsonl
    from records import Kind
    from samplebooks import generate_book, generate_books

    books = generate_books(work, seed=args.seed, pages=args.pages)
    db = f"sqlite:///{work / 'bench.db'}"
    open_database(db).dispose()
    # Start Prefect's local server on a throwaway one-page book, so that only pages are timed.
    warm_up = generate_book(work / "warm-up", kind=Kind.birth, seed=args.seed + 1, pages=1)
    digitize_book(warm_up, f"sqlite:///{work / 'warm-up.db'}")
    started = time.perf_counter()
    for book in books:
        digitize_book(book, db)
    hotich_seconds = time.perf_counter() - started
    pages = timed_pages = [p for book in books for p in sorted(book.iterdir()) if p.name != "book.json"]
    export = work / "records.jsonl"
    with export.open("w", encoding="utf-8") as handle:
        write_jsonl(exported_records(open_database(db)), handle)
    result = score(export, work / "truth")
    if args.v:
        print("\n".join(result["wrong"]))
    print(f"seed {args.seed}, {len(pages)} pages ({args.pages} per kind), books in {work}")
    print(f"rows in truth            {result['truth_rows']}")
    print(f"row recall               {result['row_recall']:.4f}   (extra rows: {result['extra_rows']})")
    for group, value in result["accuracy"].items():
        print(f"exact {group:<18} {value:.4f}   ({result['counts'][group]})")
    print(f"names read right, stored wrong {result['names_changed_from_right_reading']}")
    print(f"auto-accepted            {result['auto_accepted']} ({result['auto_accepted_share']:.1%} of rows)")
    print(f"  with every field right {result['auto_accepted_all_right']:.4f}")
    per_page = hotich_seconds / len(timed_pages)
    print(
        f"hotich                   {per_page:.2f} s/page, {60 / per_page:.1f} pages/min "
        f"({len(timed_pages)} pages, {os.cpu_count()} cores, Prefect start excluded)"
    )
    if not args.skip_baseline:
        baseline = plain_tesseract_seconds(timed_pages) / len(timed_pages)
        print(f"plain tesseract -l vie   {baseline:.2f} s/page (one process per page, sequential)")
        print(f"ratio hotich/tesseract   {per_page / baseline:.2f}")


if __name__ == "__main__":
    main()
