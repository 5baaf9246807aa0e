"""The best top-5 share any search can reach for name + birth year queries, by name statistics.

    python bench/namesake_ceiling.py [--records 1000000] [--years 90] [--sampled 10]

When k ≥ 5 people born in one year share a folded name, a query of that name and year cannot
tell them apart: the best any ranking can do is to put the wanted one in the top 5 for 5 in k
of such queries (``search_speed.py``, step 3). How often names collide is a property of the
register, not of the search. This computes that ceiling for ``records`` people born over
``years`` years (``search_speed.py`` loads 1,000,000 born 1935-2024), ``sampled`` years of
them drawn:

* with the names ``samplebooks.people`` makes, which ``search_speed.py`` loads;
* with real shares of family names and of women's and men's given names
  (``bench/data/name_shares.tsv``: Đắk Lắk province, people born 1991-2002), over a grid of
  what the published figures leave open about middle names:

  - women's names with two middle names (four words): 65 % in hoten.org's sample SG01 (Ho Chi
    Minh City, born 2007-2011), and 35 %;
  - Thị as a woman's first middle name: 55 % to 85 % of three-word names in DKL01, by year of
    birth (80-91 % of four-word names: 85 % taken);
  - Văn as a man's first middle name: under 3 % in SG01; not published for DKL01, and common
    in older cohorts: 3 %, 30 % and 60 %;
  - men's names with two middle names: 26 % (SG01).

  Each guess errs towards fewer namesakes, that is towards a higher ceiling: the names past
  the 30 listed are taken as 500 names equally rare, and the other middle names are drawn
  uniformly from the generator's lists (real ones are more concentrated).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from normalize.text import fold
from samplebooks.content import MIDDLE_FEMALE, MIDDLE_MALE
from samplebooks.people import PeopleMaker

SHARES = Path(__file__).resolve().parent / "data" / "name_shares.tsv"
TAIL = 500  # the names past those listed, each as rare as the rest of the list allows

Draw = Callable[[random.Random], str]


def _lists() -> dict[str, tuple[list[str], list[float]]]:
    """Each list of name_shares.tsv as (names, cumulative weights), its unlisted share spread
    over TAIL names of its own."""
    rows: dict[str, list[tuple[str, float]]] = defaultdict(list)
    with SHARES.open(encoding="utf-8") as handle:
        for row in csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            rows[row["list"]].append((row["name"], float(row["share"])))
    lists = {}
    for label, listed in rows.items():
        rest = max(0.0, 100 - sum(share for _, share in listed)) / TAIL
        names = [name for name, _ in listed] + [f"{label}-{number}" for number in range(TAIL)]
        shares = [share for _, share in listed] + [rest] * TAIL
        lists[label] = (names, list(itertools.accumulate(shares)))
    return lists


def real_names(lists: dict[str, tuple[list[str], list[float]]], *, women_four: float, thi_three: float,
               thi_four: float, men_four: float, van: float) -> Draw:  # fmt: skip
    """Full names drawn with the listed shares and these middle-name shares."""
    other_women = [name for name in MIDDLE_FEMALE if name != "Thị"]
    other_men = [name for name in MIDDLE_MALE if name != "Văn"]

    def draw(rng: random.Random) -> str:
        female = rng.random() < 0.5
        family = rng.choices(lists["family"][0], cum_weights=lists["family"][1])[0]
        others, four = (other_women, rng.random() < women_four) if female else (other_men, rng.random() < men_four)
        usual = ("Thị", thi_four if four else thi_three) if female else ("Văn", van)
        first = usual[0] if rng.random() < usual[1] else rng.choice(others)
        middles = [first, rng.choice(others)] if four else [first]
        names, weights = lists["female" if female else "male"]
        given = rng.choices(names, cum_weights=weights)[0]
        return " ".join([family, *middles, given])

    return draw


def ceiling(draw: Draw, per_year: int, years: int, seed: int = 1) -> tuple[float, float]:
    """(the best top-5 share, the share of queries whose folded name and year 5 or more share)."""
    rng = random.Random(seed)
    best = shared = total = 0.0
    for _ in range(years):
        for count in Counter(fold(draw(rng)) for _ in range(per_year)).values():
            best += count * min(1.0, 5 / count)
            shared += count if count >= 5 else 0
            total += count
    return best / total, shared / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=90, help="the years the records were born over")
    parser.add_argument("--sampled", type=int, default=10, help="how many of those years to draw")
    args = parser.parse_args()
    per_year = args.records // args.years
    print(f"{args.records:,} people born over {args.years} years ({per_year:,} a year), {args.sampled} years drawn")
    maker = PeopleMaker(random.Random(3))
    best, shared = ceiling(lambda rng: maker.name(rng.random() < 0.5), per_year, args.sampled)
    print(f"names as samplebooks.people makes them: ceiling {best:.2%}, queries with 5+ namesakes {shared:.1%}")
    lists = _lists()
    print("real family and given names (name_shares.tsv), middle names as below:")
    print("women 4-word | Thị, 3-word | men: Văn | ceiling | queries with 5+ namesakes")
    for women_four, thi_three, van in itertools.product((0.35, 0.65), (0.55, 0.85), (0.03, 0.30, 0.60)):
        draw = real_names(lists, women_four=women_four, thi_three=thi_three, thi_four=0.85, men_four=0.26, van=van)
        best, shared = ceiling(draw, per_year, args.sampled)
        print(f"{women_four:12.0%} | {thi_three:11.0%} | {van:9.0%} | {best:7.2%} | {shared:.1%}", flush=True)


if __name__ == "__main__":
    main()
