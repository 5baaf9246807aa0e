"""The sample generator: deterministic by seed, numbers in words, truth beside the pages."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from normalize.numwords import number_in_words, parse_number_words
from records import Kind
from samplebooks import generate_book


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def test_same_seed_same_book(tmp_path: Path) -> None:
    generate_book(tmp_path / "a", kind=Kind.death, seed=21, pages=1)
    generate_book(tmp_path / "b", kind=Kind.death, seed=21, pages=1)
    generate_book(tmp_path / "c", kind=Kind.death, seed=22, pages=1)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_truth_matches_the_contract(tmp_path: Path) -> None:
    book = generate_book(tmp_path, kind=Kind.marriage, seed=4, pages=2)
    manifest = json.loads((book / "book.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "marriage" and manifest["layout"] == "ledger"
    rows = [json.loads(line) for line in (tmp_path / "truth" / f"{book.name}.jsonl").read_text().splitlines()]
    assert rows and {row["page"] for row in rows} == {1, 2}
    assert list(rows[0]["fields"]) == [
        "registration_number", "registration_date", "husband_name", "husband_birth_date",
        "husband_residence", "wife_name", "wife_birth_date", "wife_residence", "notes",
    ]  # fmt: skip


@given(st.integers(min_value=0, max_value=2999))
def test_numbers_in_words_round_trip(number: int) -> None:
    assert parse_number_words(number_in_words(number)) == number


def test_a_variation_prints_with_its_font_dpi_names_and_damage(tmp_path: Path) -> None:
    from PIL import Image

    from samplebooks import Variation, vietnamese_fonts
    from samplebooks.render import available_fonts

    fonts = vietnamese_fonts()
    assert set(available_fonts()) <= set(fonts)  # the generator's own fonts are among them
    varied = Variation(font=fonts[-1], dpi=200, names="uniform", damage=0.0)
    book = generate_book(tmp_path, kind=Kind.birth, seed=5, pages=1, variation=varied)
    scan = next(p for p in book.iterdir() if p.name != "book.json")
    assert scan.suffix == ".png"  # no JPEG damage at damage 0
    with Image.open(scan) as image:
        assert image.size == (int(11.69 * 200), int(8.27 * 200))
    again = generate_book(tmp_path / "again", kind=Kind.birth, seed=5, pages=1, variation=varied)
    assert (again / scan.name).read_bytes() == scan.read_bytes()  # deterministic
    common = generate_book(tmp_path / "common", kind=Kind.birth, seed=5, pages=1)
    truth = [json.loads(line) for line in (tmp_path / "truth" / f"{book.name}.jsonl").read_text("utf-8").splitlines()]
    usual = [
        json.loads(line)
        for line in (tmp_path / "common" / "truth" / f"{common.name}.jsonl").read_text("utf-8").splitlines()
    ]
    assert [r["fields"]["full_name"] for r in truth] != [r["fields"]["full_name"] for r in usual]
