"""The robustness matrix: books hotich was not tuned on, cell by cell, and the held-out fonts apart.

    python bench/robustness.py [--pages 2] [--seed 6060] [--cells font,names,damage] [--out DIR]

Each cell is a variation of the sample generator: a font family (every font installed that
covers Vietnamese: serif, sans, monospace/typewriter, condensed, bold), a name source
(``frequency``: names as common as they are; ``uniform``: family names and given syllables
drawn uniformly from the name list, rare ones as often as common ones), a damage level (0
clean, 1 as generated, 1.6 worse) and a dpi. Each cell's books (one per kind) are digitised by
the real flow into their own database and scored against the ground truth.

Printed per cell and overall: headline fields (number, dates, sex, names), names exact,
records with every headline field right, the share auto-accepted and how many of those are all
right, names OCR read right that hotich stored otherwise, the keying effort (characters a
reviewer types to fix the wrong headline fields of the records sent to review plus the
auto-accepted ones that are wrong, over typing every headline field from paper), pages per
minute. The fonts of TUNED were the only ones used while hotich was tuned; the rest are held
out, and their figure is the one that predicts books never seen.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from score import DATE_KEYS, NAME_KEYS, field_right, read_right_stored_wrong

HEADLINE = {"registration_number", "sex"} | DATE_KEYS | NAME_KEYS
# The fonts the generator drew from while hotich was tuned (samplebooks.render.FONT_FILES).
TUNED = {"DejaVuSerif.ttf", "DejaVuSans.ttf", "LiberationSerif-Regular.ttf", "LiberationSans-Regular.ttf"}


@dataclass
class Tally:
    pages: int = 0
    seconds: float = 0.0
    headline: list[int] | None = None
    names: list[int] | None = None
    records: int = 0
    all_right: int = 0
    auto: int = 0
    auto_right: int = 0
    changed_right: int = 0
    keys_to_fix: int = 0
    keys_from_paper: int = 0

    def __post_init__(self) -> None:
        self.headline = self.headline or [0, 0]
        self.names = self.names or [0, 0]

    def add(self, other: Tally) -> None:
        for name in ("pages", "seconds", "records", "all_right", "auto", "auto_right", "changed_right",
                     "keys_to_fix", "keys_from_paper"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("headline", "names"):
            mine, theirs = getattr(self, name), getattr(other, name)
            mine[0] += theirs[0]
            mine[1] += theirs[1]

    def line(self, label: str) -> str:
        def share(pair: list[int]) -> str:
            return f"{pair[0] / max(1, pair[1]):.3f}"

        auto_precision = self.auto_right / self.auto if self.auto else float("nan")
        return (
            f"{label:<44} {share(self.headline or [0, 0]):>7} {share(self.names or [0, 0]):>6} "
            f"{self.all_right / max(1, self.records):>7.3f} {self.auto / max(1, self.records):>6.3f} "
            f"{auto_precision:>7.3f} {self.changed_right:>5} {self.keys_to_fix / max(1, self.keys_from_paper):>6.3f} "
            f"{60 * self.pages / max(1e-9, self.seconds):>6.1f}"
        )


HEADER = (
    f"{'cell':<44} {'headln':>7} {'names':>6} {'allrght':>7} {'auto':>6} {'autoprc':>7} {'chgd':>5} "
    f"{'keying':>6} {'pg/min':>6}"
)


def score_cell(export: list[dict[str, Any]], truth_dir: Path) -> Tally:
    truth = {}
    for path in truth_dir.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            truth[(row["book"], row["page"], row["row"])] = row
    tally = Tally()
    for record in export:
        source = record["source"]
        want = truth.get((source.get("book"), source.get("page"), source.get("row")))
        if want is None:
            continue
        tally.records += 1
        right_all = True
        to_fix = 0
        for key, value in want["fields"].items():
            if key not in HEADLINE:
                continue
            ok = field_right(key, record["fields"].get(key), value)
            tally.headline[0] += ok  # type: ignore[index]
            tally.headline[1] += 1  # type: ignore[index]
            if key in NAME_KEYS:
                tally.names[0] += ok  # type: ignore[index]
                tally.names[1] += 1  # type: ignore[index]
                tally.changed_right += read_right_stored_wrong(key, record, value)
            written = want["written"].get(key) or ""
            tally.keys_from_paper += len(written)
            if not ok:
                right_all = False
                to_fix += len(written)
        tally.all_right += right_all
        tally.keys_to_fix += to_fix
        if record["status"] == "auto_accepted":
            tally.auto += 1
            tally.auto_right += right_all
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2, help="pages per book (one book per kind per cell)")
    parser.add_argument("--seed", type=int, default=6060)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--fonts", default="", help="comma-separated font file names (default: every one found)")
    parser.add_argument("--kinds", default="birth,death,marriage")
    args = parser.parse_args()

    work = args.out or Path(tempfile.mkdtemp(prefix="hotich-matrix-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(work / "prefect-home")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    from flows.digitize import digitize_book
    from load.db import open_database
    from load.export import exported_records
    from records import Kind
    from samplebooks import Variation, generate_book, vietnamese_fonts

    fonts = vietnamese_fonts()
    if args.fonts:
        fonts = [font for font in fonts if font.name in args.fonts.split(",")]
    kinds = [Kind(kind) for kind in args.kinds.split(",")]
    cells: list[tuple[str, Variation]] = []
    for index, font in enumerate(fonts):
        # Every font once as generated; name source, damage and dpi vary across the fonts.
        names = "uniform" if index % 2 else "frequency"
        damage = (0.0, 1.0, 1.6)[index % 3]
        dpi = (200, 300, 240)[index % 3]
        cells.append((f"{font.name} {names} dmg{damage:g} {dpi}dpi", Variation(font, dpi, names, damage)))
    warm = generate_book(work / "warm-up", kind=Kind.birth, seed=args.seed + 1, pages=1)
    digitize_book(warm, f"sqlite:///{work / 'warm-up.db'}")  # Prefect's start is not timed
    by_cell: dict[str, Tally] = {}
    held_out, tuned, total = Tally(), Tally(), Tally()
    groups: dict[str, Tally] = defaultdict(Tally)
    print(HEADER, flush=True)
    for number, (label, variation) in enumerate(cells):
        cell_dir = work / f"cell-{number:02d}"
        books = [
            generate_book(cell_dir, kind=kind, seed=args.seed + number, pages=args.pages, variation=variation)
            for kind in kinds
        ]
        db = f"sqlite:///{cell_dir / 'cell.db'}"
        started = time.perf_counter()
        for book in books:
            digitize_book(book, db)
        seconds = time.perf_counter() - started
        tally = score_cell(list(exported_records(open_database(db))), cell_dir / "truth")
        tally.pages, tally.seconds = args.pages * len(books), seconds
        by_cell[label] = tally
        print(tally.line(label), flush=True)
        (tuned if variation.font and variation.font.name in TUNED else held_out).add(tally)
        total.add(tally)
        groups[f"names {variation.names}"].add(tally)
        groups[f"damage {variation.damage:g}"].add(tally)
    print()
    for label, tally in sorted(groups.items()):
        print(tally.line(label))
    print(tuned.line("TUNED fonts"))
    print(held_out.line("HELD-OUT fonts (books never seen)"))
    print(total.line("ALL"))
    print(f"\n{len(cells)} cells, {args.pages} pages per book, books in {work}")


if __name__ == "__main__":
    main()
