"""Counter search: names with or without diacritics, either tone placement, typos, any order."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from load.db import open_database
from load.schema import RecordRow
from load.search import find, parse_query, search
from load.store import key_columns
from records import Kind

PEOPLE = [
    ("A", "Nguyễn Thị Hoà", "1990-05-04", "Nguyễn Văn Ba", "Trần Thị Bé", "12"),
    ("B", "Nguyễn Thị Hòa", "1991-06-07", "Lê Văn Tư", "Phạm Thị Năm", "13"),
    ("C", "Nguyễn Thị Hoa", "1990-05-04", "Đỗ Văn Sáu", "Vũ Thị Bảy", "14"),
    ("D", "Trần Văn Đức", "1985-01-02", "Trần Văn Tám", "Hồ Thị Chín", "15"),
    ("E", "Lê Thị Thu Hằng", "1990-09-09", "Lê Văn Mười", "Ngô Thị Một", "16"),
]


def _add(engine, people) -> None:  # type: ignore[no-untyped-def]
    for record_id, name, born, father, mother, number in people:
        fields = {"full_name": name, "birth_date": born, "father_name": father, "mother_name": mother,
                  "registration_number": number, "registration_date": born[:4] + "-12-01"}  # fmt: skip
        _add_record(engine, record_id, Kind.birth, fields)


def _add_record(engine: Engine, record_id: str, kind: Kind, fields: dict[str, str], status: str = "auto_accepted"):
    """One held record, with the key columns the loader writes."""
    with Session(engine) as session, session.begin():
        session.add(
            RecordRow(
                record_id=record_id, kind=kind.value, book_id=None, source_import="held.csv", fields=fields,
                raw=fields, confidence={}, issues={}, status=status, review_reasons=[], version=1,
                cluster_id=record_id, **key_columns(kind, fields),
            )
        )  # fmt: skip


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = open_database(db_url)
    _add(engine, PEOPLE)
    return engine


def _ids(engine, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit.record_id for hit in search(engine, query)]


def test_query_parts_are_recognised_in_any_order() -> None:
    parsed = parse_query("1990 hoa nguyen thi số 12 KS-1998-Q01")
    assert (parsed.year, parsed.numbers, parsed.book, parsed.words) == (
        1990,
        ["12"],
        "KS-1998-Q01",
        ["hoa", "nguyen", "thi"],
    )
    assert parse_query("Hoà 4/5/1990").date == "1990-05-04"


def test_without_diacritics_and_a_year(engine) -> None:  # type: ignore[no-untyped-def]
    assert _ids(engine, "nguyen thi hoa 1990")[:2] in (["C", "A"], ["A", "C"])


def test_exact_diacritics_rank_first_and_tone_placement_is_equal(engine) -> None:  # type: ignore[no-untyped-def]
    assert _ids(engine, "Nguyễn Thị Hoà 1990")[0] == "A"
    assert _ids(engine, "Nguyễn Thị Hòa 1990")[0] == "A"  # the other placement is the same name
    assert _ids(engine, "Nguyễn Thị Hòa 1991")[0] == "B"


def test_typos_and_word_order(engine) -> None:  # type: ignore[no-untyped-def]
    assert _ids(engine, "tran van duc 1985")[0] == "D"
    assert _ids(engine, "tran van dcu 1985")[0] == "D"  # two letters swapped
    assert _ids(engine, "duc tran van 1985")[0] == "D"  # any order
    assert _ids(engine, "le thi thu hang")[0] == "E"  # names only: the trigram index
    assert _ids(engine, "le thi thu hangg")[0] == "E"


def test_the_words_in_the_order_typed_rank_above_the_same_words_in_another(engine) -> None:  # type: ignore[no-untyped-def]
    # Two women born the same year whose middle names are the same two words, swapped: two names.
    _add(engine, [("P1", "Phạm Quỳnh Hồng Thủy", "1990-02-02", "Phạm Văn Ba", "Lê Thị Tư", "31"),
                  ("P2", "Phạm Hồng Quỳnh Thủy", "1990-03-03", "Phạm Văn Sáu", "Lê Thị Năm", "32")])  # fmt: skip
    for query, wanted, other in (("pham hong quynh thuy 1990", "P2", "P1"), ("pham quynh hong thuy 1990", "P1", "P2")):
        found = find(engine, query, limit=1)
        assert [hit.record_id for hit in found.hits] == [wanted]
        assert found.alike == 0  # the other is not "as near": the officer is not told to ask more
        assert _ids(engine, query)[:2] == [wanted, other]
    assert set(_ids(engine, "thuy pham hong quynh 1990")[:2]) == {"P1", "P2"}  # the given name first: both


def test_a_name_alone_with_a_typo_in_the_given_name(engine) -> None:  # type: ignore[no-untyped-def]
    _add(engine, [("H1", "Nguyễn Văn Hùng", "1980-01-01", "Nguyễn Văn Ba", "Lê Thị Tư", "21"),
                  ("H2", "Nguyễn Hồng Vân", "1981-02-02", "Nguyễn Văn Sáu", "Lê Thị Năm", "22")])  # fmt: skip
    assert _ids(engine, "nguyen van hung")[0] == "H1"  # read by the given name's index
    assert _ids(engine, "hung nguyen van")[0] == "H1"
    assert _ids(engine, "nguyen van hnug")[0] == "H1"  # not a given name: the names one slip away
    assert _ids(engine, "le thi thu hung")[0] == "E"  # a given name held (Hùng), one slip from Hằng
    assert _ids(engine, "nguyen hong van")[0] == "H2"


def test_a_wifes_name_alone_is_found_through_the_trigram_index(engine) -> None:  # type: ignore[no-untyped-def]
    fields = {"husband_name": "Phạm Văn Lực", "wife_name": "Đoàn Thị Mến", "husband_birth_date": "1960-03-03",
              "registration_number": "30", "registration_date": "1985-06-01"}  # fmt: skip
    _add_record(engine, "M1", Kind.marriage, fields)
    assert _ids(engine, "doan thi men")[0] == "M1"  # no given name of a person is Mến: FTS5 / pg_trgm
    assert "M1" not in [hit.record_id for hit in find(engine, "doan thi men", kind="birth").hits]
    assert _ids(engine, "pham van luc")[0] == "M1"  # the husband: the given-name index


def test_a_wifes_given_name_with_a_typo(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Many records hold her other words, more than one reading of the trigram index gives
    # (INDEXED_CANDIDATES, made small here): her record must not be left to chance among them.
    monkeypatch.setattr("load.search.INDEXED_CANDIDATES", 3)
    _add(engine, [(f"S{n}", f"Đoàn Thị {given}", "1970-01-01", "Đoàn Văn Ba", "Lê Thị Tư", str(40 + n))
                  for n, given in enumerate(["Mai", "Lan", "Cúc", "Huệ", "Mến"])])  # fmt: skip
    fields = {"husband_name": "Phạm Văn Lực", "wife_name": "Đoàn Thị Mến", "husband_birth_date": "1960-03-03",
              "registration_number": "30", "registration_date": "1985-06-01"}  # fmt: skip
    _add_record(engine, "M1", Kind.marriage, fields)
    hits = find(engine, "doan thi mne", kind="marriage").hits  # Mến, two letters swapped
    assert [hit.record_id for hit in hits] == ["M1"]


def test_a_parent_number_or_date_narrows(engine) -> None:  # type: ignore[no-untyped-def]
    assert _ids(engine, "nguyen thi hoa 4/5/1990 do van sau")[0] == "C"
    assert _ids(engine, "số 13")[0] == "B"
    assert _ids(engine, "khong co ai ten nay 1990") == []
    assert _ids(engine, "4/5/1990")[:2] in (["A", "C"], ["C", "A"])  # a date alone
    assert _ids(engine, "4/5/1991") == []  # a date alone that nobody was born on: not the whole year


def test_a_year_alone_and_a_record_without_a_name(engine) -> None:  # type: ignore[no-untyped-def]
    nameless = {"birth_date": "1990-02-03", "registration_number": "18"}  # a row whose name the scan lost
    _add_record(engine, "N", Kind.birth, nameless, status="needs_review")
    assert sorted(_ids(engine, "1990")) == ["A", "C", "E", "N"]  # the year's records, named or not
    assert sorted(_ids(engine, "nguyen thi hoa 1990")[:2]) == ["A", "C"]
    assert "N" not in _ids(engine, "nguyen thi hoa 1990")


def test_a_misremembered_date_still_finds_the_name_that_year(engine) -> None:  # type: ignore[no-untyped-def]
    _add(engine, [("K", "Phạm Văn Khoa", "1990-09-08", "Phạm Văn Hai", "Đỗ Thị Ba", "17")])
    assert _ids(engine, "le thi thu hang 8/9/1990")[0] == "E"  # born 9/9/1990; only Khoa was born on 8/9
    assert _ids(engine, "tran van duc 2/1/1985")[0] == "D"  # the exact date, found directly


def test_the_index_follows_corrections(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session, session.begin():
        row = session.get(RecordRow, "E")
        assert row is not None
        row.fields = dict(row.fields, full_name="Lê Thị Thu Hương")
        for column, value in key_columns(Kind.birth, row.fields).items():
            setattr(row, column, value)
    assert _ids(engine, "le thi thu huong")[0] == "E"


# Seven namesakes born the same year (other days, other parents): a name + year query cannot
# tell them apart, so the officer is told how many more match as well as the last one shown.
NAMESAKES = [
    (f"T{day}", "Nguyễn Thị Thủy", f"2006-03-{day:02d}", f"Trần Văn {father}", "Lê Thị Hoa", str(day))
    for day, father in zip(range(1, 8), ["An", "Bình", "Cường", "Dũng", "Hải", "Khánh", "Long"], strict=True)
]


def test_namesakes_beyond_the_limit_are_counted(engine) -> None:  # type: ignore[no-untyped-def]
    _add(engine, NAMESAKES)
    results = find(engine, "nguyen thi thuy 2006", limit=5)
    assert len(results.hits) == 5 and results.alike == 2
    assert {hit.record_id for hit in results.hits} <= {record[0] for record in NAMESAKES}
    narrowed = find(engine, "nguyen thi thuy 5/3/2006", limit=5)
    assert narrowed.hits[0].record_id == "T5"
    assert find(engine, "nguyen thi thuy 2006 tran van khanh", limit=5).hits[0].record_id == "T6"
    assert find(engine, "tran van duc 1985", limit=5).alike == 0


def test_a_parents_or_spouses_name_without_a_year(engine) -> None:  # type: ignore[no-untyped-def]
    _add(engine, NAMESAKES)
    for query in ("nguyen thi thuy tran van khanh", "tran van khanh nguyen thi thuy", "nguyen thi thuyy tran van khnah",
                  "nguyen thi thuy le thi hoa tran van khanh"):  # fmt: skip
        hits = find(engine, query, limit=5).hits
        assert hits[0].record_id == "T6", query
        assert hits[0].score > hits[1].score, query  # the father tells the namesakes apart
    assert find(engine, "nguyen thi thuy khanh", limit=5).hits[0].record_id == "T6"  # his given name alone
    fields = {"husband_name": "Phạm Văn Lực", "wife_name": "Đoàn Thị Mến", "husband_birth_date": "1960-03-03",
              "registration_number": "30", "registration_date": "1985-06-01"}  # fmt: skip
    _add_record(engine, "M1", Kind.marriage, fields)
    _add_record(engine, "M2", Kind.marriage, dict(fields, wife_name="Lê Thị Lan", registration_number="31"))
    assert _ids(engine, "pham van luc doan thi men")[0] == "M1"
    assert _ids(engine, "doan thi men pham van luc")[0] == "M1"


def test_cli_search_says_when_the_query_must_say_more(engine, db_url: str) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from flows.cli import app

    _add(engine, NAMESAKES)
    result = CliRunner().invoke(app, ["search", "nguyen thi thuy 2006", "--db", db_url, "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Nguyễn Thị Thủy") == 5
    assert "at least 2 more records match as well" in result.output
    alone = CliRunner().invoke(app, ["search", "nguyen thi thuy 7/3/2006", "--db", db_url, "--limit", "5"])
    assert "T7" in alone.output.splitlines()[0] and "more records match" not in alone.output


def test_role_words_say_whose_name_follows() -> None:
    parsed = parse_query("Nguyễn Thị Thủy, cha: Trần Văn Khánh MẸ le thi hoa 2006")
    assert (parsed.words, parsed.year, parsed.lead_role) == (["nguyen", "thi", "thuy"], 2006, None)
    assert parsed.keyed == parse_query("Nguyễn Thị Thủy").keyed  # the person's words only: her spelling
    assert parsed.relatives == (("father", ("tran", "van", "khanh")), ("mother", ("le", "thi", "hoa")))
    leading = parse_query("chồng pham van luc doan thi men")
    assert (leading.lead_role, leading.words, leading.relatives) == (
        "spouse",
        ["pham", "van", "luc", "doan", "thi", "men"],
        (),
    )
    assert parse_query("cha nguyen van ba") == parse_query("nguyen van ba")  # nothing but his name
    assert parse_query("vo ba ma").words == ["vo", "ba", "ma"]  # Võ, Ba, Mã: names, not role words
    assert parse_query("nguyen van ba cha").relatives == ()  # a role word with no name after it


def test_a_relative_said_with_a_role_word(engine) -> None:  # type: ignore[no-untyped-def]
    _add(engine, NAMESAKES)
    for query in ("nguyen thi thuy cha tran van khanh", "Nguyễn Thị Thủy, bố: Trần Văn Khánh",
                  "cha tran van khanh nguyen thi thuy", "nguyen thi thuy 2006 cha tran van khnah",
                  "nguyen thi thuy me le thi hoa cha tran van khanh"):  # fmt: skip
        hits = find(engine, query, limit=5).hits
        assert hits[0].record_id == "T6", query
        assert hits[0].score > hits[1].score, query


def test_the_role_said_counts(engine) -> None:  # type: ignore[no-untyped-def]
    # The same name is one namesake's father and the other's mother (Xuân: a man's or a woman's name).
    _add(engine, [("R1", "Phạm Thị Lan", "1975-01-01", "Nguyễn Thanh Xuân", "Lê Thị Mai", "61"),
                  ("R2", "Phạm Thị Lan", "1975-02-02", "Trần Văn Bình", "Nguyễn Thanh Xuân", "62")])  # fmt: skip
    for query, wanted in (("pham thi lan me nguyen thanh xuan", "R2"), ("pham thi lan cha nguyen thanh xuan", "R1"),
                          ("me nguyen thanh xuan pham thi lan 1975", "R2")):  # fmt: skip
        hits = find(engine, query, limit=5).hits
        assert [hit.record_id for hit in hits[:2]] == [wanted, ({"R1", "R2"} - {wanted}).pop()], query
        assert hits[0].score > hits[1].score, query


def test_the_spelling_said_ranks_first_with_a_relative(engine) -> None:  # type: ignore[no-untyped-def]
    # Thủy and Thúy fold alike and have the same father: only the diacritics tell them apart.
    _add(engine, [("X1", "Nguyễn Thị Thủy", "1980-01-01", "Trần Văn Khánh", "Lê Thị Hoa", "71"),
                  ("X2", "Nguyễn Thị Thúy", "1980-01-01", "Trần Văn Khánh", "Lê Thị Hoa", "72")])  # fmt: skip
    assert _ids(engine, "Nguyễn Thị Thủy cha Trần Văn Khánh")[0] == "X1"
    assert _ids(engine, "Nguyễn Thị Thúy cha Trần Văn Khánh")[0] == "X2"


def test_a_relative_the_book_does_not_hold(engine) -> None:  # type: ignore[no-untyped-def]
    # No father written (a birth registered by the mother): the person is still found, after a
    # namesake whose father is the one named.
    _add(engine, [("F1", "Hoàng Văn Lợi", "1992-03-03", "", "Đinh Thị Xuyến", "81"),
                  ("F2", "Hoàng Văn Lợi", "1993-04-04", "Hoàng Văn Tấn", "Đinh Thị Lụa", "82")])  # fmt: skip
    assert _ids(engine, "hoang van loi cha hoang van tan")[:2] == ["F2", "F1"]
    assert _ids(engine, "hoang van loi cha mai van kien")[0] == "F1"  # a father not held beats another


def test_a_father_of_the_same_name_among_a_numbers_records(engine) -> None:  # type: ignore[no-untyped-def]
    # A number's records are read whole (no year): the father who bears the child's name is kept.
    _add(engine, [("Y1", "Nguyễn Văn Ba", "1960-01-01", "Nguyễn Văn Ba", "Lê Thị Tư", "90"),
                  ("Y2", "Nguyễn Văn Ba", "1961-01-01", "Lê Văn Tư", "Nguyễn Văn Ba", "90")])  # fmt: skip
    assert _ids(engine, "so 90 nguyen van ba cha nguyen van ba")[0] == "Y1"
    assert _ids(engine, "so 90 nguyen van ba me nguyen van ba")[0] == "Y2"


def test_a_wife_found_with_her_husband_named(engine) -> None:  # type: ignore[no-untyped-def]
    fields = {"husband_name": "Phạm Văn Lực", "wife_name": "Đoàn Thị Mến", "husband_birth_date": "1960-03-03",
              "registration_number": "30", "registration_date": "1985-06-01"}  # fmt: skip
    _add_record(engine, "M1", Kind.marriage, fields)
    _add_record(engine, "M3", Kind.marriage, dict(fields, husband_name="Lê Văn Tư", registration_number="33"))
    assert _ids(engine, "doan thi men, chồng pham van luc")[:2] == ["M1", "M3"]
    assert _ids(engine, "doan thi men chong le van tu")[:2] == ["M3", "M1"]


def test_a_typo_that_spells_another_name_with_a_relative_said(engine) -> None:  # type: ignore[no-untyped-def]
    # "tung" is Tùng, held, and one slip from Trung: with his father named, the Tùng whose father
    # is near (Xuân for Xòa) is not near enough, and the records one slip away are read too.
    _add(engine, [("W1", "Nguyễn Nhật Trung", "1980-01-01", "Nguyễn Văn Xòa", "Lê Thị Mai", "101"),
                  ("W2", "Nguyễn Nhật Tùng", "1981-01-01", "Nguyễn Văn Xuân", "Lê Thị Lan", "102")])  # fmt: skip
    assert _ids(engine, "nguyen nhat tung cha nguyen van xoa")[0] == "W1"


def test_many_namesakes_of_a_near_name_with_a_relative_said(engine) -> None:  # type: ignore[no-untyped-def]
    # Fifty Nguyễn Thu Ngân, each one slip from "ngn" as Nga is, come before her by name alone;
    # her father tells them apart only if her name is kept among those read with their relatives.
    _add(engine, [(f"G{n}", "Nguyễn Thu Ngân", "1990-01-01", f"Trần Văn Tư {n}", "Lê Thị Mai", str(200 + n))
                  for n in range(60)])  # fmt: skip
    _add(engine, [("G", "Nguyễn Thu Nga", "1990-02-02", "Nguyễn Mạnh Quyết", "Lê Thị Lan", "300")])
    assert _ids(engine, "nguyen thu ngn 1990 cha nguyen manh quyet")[0] == "G"
    assert _ids(engine, "nguyen thu ngn cha nguyen manh quyet")[0] == "G"


MARRIAGE = {"husband_name": "Phạm Văn Lực", "husband_birth_date": "1960-03-03", "wife_name": "Đoàn Thị Mến",
            "wife_birth_date": "1963-07-08", "registration_number": "30",
            "registration_date": "1985-06-01"}  # fmt: skip
DEATH = {"full_name": "Hồ Văn Quế", "birth_date": "1931-02-03", "death_date": "2011-10-12",
         "registration_number": "7", "registration_date": "2011-10-14"}  # fmt: skip


def test_a_wife_found_by_her_own_birth_year_or_date(engine) -> None:  # type: ignore[no-untyped-def]
    # She asks for her marriage extract: her name and the year (or day) she was born, not her husband's.
    _add_record(engine, "M1", Kind.marriage, MARRIAGE)
    assert _ids(engine, "doan thi men 1963")[0] == "M1"
    assert _ids(engine, "doan thi mne 1963")[0] == "M1"  # with a typo
    assert _ids(engine, "Đoàn Thị Mến 8/7/1963")[0] == "M1"
    assert [hit.record_id for hit in find(engine, "doan thi men 1963", kind="marriage").hits] == ["M1"]
    assert _ids(engine, "pham van luc 1960")[0] == "M1"  # the husband, as before


def test_a_marriage_found_by_the_year_it_was_registered(engine) -> None:  # type: ignore[no-untyped-def]
    _add_record(engine, "M1", Kind.marriage, MARRIAGE)
    assert _ids(engine, "doan thi men 1985")[0] == "M1"  # "we married in 1985"
    assert _ids(engine, "pham van luc 1985")[0] == "M1"
    assert _ids(engine, "pham van luc 1/6/1985")[0] == "M1"


def test_a_death_found_by_the_year_or_date_of_death(engine) -> None:  # type: ignore[no-untyped-def]
    # The family asks for a death extract: they know when he died better than when he was born.
    _add_record(engine, "T1", Kind.death, DEATH)
    assert _ids(engine, "ho van que 2011")[0] == "T1"
    assert _ids(engine, "ho van qeu 2011")[0] == "T1"
    assert _ids(engine, "ho van que 12/10/2011")[0] == "T1"
    assert _ids(engine, "ho van que 1931")[0] == "T1"  # his birth year, as before
    assert "T1" not in [hit.record_id for hit in find(engine, "ho van que 2011", kind="birth").hits]


def test_a_year_of_death_does_not_bring_births_registered_that_year(engine) -> None:  # type: ignore[no-untyped-def]
    # A birth is registered in its year of birth or soon after: its registration year says nothing
    # the birth year does not, and a namesake registered that year is no answer to a year of death.
    _add_record(engine, "T1", Kind.death, DEATH)
    late = {"full_name": "Hồ Văn Quế", "birth_date": "2009-01-01", "registration_date": "2011-03-03"}
    _add_record(engine, "K1", Kind.birth, late)
    assert _ids(engine, "ho van que 2011") == ["T1"]


def test_the_dates_a_query_may_give_are_shown(engine, db_url: str) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from flows.cli import app

    _add_record(engine, "M1", Kind.marriage, MARRIAGE)
    _add_record(engine, "T1", Kind.death, DEATH)
    death = CliRunner().invoke(app, ["search", "ho van que 2011", "--db", db_url])
    assert "born 1931-02-03, died 2011-10-12" in death.output.splitlines()[0]
    marriage = CliRunner().invoke(app, ["search", "doan thi men 1963", "--db", db_url])
    assert "born 1960-03-03, wife born 1963-07-08, married 1985-06-01" in marriage.output.splitlines()[0]
    (hit,) = [hit.as_dict() for hit in search(engine, "ho van que 2011")]
    assert (hit["event_date"], hit["other_birth_date"]) == ("2011-10-12", None)
    born = search(engine, "tran van duc 1985")[0].as_dict()  # a birth's registration date is no date of its own
    assert (born["birth_date"], born["event_date"]) == ("1985-01-02", None)


@pytest.mark.parametrize("kind", [None, "death", "marriage"])
@pytest.mark.parametrize("first, last", [("2011", "2012"), ("2011-10-12", "2011-10-12")])
def test_the_other_dates_are_read_from_their_own_indexes(tmp_path, kind, first, last) -> None:  # type: ignore[no-untyped-def]
    # Without statistics SQLite once took the kind's equality on another index over the wife's
    # birth date (every marriage read: 55 ms at 20,000). SQLite only: PostgreSQL plans by statistics.
    from load.search import _other_date_reads

    engine = open_database(f"sqlite:///{tmp_path / 'plan.db'}")
    with engine.connect() as connection:
        for statement in _other_date_reads(kind, first, last):
            compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
            values = tuple(compiled.params[name] for name in compiled.positiontup or ())
            (plan,) = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.string, values)]
            assert plan.startswith(PLANS), plan


PLANS = (
    "SEARCH records USING COVERING INDEX ix_records_event (kind=? AND event_date",
    "SEARCH records USING COVERING INDEX ix_records_wife (kind=? AND other_birth_date",
)


def test_a_name_typed_in_part_says_how_many_hold_it_and_asks_for_more(db_url: str) -> None:
    from typer.testing import CliRunner
    from web_fixtures import make_site

    from flows.cli import app
    from load.db import open_database
    from load.search import find

    make_site(db_url, records=30)  # 30 Nguyễn Văn An
    engine = open_database(db_url)
    for query in ("nguyen", "van an", "an"):
        results = find(engine, query)
        assert not results.hits and results.holding_words == 30, query  # "no record found" before
    assert find(engine, "zzyzx").holding_words == 0
    said = CliRunner().invoke(app, ["search", "nguyen", "--db", db_url])
    assert said.exit_code == 1 and "30 records hold these words" in " ".join(said.output.split())
    empty = CliRunner().invoke(app, ["search", "  ", "--db", db_url])
    assert empty.exit_code == 2 and "query_empty" in empty.output
