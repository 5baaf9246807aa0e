"""Dates as written in the registers → ISO 8601 (full or partial), never silently fixed."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache

from normalize.lunar import lunar_to_solar
from normalize.numwords import parse_month_words, parse_number_words
from normalize.result import Normalized
from normalize.text import digits_mended, fold, prepare_text, strip_edge_junk

_SEP = r"\s*[/.\-]\s*"
_FIGURES = re.compile(rf"^(?:ngày\s*)?(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}}|\d{{2}})$")
_MONTH_YEAR = re.compile(rf"^(?:tháng\s*)?(\d{{1,2}}){_SEP}(\d{{4}})$")
_YEAR = re.compile(r"^(?:năm\s*)?(\d{4})$")
_SPELLED = re.compile(r"^(?:ngày\s+)?(?P<d>.+?)\s+tháng\s+(?P<m>.+?)\s+năm\s+(?P<y>.+)$")
_SPELLED_MONTH = re.compile(r"^tháng\s+(?P<m>.+?)\s+năm\s+(?P<y>.+)$")
_SPELLED_YEAR = re.compile(r"^năm\s+(?P<y>.+)$")
_IN_WORDS = re.compile(r"^(?P<figures>[^()]*)\((?P<words>[^()]+)\)$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
# A time before the date: 0h20' ngày 25/9/2000, 20 giờ 30 phút ngày ..., lúc 8g15 ngày ...
_TIME = re.compile(
    r"^(?:vào\s+)?(?:(?:lúc|hồi)\s+)?(?P<h>\d{1,2})\s*(?:h|giờ|g|:)\s*(?:(?P<m>\d{1,2})\s*(?:'|’|phút|p)?)?"
    r"\s*(?:,\s*)?(?=ngày|\d)"
)
# A lunar date: marked (âm lịch), ÂL, AL; a leap month is "tháng 4 nhuận".
_LUNAR = re.compile(r"\(?\s*(?<!\w)(?:âm\s*lịch|âl|al|a\.l\.?)(?!\w)\s*\)?\s*:?")
_LEAP = re.compile(r"\s*\bnhuận\b")
# A date said to be solar (dương lịch, DL) is an ordinary date: the marker goes.
_SOLAR = re.compile(r"\(?\s*(?<!\w)(?:dương\s*lịch|dl)(?!\w)\s*\)?")
_APPROXIMATE = re.compile(r"^(?:khoảng|khoang|độ|chừng|năm\s+khoảng|khoảng\s+năm)\s+")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_SPACES = re.compile(r"\s+")
MIN_YEAR, MAX_YEAR = 1850, 2100
# A time of day after the date, as spreadsheets write datetimes: 1998-03-15 00:00:00, 15/03/1998 08:30.
_TIME_OF_DAY = re.compile(r"^(?P<date>.*\d)(?:\s+|t)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:am|pm|sa|ch))?$")
# Date words typed without diacritics (a held record): read as the words they must be.
_DATE_WORD = re.compile(r"(?<!\w)(?:ngay|thang|nam)(?!\w)")
_ACCENTED = {
    "ngay": "ngày", "thang": "tháng", "nam": "năm", "mong": "mồng", "mung": "mùng", "mot": "một", "bon": "bốn",
    "tu": "tư", "sau": "sáu", "bay": "bảy", "tam": "tám", "chin": "chín", "muoi": "mười", "lam": "lăm", "le": "lẻ",
    "tram": "trăm", "nghin": "nghìn", "ngan": "ngàn", "gieng": "giêng", "chap": "chạp", "nhuan": "nhuận",
}  # fmt: skip
_DIGIT_WORDS = {"hai", "ba", "bốn", "tư", "năm", "sáu", "bảy", "tám", "chín"}  # before "mươi" (tens)
# A lunar year named in the sexagenary cycle (năm Mậu Dần), folded; 1984 was Giáp Tý.
_STEMS = ("giap", "at", "binh", "dinh", "mau", "ky", "canh", "tan", "nham", "quy")
_BRANCHES = ("ty", "suu", "dan", "mao", "thin", "ty", "ngo", "mui", "than", "dau", "tuat", "hoi")


def _number(part: str) -> int | None:
    part = part.strip()
    for prefix in ("mồng ", "mùng "):
        part = part.removeprefix(prefix)
    if part.isdigit():
        return int(part)
    return parse_number_words(part)


def _full_year(year: int, digits: int, reference_year: int | None) -> tuple[int, list[str]]:
    if digits != 2:
        return year, []
    issues = [] if reference_year else ["two_digit_year"]
    reference = reference_year or dt.date.today().year
    full = reference // 100 * 100 + year
    return (full - 100 if full > reference else full), issues


def _iso(year: int, month: int | None, day: int | None) -> Normalized:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return Normalized(None, ("year_out_of_range",))
    if month is None:
        return Normalized(f"{year:04d}")
    if not 1 <= month <= 12:
        return Normalized(None, ("invalid_date",))
    if day is None:
        return Normalized(f"{year:04d}-{month:02d}")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return Normalized(None, ("invalid_date",))
    return Normalized(f"{year:04d}-{month:02d}-{day:02d}")


def _parse_figures(text: str, reference_year: int | None) -> Normalized | None:
    if match := _ISO.match(text):
        return _iso(int(match[1]), int(match[2]), int(match[3]))
    if match := _FIGURES.match(text):
        day, month, year_text = match.groups()
        year, issues = _full_year(int(year_text), len(year_text), reference_year)
        result = _iso(year, int(month), int(day))
        return Normalized(result.value, result.issues + tuple(issues))
    if match := _MONTH_YEAR.match(text):
        return _iso(int(match[2]), int(match[1]), None)
    if match := _YEAR.match(text):
        return _iso(int(match[1]), None, None)
    return None


def _parse_spelled(text: str, reference_year: int | None) -> Normalized | None:
    for pattern in (_SPELLED_YEAR, _SPELLED_MONTH, _SPELLED):
        match = pattern.match(text)
        if not match:
            continue
        parts = match.groupdict()
        year_text = parts["y"].strip()
        year = _number(year_text)
        month = parse_month_words(parts["m"]) if "m" in parts else None
        if "m" in parts and parts["m"].strip().isdigit():
            month = int(parts["m"])
        day = _number(parts["d"]) if "d" in parts else None
        if year is None or ("m" in parts and month is None) or ("d" in parts and day is None):
            continue
        year, issues = _full_year(year, len(year_text), reference_year)
        result = _iso(year, month, day)
        return Normalized(result.value, result.issues + tuple(issues))
    return None


def _parse_one(text: str, reference_year: int | None) -> Normalized | None:
    return _parse_figures(text, reference_year) or _parse_spelled(text, reference_year)


@lru_cache(maxsize=262144)
def parse_vn_date(raw: str | None, *, reference_year: int | None = None) -> Normalized:
    """Parse a date in any form of spec section 3; issues explain anything doubtful.

    ``reference_year`` (the book's year) resolves two-digit years.
    """
    prepared, found = prepare_text(raw)
    if _LAST_DIGIT.search(prepared):  # "năm 201]": the edge's junk is the year's last figure
        prepared, found = _LAST_DIGIT.sub(lambda match: match[1] + "1", prepared), (*found, "ocr_substitution")
    text = strip_edge_junk(prepared).lower()
    if not text:
        return Normalized.empty()
    result = _parse_text(text, reference_year)
    return Normalized(result.value, tuple(dict.fromkeys(found + result.issues))) if found else result


def _accented(text: str) -> str:
    """``ngay muoi lam thang ba nam mot nghin chin tram chin muoi tam`` with its diacritics."""
    words: list[str] = []
    for word in text.split():
        accented = _ACCENTED.get(word, word)
        if word == "muoi" and words and words[-1] in _DIGIT_WORDS:
            accented = "mươi"  # chín mươi: tens; mười alone: ten
        elif word == "mot" and words and words[-1] == "mươi":
            accented = "mốt"
        words.append(accented)
    return " ".join(words)


def cycle_year(stem: str, branch: str, latest: int) -> int | None:
    """The latest year not after ``latest`` with this stem and branch (folded: ``mau``, ``dan``)."""
    stems = [index for index, name in enumerate(_STEMS) if name == stem]
    branches = [index for index, name in enumerate(_BRANCHES) if name == branch]  # "ty": Tý or Tỵ
    for s_index in stems:
        for b_index in branches:
            if s_index % 2 == b_index % 2:  # one of the 60 pairs (Tý or Tỵ, by the stem's parity)
                offset = next(k for k in range(60) if k % 10 == s_index and k % 12 == b_index)
                return latest - (latest - 1984 - offset) % 60
    return None


def _named_lunar_year(text: str, reference_year: int | None) -> tuple[str, bool]:
    """``… năm Mậu Dần`` → ``… năm 1998`` (the latest such year not after the book's), and whether
    the year was named so (a lunar date, whose year a person checks: the cycle repeats every 60)."""
    words = text.split()
    if len(words) >= 3 and fold(words[-3]) == "nam":
        year = cycle_year(fold(words[-2]), fold(words[-1]), reference_year or dt.date.today().year)
        if year is not None:
            return " ".join([*words[:-2], str(year)]), True
    return text, False


_LAST_DIGIT = re.compile(r"(\d{3})[\]|!]$")
_DATE_WORDS = {word: _ACCENTED[word] for word in ("ngay", "thang", "nam")}  # folded: nắm, thang, ngáy misread


def _date_words_and_digits(text: str) -> tuple[str, bool]:
    """A date's words read as the words they must be (``nắm`` → ``năm``) and its look-alike figures
    as digits (``ngày Ø7 tháng l năm 201]``); and whether anything was mended."""
    words, mended = [], False
    for word in text.split():
        if (fold(word) in _DATE_WORDS and word != _DATE_WORDS[fold(word)] and not word.isascii()) or (
            word.isascii() and fold(word) in _DATE_WORDS and not text.isascii()
        ):
            words.append(_DATE_WORDS[fold(word)])
            mended = True
        elif (digits := digits_mended(word)) is not None:
            words.append(digits)
            mended = True
        else:
            words.append(word)
    return " ".join(words), mended


def _parse_text(text: str, reference_year: int | None) -> Normalized:
    if (timed := _TIME_OF_DAY.match(text)) and (dated := _parse_text(timed["date"], reference_year)).value:
        return dated  # a spreadsheet's datetime: the date is the value
    if text.isascii() and _DATE_WORD.search(text):
        text = _accented(text)
    text, named_year = _named_lunar_year(text, reference_year)
    if named_year:  # a cycle year is the lunar calendar's (Giêng and Chạp alone are also said of solar months)
        lunar = _lunar(_SPACES.sub(" ", _LUNAR.sub(" ", text)).strip(" ,"), reference_year)
        return Normalized(lunar.value, (*lunar.issues, "lunar_cycle_year"))
    if _APPROXIMATE.match(text):  # "khoảng năm 1945": the year, flagged as approximate
        about = _parse_text(_APPROXIMATE.sub("", text), reference_year)
        return Normalized(about.value, (*about.issues, "approximate_date"))
    if _SOLAR.search(text):
        text = _SPACES.sub(" ", _SOLAR.sub(" ", text)).strip(" ,")
    text = _SPACES.sub(" ", text.replace(",", " ")).strip()
    if match := _YEAR_MONTH.match(text):
        return _iso(int(match[1]), int(match[2]), None)
    if time := _TIME.match(text):
        if int(time["h"]) > 24 or (time["m"] and int(time["m"]) > 59):
            return Normalized(None, ("invalid_time",))
        text = text[time.end() :].strip()
    if _LUNAR.search(text):
        return _lunar(_SPACES.sub(" ", _LUNAR.sub(" ", text)).strip(" ,"), reference_year)
    if match := _IN_WORDS.match(text):
        return _figures_and_words(match["figures"], match["words"], reference_year)
    parsed = _parse_one(text, reference_year)
    if parsed is not None:
        return parsed
    mended, changed = _date_words_and_digits(text)
    parsed = _parse_one(mended, reference_year) if changed else None
    if parsed is not None:
        return Normalized(parsed.value, (*parsed.issues, "ocr_substitution"))
    return Normalized(None, ("unparsed_date",))


def _lunar(text: str, reference_year: int | None) -> Normalized:
    """A lunar date: converted to the solar calendar, always flagged ``lunar_date``."""
    leap = bool(_LEAP.search(text))
    parsed = _parse_text(_LEAP.sub("", text).strip(), reference_year)
    if parsed.value is None or len(parsed.value) != 10:
        return Normalized(None, (*parsed.issues, "lunar_date", "lunar_partial"))
    year, month, day = (int(part) for part in parsed.value.split("-"))
    try:
        solar = lunar_to_solar(year, month, day, leap)
    except ValueError:
        return Normalized(None, (*parsed.issues, "lunar_date", "invalid_date"))
    return Normalized(solar.isoformat(), (*parsed.issues, "lunar_date"))


def _figures_and_words(figures: str, words: str, reference_year: int | None) -> Normalized:
    in_figures = _parse_one(strip_edge_junk(figures), reference_year)
    in_words = _parse_one(strip_edge_junk(words), reference_year)
    if in_figures is None or in_words is None:
        found = in_figures or in_words
        if found is None:
            return Normalized(None, ("unparsed_date",))
        return Normalized(found.value, (*found.issues, "unparsed_date_part"))
    if in_figures.value != in_words.value:
        return Normalized(in_figures.value, (*in_figures.issues, "date_words_mismatch"))
    return in_figures


def format_vn_date(iso: str) -> str:
    """ISO (full or partial) → the figures officers write: ``15/03/1998``, ``03/1998``."""
    return "/".join(reversed(iso.split("-")))
