"""Closed vocabularies of register fields: the 54 ethnic groups."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from normalize.text import clean_text, fold, tone_key


@cache
def ethnicities() -> dict[str, str]:
    """Tone key of every accepted spelling → the official name."""
    text = resources.files("normalize.data").joinpath("ethnicities.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    names: dict[str, str] = {}
    for row in rows:
        for spelling in [row["name"], *filter(None, (row["variants"] or "").split("|"))]:
            names[tone_key(spelling.replace("-", " "))] = row["name"]
    return names


@cache
def _ethnicities_by_fold() -> dict[str, set[str]]:
    folded: dict[str, set[str]] = {}
    for key, name in ethnicities().items():
        folded.setdefault(fold(key.translate(str.maketrans("", "", "012345"))), set()).add(name)
    return folded


def is_known_ethnicity(text: str) -> bool:
    return tone_key(clean_text(text).replace("-", " ")) in ethnicities()


def mend_ethnicity(text: str) -> str | None:
    """The one official name whose letters match ``text`` when marks are ignored, if any."""
    matches = _ethnicities_by_fold().get(fold(clean_text(text).replace("-", " ")), set())
    return next(iter(matches)) if len(matches) == 1 else None
