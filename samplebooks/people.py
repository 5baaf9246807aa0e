"""People for linkage tests and benchmarks: held birth records, and a new batch holding planted
duplicates (written the ways registers and OCR write the same person differently) and hard
non-duplicates (namesakes, siblings, twins).

Everything is deterministic by the seed. ``truth`` maps each new record to the held record
it duplicates (or, for a duplicate inside the batch, the earlier new record), or None.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field

from normalize.text import tone_key
from samplebooks.content import FAMILY_NAMES, GIVEN_FEMALE, GIVEN_MALE, MIDDLE_FEMALE, MIDDLE_MALE, PROVINCES

# Tone placements written both ways (old: on the first vowel; new: on the second).
_PLACEMENTS = {"Hoà": "Hòa", "Thuý": "Thúy", "Thuỷ": "Thủy", "Khoẻ": "Khỏe", "Hoè": "Hòe", "Xoà": "Xòa", "Toả": "Tỏa"}
_PLACEMENTS.update({new: old for old, new in list(_PLACEMENTS.items())})


@dataclass
class Person:
    record_id: str
    fields: dict[str, str | None]


@dataclass
class PeopleSet:
    held: list[Person] = field(default_factory=list)
    new: list[Person] = field(default_factory=list)
    truth: dict[str, str | None] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # new record id → how it was made


class PeopleMaker:
    """Names, dates and birth records drawn from ``rng``, as the generated people carry them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.families = [name for name, _ in FAMILY_NAMES]
        self.weights = [weight for _, weight in FAMILY_NAMES]
        self.places = [(commune, province) for province, _, communes in PROVINCES for commune in communes]

    def name(self, female: bool, family: str | None = None) -> str:
        rng = self.rng
        family = family or rng.choices(self.families, self.weights)[0]
        middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
        given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
        if rng.random() < 0.08:
            given = rng.choice(list(_PLACEMENTS))
        parts = [family, middle]
        if rng.random() < 0.2:
            parts.append(rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE))
        return " ".join([*parts, given])

    def date(self, first: int, last: int) -> dt.date:
        start, end = dt.date(first, 1, 1).toordinal(), dt.date(last, 12, 31).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, end))

    def birth(self, record_id: str, *, family: str | None = None, parents: tuple[str, str] | None = None,
              born: dt.date | None = None, female: bool | None = None) -> Person:  # fmt: skip
        rng = self.rng
        female = rng.random() < 0.5 if female is None else female
        father, mother = parents or (self.name(False, family), self.name(True))
        family = father.split(" ")[0]
        born = born or self.date(1935, 2024)
        registered = born + dt.timedelta(days=rng.randint(1, 60))
        commune, province = rng.choice(self.places)
        return Person(
            record_id,
            {
                "registration_number": str(rng.randint(1, 400)),
                "registration_date": registered.isoformat(),
                "full_name": self.name(female, family),
                "sex": "Nữ" if female else "Nam",
                "birth_date": born.isoformat(),
                "birth_place": f"{commune}, {province}",
                "father_name": father,
                "mother_name": mother,
            },
        )


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _one_letter(rng: random.Random, name: str) -> str:
    """An OCR-style error: one letter of one syllable replaced, dropped or a mark lost."""
    words = name.split(" ")
    index = rng.randrange(1, len(words))
    word = words[index]
    how = rng.choice(["mark", "letter"])
    if how == "mark":
        decomposed = unicodedata.normalize("NFD", word)
        marks = [i for i, char in enumerate(decomposed) if unicodedata.combining(char)]
        if marks:
            drop = rng.choice(marks)
            words[index] = unicodedata.normalize("NFC", decomposed[:drop] + decomposed[drop + 1 :])
            return " ".join(words)
    position = rng.randrange(len(word))
    replacement = {"n": "m", "m": "n", "h": "b", "u": "v", "i": "l", "c": "e", "t": "l", "g": "q"}
    char = word[position].lower()
    new = replacement.get(char, "a" if char != "a" else "o")
    words[index] = word[:position] + (new.upper() if word[position].isupper() else new) + word[position + 1 :]
    return " ".join(words)


