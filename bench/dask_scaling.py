"""Pages per minute with the default runner and with 1 and 2 Dask workers, on this machine, and
the scaling model the deployment page's sizing comes from (issue 23).

    .venv/bin/python bench/dask_scaling.py [--pages 6] [--seed 401]

One generated book (ledger pages of each kind in turn, real Tesseract) is digitised once per
configuration, side by side in one run: each in its own process with its own Prefect home and
database, so no page is served from another run's cache. The rate counts from the first page
submitted to the last page stored (the flow's own start-up, the Prefect server and the cluster
coming up are printed apart, as "start-up").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CONFIGS = {"threads (default, 2 pages at once)": None, "dask, 1 worker": 1, "dask, 2 workers": 2}


def one(book: Path, db: str, workers: int | None) -> dict[str, float]:
    """Run in a child process: digitise ``book`` and time it."""
    from flows.digitize import digitize_book, on_dask

    started = time.perf_counter()
    marks: dict[str, float] = {}

    def progress(event: str, _total: int, _outcome: object) -> None:
        now = time.perf_counter()
        if event == "start":
            marks["first"] = now
        else:
            marks["last"] = now

    flow = on_dask(workers=workers) if workers else digitize_book
    summary = flow(book, db, on_progress=progress)
    total = time.perf_counter() - started
    reading = marks["last"] - marks["first"]
    return {"pages": summary.count("loaded"), "errors": len(summary.errors), "reading": reading, "total": total}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--seed", type=int, default=401)
    parser.add_argument("--one", nargs=3, metavar=("BOOK", "DB", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        book, db, workers = args.one
        print(json.dumps(one(Path(book), db, int(workers) or None)))
        return
    from records import Kind
    from samplebooks import generate_book

    with tempfile.TemporaryDirectory(prefix="hotich-dask-bench-") as folder:
        root = Path(folder)
        book = generate_book(root, kind=Kind.birth, seed=args.seed, pages=args.pages)
        print(f"book: {args.pages} ledger pages (birth, seed {args.seed}); {os.cpu_count()} cores")
        rates: dict[str, float] = {}
        for label, workers in CONFIGS.items():
            home = root / f"prefect-{workers or 0}"
            home.mkdir()
            env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_LOGGING_LEVEL="ERROR")
            db = f"sqlite:///{root / f'run-{workers or 0}.db'}"
            command = [sys.executable, __file__, "--one", str(book), db, str(workers or 0)]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
            if done.returncode or not lines:
                print(f"{label}: failed\n{done.stderr[-2000:]}")
                continue
            figures = json.loads(lines[-1])
            rate = figures["pages"] / figures["reading"] * 60
            rates[label] = rate
            print(
                f"{label:36s} {figures['pages']:.0f} pages read in {figures['reading']:5.1f} s: "
                f"{rate:5.1f} pages/min  (start-up {figures['total'] - figures['reading']:4.1f} s, "
                f"{figures['errors']:.0f} failed)"
            )
        one_worker, two = rates.get("dask, 1 worker"), rates.get("dask, 2 workers")
        if one_worker and two:
            efficiency = two / (2 * one_worker)
            print(
                f"scaling on one machine: 2 workers give {two / one_worker:.2f}x one worker ({efficiency:.0%} of "
                f"linear) on {os.cpu_count()} cores. A Dask worker of one thread reads one page at a time; the "
                "default runner overlaps two (one page's cleaning and cutting with the other's Tesseract), and "
                "each page's Tesseract already runs on every core (extract/tesseract.py). Model: pages/min = "
                f"r x machines, r = {one_worker:.1f} for a {os.cpu_count()}-core machine running one Dask worker "
                "of one thread (up to the default runner's rate with --nthreads 2)."
            )
            machines = 2_000_000 / (one_worker * 60 * 8 * 60)
            print(f"machines for 2 M pages in 60 days of 8 hours at r: {machines:.1f}")


if __name__ == "__main__":
    main()
