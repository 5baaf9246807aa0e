"""The counter's time for queries of 10, 100, 1,000 and 10,000 characters: bounded, never quadratic.

    python bench/query_length.py [--db URL] [--records 100000] [--runs 20]

Uses review_speed's database (built once: generated births). Each query is a real name and year
padded with more name words to the length asked; a query past the bound (load.search's
MAX_QUERY_CHARS) is refused before any work, so its time is the time to say so. Prints p50/p95/max
per length, through load.search.find as the counter and `hotich search` call it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from review_speed import build
from timing import latency

from load.db import open_database
from load.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, find
from records import HotichError

# long words: 100 characters in 14
WORDS = ["nguyen", "phuong", "hoang", "thuong", "truong", "khanh", "huynh", "nghiem"]


def query_of(length: int) -> str:
    words: list[str] = ["nguyen", "van", "an", "1998"]
    while len(" ".join(words)) < length:
        words.append(WORDS[len(words) % len(WORDS)])
    return " ".join(words)[:length]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite:////tmp/hotich-review-speed.db")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    build(args.db, args.records)
    engine = open_database(args.db)
    print(f"bound: {MAX_QUERY_CHARS} characters, {MAX_QUERY_WORDS} words")
    widest = " ".join(["nguyen", "van", "an", "1998", *(WORDS * 2)][:MAX_QUERY_WORDS])  # the most accepted
    for length, query in [(10, query_of(10)), (100, query_of(100)), (len(widest), widest)] + [
        (length, query_of(length)) for length in (1_000, 10_000, 100_000)
    ]:
        timings, refused = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            try:
                find(engine, query, limit=20)
            except HotichError:
                refused += 1
            timings.append((time.perf_counter() - start) * 1000)
        verdict = "refused" if refused == args.runs else "searched"
        print(f"{length:>7,} characters ({verdict}): {latency(timings)}", flush=True)


if __name__ == "__main__":
    main()