def _iso(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


def _variant(rng: random.Random, person: Person, record_id: str, *, depth: int = 0) -> tuple[Person, str]:
    """The same birth written again: another book, a re-registration, an OCR reading
    (one change, or two at once for one in five)."""
    if depth == 0 and rng.random() < 0.2:
        first, how_first = _variant(rng, person, record_id, depth=1)
        second, how_second = _variant(rng, first, record_id, depth=1)
        return second, f"{how_first}+{how_second}"
    fields = dict(person.fields)
    how = rng.choice(["accents", "placement", "ocr", "upper", "no_middle", "date_form", "swapped", "number"])
    name = fields["full_name"] or ""
    if how == "accents":
        fields["full_name"] = _strip_accents(name)
        fields["mother_name"] = _strip_accents(fields["mother_name"] or "")
    elif how == "placement":
        words = name.split(" ")
        words[-1] = _PLACEMENTS.get(words[-1], words[-1])
        fields["full_name"] = " ".join(words)
        if fields["full_name"] == name:
            fields["full_name"] = _one_letter(rng, name)
            how = "ocr"
    elif how == "ocr":
        fields["full_name"] = _one_letter(rng, name)
    elif how == "upper":
        fields["full_name"] = name.upper()
    elif how == "no_middle":
        words = name.split(" ")
        fields["full_name"] = " ".join([words[0], words[-1]])
    elif how == "date_form" and (born := _iso(fields["birth_date"])):
        fields["birth_date"] = f"ngày {born.day} tháng {born.month} năm {born.year}"
    elif how in ("swapped", "date_form"):
        born = _iso(fields["birth_date"])
        how = "swapped"
        if born and born.day <= 12 and born.day != born.month:
            fields["birth_date"] = f"{born.year}-{born.day:02d}-{born.month:02d}"
        else:
            fields["full_name"] = _one_letter(rng, name)
            how = "ocr"
    elif how == "number":
        fields["registration_number"] = str(rng.randint(401, 800))  # re-registered in another book
        fields["father_name"] = None
    return Person(record_id, fields), how


def _hard_negative(maker: PeopleMaker, rng: random.Random, person: Person, record_id: str) -> tuple[Person, str]:
    fields = person.fields
    parents = (fields["father_name"] or "", fields["mother_name"] or "")
    female = fields["sex"] == "Nữ"
    how = rng.choice(["twin", "sibling", "namesake"])
    if how == "twin":  # same parents and birth date, another given name
        other = maker.birth(record_id, parents=parents, born=dt.date.fromisoformat(fields["birth_date"] or ""))
        while tone_key(other.fields["full_name"] or "") == tone_key(fields["full_name"] or ""):
            other = maker.birth(record_id, parents=parents, born=dt.date.fromisoformat(fields["birth_date"] or ""))
        return other, how
    if how == "sibling":  # same parents, born years apart
        born = dt.date.fromisoformat(fields["birth_date"] or "") + dt.timedelta(days=rng.randint(400, 3000))
        return maker.birth(record_id, parents=parents, born=min(born, dt.date(2024, 12, 1))), how
    other = maker.birth(record_id, female=female)  # same name, another person
    other.fields["full_name"] = fields["full_name"]
    return other, how


def generate_people(held: int, new: int, *, seed: int = 1, duplicates: float = 0.3, hard: float = 0.2) -> PeopleSet:
    """``held`` held births and ``new`` new ones: ``duplicates`` of them written again,
    ``hard`` of them hard non-duplicates of a held record, a few duplicated within the batch."""
    rng = random.Random(seed)
    maker = PeopleMaker(rng)
    people = PeopleSet()
    for index in range(held):
        people.held.append(maker.birth(f"H{seed}-{index}"))
    for index in range(new):
        record_id = f"N{seed}-{index}"
        roll = rng.random()
        source = rng.choice(people.held) if people.held else None
        if source is not None and roll < duplicates:
            person, how = _variant(rng, source, record_id)
            people.truth[record_id] = source.record_id
        elif source is not None and roll < duplicates + hard:
            person, how = _hard_negative(maker, rng, source, record_id)
            people.truth[record_id] = None
        elif people.new and roll < duplicates + hard + 0.02:  # written twice in the new books
            earlier = rng.choice(people.new)
            person, how = _variant(rng, earlier, record_id)
            how = "within_batch_" + how
            people.truth[record_id] = people.truth.get(earlier.record_id) or earlier.record_id
        else:
            person, how = maker.birth(record_id), "new"
            people.truth[record_id] = None
        people.new.append(person)
        people.kinds[record_id] = how
    return people
