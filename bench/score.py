"""Score an export (JSON Lines, spec section 4) against the sample generator's ground truth.

    python bench/score.py records.jsonl TRUTH_DIR

Prints row recall, exact accuracy per kind of field (names compared case-insensitively,
diacritics exact), and how many auto-accepted records have every field right.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

NAME_KEYS = {"full_name", "father_name", "mother_name", "husband_name", "wife_name"}
DATE_KEYS = {"registration_date", "birth_date", "death_date", "husband_birth_date", "wife_birth_date"}
GROUPS = (
    {"registration_number": "number", "sex": "sex"}
    | dict.fromkeys(DATE_KEYS, "date")
    | dict.fromkeys(NAME_KEYS, "name")
)


def _norm(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = " ".join(unicodedata.normalize("NFC", value).split())
    return value.casefold() if key in NAME_KEYS else value


def field_right(key: str, got: Any, want: Any) -> bool:
    return _norm(key, got) == _norm(key, want)


def read_right_stored_wrong(field: str, record: dict[str, Any], want: Any) -> bool:
    """A name OCR read exactly as written (its raw text, normalised alone) that is stored as
    something else: hotich's own doing, never OCR's."""
    from normalize.names import normalize_name

    if field not in NAME_KEYS or field_right(field, record["fields"].get(field), want):
        return False
    return field_right(field, normalize_name(record["raw"].get(field)).value, want)


def load_truth(truth_dir: Path) -> dict[tuple[str, int, int], dict[str, Any]]:
    truth = {}
    for path in sorted(truth_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            truth[(row["book"], row["page"], row["row"])] = row
    return truth


def score(export_path: Path, truth_dir: Path) -> dict[str, Any]:
    truth = load_truth(truth_dir)
    books = {book for book, _, _ in truth}
    exported = {}
    for line in export_path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        source = record["source"]
        if source.get("book") in books:
            exported[(source["book"], source["page"], source["row"])] = record
    right: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    auto_total = auto_right = changed_right = 0
    wrong_examples: list[str] = []
    for key, want in truth.items():
        record = exported.get(key)
        if record is None:
            continue
        all_right = True
        for field, value in want["fields"].items():
            ok = field_right(field, record["fields"].get(field), value)
            group = GROUPS.get(field, "other")
            right[group][0] += ok
            right[group][1] += 1
            all_right &= ok
            changed_right += read_right_stored_wrong(field, record, want)
            if not ok and len(wrong_examples) < 400:
                wrong_examples.append(
                    f"{key} {field}: want {value!r} got {record['fields'].get(field)!r} "
                    f"raw {record['raw'].get(field)!r} [{record['status']}]"
                )
        if record["status"] == "auto_accepted":
            auto_total += 1
            auto_right += all_right
    matched = sum(key in exported for key in truth)
    return {
        "truth_rows": len(truth),
        "row_recall": matched / max(1, len(truth)),
        "extra_rows": len(set(exported) - set(truth)),
        "accuracy": {group: ok / max(1, total) for group, (ok, total) in sorted(right.items())},
        "counts": {group: f"{ok}/{total}" for group, (ok, total) in sorted(right.items())},
        "names_changed_from_right_reading": changed_right,
        "auto_accepted": auto_total,
        "auto_accepted_share": auto_total / max(1, matched),
        "auto_accepted_all_right": auto_right / max(1, auto_total),
        "wrong": wrong_examples,
    }


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    result = score(Path(sys.argv[1]), Path(sys.argv[2]))
    if "-v" in sys.argv:
        print("\n".join(result["wrong"]))
    print(f"rows in truth        {result['truth_rows']}")
    print(f"row recall           {result['row_recall']:.4f}   (extra rows: {result['extra_rows']})")
    for group, value in result["accuracy"].items():
        print(f"exact {group:<14} {value:.4f}   ({result['counts'][group]})")
    print(f"names read right, stored wrong {result['names_changed_from_right_reading']}")
    print(f"auto-accepted        {result['auto_accepted']} ({result['auto_accepted_share']:.1%} of rows)")
    print(f"  with every field right {result['auto_accepted_all_right']:.4f}")


if __name__ == "__main__":
    main()
