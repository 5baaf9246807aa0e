"""How fast the normaliser runs: field values per second (target: 50,000 on 2 cores).

Values come from the sample-book generator (the same names, dates, places, numbers and
notes a book holds, in every form its styles write them), so they repeat as real register
values do: a commune's books repeat family names, middle names, places and dates. A second
run makes every name distinct (a random given name and an OCR-style digit or legacy
encoding in some) to show the cost when nothing repeats.

    python bench/normalize_speed.py --values 1000000
"""

from __future__ import annotations

import argparse
import random
import time

from normalize.legacy import encode_tcvn3, encode_vni
from normalize.record import normalize_field
from records import Kind
from samplebooks.content import EntryWriter, random_style


def sample_values(count: int, seed: int, *, distinct_names: bool) -> list[tuple[str, str, int]]:
    """(key, written value, book year) triples, as books of all kinds write them."""
    rng = random.Random(seed)
    values: list[tuple[str, str, int]] = []
    while len(values) < count:
        kind = rng.choice(list(Kind))
        year = rng.randint(1960, 2024)
        writer = EntryWriter(rng, kind, year, random_style(rng))
        for _ in range(40):
            for key, cell in writer.entry().cells.items():
                text = cell.written
                if distinct_names and key.endswith("name"):
                    text = f"{text} {rng.choice('ABCDEGHKLMNPQSTVX')}{rng.randint(0, 999)}"
                    text = rng.choice([text, encode_tcvn3(text), encode_vni(text), text.upper()])
                values.append((key, text, year))
    return values[:count]


def measure(values: list[tuple[str, str, int]]) -> float:
    start = time.perf_counter()
    for key, text, year in values:
        normalize_field(key, text, reference_year=year)
    return len(values) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    normalize_field("full_name", "Nguyễn Văn An", reference_year=2000)  # load word lists and units
    normalize_field("birth_place", "Hà Nội", reference_year=2000)
    for label, distinct in (("register-like values", False), ("every name distinct", True)):
        values = sample_values(args.values, args.seed, distinct_names=distinct)
        unique = len(set(values))
        rate = measure(values)
        print(f"{label}: {len(values):,} values ({unique:,} distinct): {rate:,.0f} values/s")


if __name__ == "__main__":
    main()
