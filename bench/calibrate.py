"""Calibrate review routing: for a range of thresholds, the share auto-accepted and how many
of those are fully correct.

    python bench/accuracy.py --seed 777 --pages 8 --out RUN1   # (and more seeds)
    python bench/calibrate.py RUN1 RUN2 ...

Reads each run's database (records with their confidences, issues and reasons) and the
generator's ground truth (a record is matched to the truth row of its page with the same
registration number, else by position: a row split in two by the extraction shifts the rows
after it, whose content is still right), then routes every record again under each pair of thresholds
(``min_confidence`` for checked fields, ``min_confidence_text`` for open text and unknown
places) exactly as normalize/record.py does. A record is correct when every field equals the
truth. The lower bound is Wilson's 95 % bound on the share correct.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from score import field_right, load_truth


def wilson_lower(right: int, total: int, z: float = 1.96) -> float:
    if total == 0:
        return 0.0
    share = right / total
    centre = share + z * z / (2 * total)
    margin = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    return (centre - margin) / (1 + z * z / total)


def load_run(run: Path) -> list[tuple[dict[str, Any], bool]]:
    """(record, every field right) for each record of the run that the truth knows."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from load.db import open_database
    from load.schema import RecordRow
    from normalize.record import ocr_name_reasons

    truth = load_truth(run / "truth")
    # A row the extraction split in two shifts the row numbers after it: match a record to
    # the truth row of its page with the same registration number first, by position else.
    by_number = {
        (book, page, want["fields"].get("registration_number")): want for (book, page, _), want in truth.items()
    }
    engine = open_database(f"sqlite:///{run / 'bench.db'}")
    found = []
    with Session(engine) as session:
        for row in session.scalars(select(RecordRow)):
            want = by_number.get((row.book_id, row.page_no, row.fields.get("registration_number")))
            want = want or truth.get((row.book_id, row.page_no, row.row_no))
            if want is None:
                continue
            right = all(field_right(key, row.fields.get(key), value) for key, value in want["fields"].items())
            record = {"kind": row.kind, "fields": row.fields, "confidence": row.confidence}
            # Reasons that do not depend on the thresholds, recomputed with today's routing.
            kept = [r for r in row.review_reasons if not r.startswith(("low_confidence:", "tone_unsure:"))]
            record["other_reasons"] = kept + ocr_name_reasons(row.fields, row.confidence)
            found.append((record, right))
    engine.dispose()
    return found


def route(records: list[tuple[dict[str, Any], bool]], checked: float, text: float) -> tuple[int, int]:
    from normalize.record import ReviewSettings

    settings = ReviewSettings(min_confidence=checked, min_confidence_text=text)
    auto = right = 0
    for record, all_right in records:
        low = [
            key
            for key, value in record["confidence"].items()
            if value < settings.threshold(key, record["fields"].get(key))
        ]
        if not low and not record["other_reasons"]:
            auto += 1
            right += all_right
    return auto, right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+")
    args = parser.parse_args()
    records = [item for run in args.runs for item in load_run(run)]
    print(f"{len(records)} records, {sum(right for _, right in records)} fully right as read")
    print(f"{'checked':>8} {'text':>6} {'auto':>6} {'share':>7} {'correct':>8} {'lower95':>8}")
    for checked in (0.0, 0.5, 0.7, 0.8, 0.85, 0.86, 0.88, 0.9, 0.92, 0.95):
        for text in (0.9, 0.95, 0.98):
            auto, right = route(records, checked, text)
            share = auto / max(1, len(records))
            correct = right / max(1, auto)
            lower = wilson_lower(right, auto)
            print(f"{checked:>8.2f} {text:>6.2f} {auto:>6} {share:>7.1%} {correct:>8.4f} {lower:>8.4f}")


if __name__ == "__main__":
    main()
