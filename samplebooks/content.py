"""Realistic register content: who is born, dies and marries, written as officers write it.

Family-name shares follow the published distribution (Nguyễn ~38%, Trần ~11%, Lê ~9.5%,
Phạm ~7%; the top 14 cover ~90%). Each generated entry carries both the text as printed
and the canonical value hotich must produce (computed here, never by hotich's normaliser).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from normalize.numwords import date_in_words
from records import Kind
from records.layouts import Layout, ValueType, value_type

FAMILY_NAMES: list[tuple[str, float]] = [
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.1), ("Hoàng", 3.0),
    ("Huỳnh", 2.1), ("Phan", 4.5), ("Vũ", 2.0), ("Võ", 1.9), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.6),
    ("Trịnh", 0.5), ("Lương", 0.4), ("Mai", 0.4), ("Tạ", 0.3), ("Đào", 0.4), ("Cao", 0.3),
    ("Lâm", 0.3), ("Quách", 0.2), ("Kiều", 0.2), ("Thái", 0.2), ("Tô", 0.2), ("Hà", 0.3),
    ("Vương", 0.2), ("Triệu", 0.2), ("Châu", 0.2), ("Âu", 0.1), ("Ông", 0.1), ("Khổng", 0.1),
    ("Lã", 0.1), ("Mạc", 0.1), ("Từ", 0.1), ("Phùng", 0.2), ("Doãn", 0.1), ("Lục", 0.1),
    ("Tăng", 0.1), ("Chu", 0.1), ("Lưu", 0.2), ("Ưng", 0.05), ("Ứng", 0.05),
]  # fmt: skip

MIDDLE_MALE = [
    "Văn",
    "Văn",
    "Văn",
    "Hữu",
    "Đức",
    "Minh",
    "Quang",
    "Công",
    "Thành",
    "Xuân",
    "Ngọc",
    "Thế",
    "Đình",
    "Trọng",
    "Quốc",
    "Anh",
    "Gia",
    "Bảo",
    "Tuấn",
    "Khắc",
    "Duy",
    "Mạnh",
    "Tiến",
    "Chí",
    "Phước",
    "Nhật",
]
MIDDLE_FEMALE = [
    "Thị",
    "Thị",
    "Thị",
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Kim",
    "Mỹ",
    "Thuỳ",
    "Thùy",
    "Diệu",
    "Hồng",
    "Bích",
    "Khánh",
    "Phương",
    "Minh",
    "Bảo",
    "Quỳnh",
    "Tường",
    "Ánh",
    "Diễm",
    "Huyền",
]
GIVEN_MALE = [
    "An",
    "Anh",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Định",
    "Đông",
    "Đức",
    "Giang",
    "Hải",
    "Hiếu",
    "Hiển",
    "Hoà",
    "Hòa",
    "Hùng",
    "Huy",
    "Hưng",
    "Khải",
    "Khoa",
    "Khánh",
    "Kiên",
    "Lâm",
    "Lộc",
    "Long",
    "Mạnh",
    "Minh",
    "Nam",
    "Nghĩa",
    "Nhân",
    "Phong",
    "Phúc",
    "Quân",
    "Quang",
    "Quý",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Thịnh",
    "Toàn",
    "Trí",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Vũ",
    "Khuê",
    "Ẩn",
    "Mẫn",
    "Lũy",
    "Thưởng",
    "Nguyện",
    "Quyết",
    "Quỳnh",
    "Uy",
    "Tường",
    "Hoạch",
    "Khuyến",
    "Ngữ",
    "Trường",
    "Thuận",
    "Hoàn",
]
GIVEN_FEMALE = [
    "Ánh",
    "Bích",
    "Châu",
    "Chi",
    "Diệp",
    "Dung",
    "Duyên",
    "Giang",
    "Hà",
    "Hằng",
    "Hạnh",
    "Hiền",
    "Hoa",
    "Hương",
    "Huyền",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phượng",
    "Quyên",
    "Quỳnh",
    "Thảo",
    "Thoa",
    "Thư",
    "Thuý",
    "Thúy",
    "Thuỷ",
    "Thủy",
    "Trang",
    "Tuyết",
    "Uyên",
    "Vân",
    "Xuân",
    "Yến",
    "Nguyệt",
    "Ngọc",
    "Nhạn",
    "Khuyên",
    "Tươi",
    "Lụa",
    "Ngoãn",
    "Dạ",
    "Tuệ",
    "Ửng",
    "Hoè",
]

PROVINCES = [
    ("Thành phố Đà Nẵng", "Quận Thanh Khê", ["Phường An Khê", "Phường Chính Gián", "Phường Thạc Gián"]),
    ("Thành phố Hà Nội", "Quận Đống Đa", ["Phường Ô Chợ Dừa", "Phường Láng Thượng", "Phường Quốc Tử Giám"]),
    ("Tỉnh Nghệ An", "Huyện Diễn Châu", ["Xã Diễn Hạnh", "Xã Diễn Kỷ", "Xã Diễn Thịnh"]),
    ("Tỉnh Thừa Thiên Huế", "Huyện Phú Vang", ["Xã Phú Thượng", "Xã Vinh Hà", "Xã Phú Mỹ"]),
    ("Tỉnh Bến Tre", "Huyện Mỏ Cày Nam", ["Xã Đa Phước Hội", "Xã Hương Mỹ", "Xã Thành Thới A"]),
    ("Tỉnh Lạng Sơn", "Huyện Tràng Định", ["Xã Đề Thám", "Xã Hùng Sơn", "Xã Kháng Chiến"]),
]  # fmt: skip
HOSPITALS = [
    "Bệnh viện Phụ sản Đà Nẵng", "Trạm y tế xã", "Bệnh viện Bạch Mai", "Tại nhà",
    "Bệnh viện Đa khoa tỉnh", "Nhà hộ sinh khu vực", "Bệnh viện Từ Dũ",
]  # fmt: skip
ETHNICITIES = ["Kinh"] * 20 + ["Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Dao", "Ê Đê"]
CAUSES = [
    "Bệnh già", "Tai nạn giao thông", "Ung thư phổi", "Đột quỵ", "Bệnh tim", "Suy hô hấp",
    "Xơ gan", "Đuối nước", "",
]  # fmt: skip
NOTES = [
    "Đăng ký lại", "Đăng ký quá hạn", "Cải chính họ tên ngày {d}", "Bổ sung tên cha ngày {d}",
    "Con nuôi", "Đã cấp bản sao ngày {d}", "Ghi chú theo QĐ số {n}/QĐ-UBND",
]  # fmt: skip


@dataclass
class Cell:
    """What is printed in a cell and what hotich must make of it."""

    written: str
    value: str | None


@dataclass
class Entry:
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass
class BookStyle:
    """How one book's officer wrote: upper-case names, date form, number form."""

    upper_names: bool
    date_form: str  # slash | dash | dot | words_inline | padded
    number_form: str  # plain | padded | with_year
    words_for_birth: bool


def random_style(rng: random.Random) -> BookStyle:
    return BookStyle(
        upper_names=rng.random() < 0.6,
        date_form=rng.choice(["slash", "padded", "dash", "dot", "words_inline"]),
        number_form=rng.choice(["plain", "padded", "with_year"]),
        words_for_birth=rng.random() < 0.3,
    )


_LATER_KEYS = frozenset(
    ["nationality", "home_town", "declarant_relation", "signer", "officer"]
    + [f"{who}_{what}" for who in ("father", "mother") for what in ("ethnicity", "nationality")]
    + [f"{who}_{what}" for who in ("husband", "wife")
       for what in ("ethnicity", "nationality", "home_town", "id_document", "marriage_count")]
)  # fmt: skip


class EntryWriter:
    """Makes entries of one book, deterministic by its ``random.Random``."""

    def __init__(
        self,
        rng: random.Random,
        kind: Kind,
        year: int,
        style: BookStyle,
        layout: Layout | None = None,
        *,
        uniform_names: bool = False,
    ) -> None:
        self.uniform_names = uniform_names
        self.rng = rng
        self.kind = kind
        self.layout = layout
        self.year = year
        self.style = style
        self.number = 0
        self.day = dt.date(year, 1, 2)
        self.province, self.district, self.communes = rng.choice(PROVINCES)
        self.staff: dict[str, list[str]] = {}  # the signers and officers of the book (later layouts)

    # --- values -------------------------------------------------------------
    def person_name(self, female: bool) -> str:
        if self.uniform_names:
            return self._uniform_name(female)
        family = self.rng.choices([n for n, _ in FAMILY_NAMES], [w for _, w in FAMILY_NAMES])[0]
        middles = MIDDLE_FEMALE if female else MIDDLE_MALE
        given = self.rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
        parts = [family, self.rng.choice(middles)]
        if self.rng.random() < 0.25:
            parts.append(self.rng.choice(middles))
        return " ".join(dict.fromkeys([*parts, given]))

    def _uniform_name(self, female: bool) -> str:
        """A family name and given syllables drawn evenly from the name list: rare names as
        often as common ones (no frequency says which is written)."""
        from normalize.lexicon import family_names, given_syllables

        families = sorted({s for spellings in family_names().by_fold.values() for s, _ in spellings if " " not in s})
        givens = sorted({s for spellings in given_syllables().by_fold.values() for s, _ in spellings})
        middle = self.rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
        parts = [self.rng.choice(families), middle, *self.rng.sample(givens, self.rng.choice([1, 1, 2]))]
        return " ".join(dict.fromkeys(part[:1].upper() + part[1:] for part in parts))

    def name_cell(self, female: bool) -> Cell:
        name = self.person_name(female)
        return Cell(name.upper() if self.style.upper_names else name, name)

    def date_cell(self, date: dt.date, *, in_words: bool = False, form: str | None = None) -> Cell:
        form = form or self.style.date_form
        written = {
            "slash": f"{date.day}/{date.month}/{date.year}",
            "padded": f"{date.day:02d}/{date.month:02d}/{date.year}",
            "dash": f"{date.day:02d}-{date.month:02d}-{date.year}",
            "dot": f"{date.day}.{date.month}.{date.year}",
            "words_inline": f"ngày {date.day} tháng {date.month} năm {date.year}",
            "short_year": f"{date.day:02d}-{date.month:02d}-{date.year % 100:02d}",
        }[form]
        if in_words:
            written += f" ({date_in_words(date)})"
        return Cell(written, date.isoformat())

    def partial_date_cell(self, date: dt.date) -> Cell:
        if self.rng.random() < 0.5:
            return Cell(str(date.year), str(date.year))
        return Cell(f"{date.month}/{date.year}", f"{date.year}-{date.month:02d}")

    def random_date(self, first_year: int, last_year: int) -> dt.date:
        start = dt.date(first_year, 1, 1).toordinal()
        end = dt.date(last_year, 12, 31).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, end))

    def registration(self) -> tuple[Cell, Cell]:
        self.number += 1
        self.day = min(self.day + dt.timedelta(days=self.rng.randint(0, 3)), dt.date(self.year, 12, 31))
        written = {
            "plain": str(self.number),
            "padded": f"{self.number:02d}",
            "with_year": f"{self.number:02d}/{self.year}",
        }[self.style.number_form]
        value = str(self.number) + (f"/{self.year}" if self.style.number_form == "with_year" else "")
        form = "short_year" if self.rng.random() < 0.1 else None
        return Cell(written, value), self.date_cell(self.day, form=form)

    def place(self) -> str:
        commune = self.rng.choice(self.communes)
        if self.rng.random() < 0.5:
            return f"{commune}, {self.district}, {self.province}"
        return f"{commune}, {self.province.removeprefix('Tỉnh ').removeprefix('Thành phố ')}"

    def text_cell(self, text: str) -> Cell:
        return Cell(text, text or None)

    def note(self) -> Cell:
        if self.rng.random() > 0.15:
            return Cell("", None)
        template = self.rng.choice(NOTES)
        later = self.random_date(self.year + 1, self.year + 15)
        text = template.format(d=f"{later.day}/{later.month}/{later.year}", n=self.rng.randint(10, 999))
        return Cell(text, text)

    def sex_cell(self, female: bool) -> Cell:
        written = self.rng.choice(["Nữ", "NỮ", "nữ"] if female else ["Nam", "NAM", "nam"])
        return Cell(written, "female" if female else "male")

    # --- entries ------------------------------------------------------------
    def entry(self) -> Entry:
        number, registered = self.registration()
        cells = {"registration_number": number, "registration_date": registered}
        cells |= {
            Kind.birth: self._birth,
            Kind.death: self._death,
            Kind.marriage: self._marriage,
        }[self.kind]()
        cells["notes"] = self.note()
        if self.layout is not None:  # another layout: its columns in its order, the ledger's values kept
            cells = {key: cells.get(key) or self._filler(key) for key in self.layout.field_keys()}
            self._tie(cells)
        return Entry(cells)

    def _tie(self, cells: dict[str, Cell]) -> None:
        """Fields of the later forms that repeat another: the date of birth in words, the declarant."""
        if "birth_date_in_words" in cells and cells["birth_date"].value:
            born = dt.date.fromisoformat(cells["birth_date"].value)
            cells["birth_date"] = self.date_cell(born, form=self.rng.choice(["padded", "slash"]))
            words = date_in_words(born).removeprefix("ngày ")
            cells["birth_date_in_words"] = Cell(words[:1].upper() + words[1:], born.isoformat())
        if "declarant_name" in cells:
            relation = cells.get("declarant_relation")
            parent = {"Cha": "father_name", "Mẹ": "mother_name"}.get(relation.written if relation else "")
            if parent and cells.get(parent) and cells[parent].value:
                cells["declarant_name"] = cells[parent]

    def _filler(self, key: str) -> Cell:
        """A value for a column the ledger lacks: what the 2006–2015 books hold there
        (layouts.md), else one of the type its layout gives it."""
        if key in _LATER_KEYS:
            return self._later(key)
        held = value_type(key)
        if held is ValueType.place:
            place = self.place()
            return Cell(place, place)
        if held is ValueType.name:
            return self.name_cell(self.rng.random() < 0.5)
        if held is ValueType.ethnicity:
            return Cell("Kinh", "Kinh")
        if held is ValueType.date:
            return self.date_cell(self.random_date(self.year - 40, self.year))
        return Cell("", None)

    def _later(self, key: str) -> Cell:
        """The fields of the 2006–2015 forms (layouts.md)."""
        rng = self.rng
        if key.endswith("nationality"):
            return Cell("Việt Nam", "Việt Nam")
        if key.endswith("ethnicity"):
            group = rng.choice(ETHNICITIES)
            return Cell(group, group)
        if key.endswith("home_town"):
            place = self.place()
            return Cell(place, place)
        if key == "declarant_relation":
            relation = rng.choice(["Cha", "Mẹ", "Mẹ", "Bà nội", "Ông ngoại"])
            return Cell(relation, relation)
        if key in ("signer", "officer"):
            # the commune's staff: the same few people sign and keep the book page after page
            if not self.staff:
                chairman = rng.choice(["Chủ tịch UBND", "Chủ tịch"])
                deputy = rng.choice(["Phó Chủ tịch UBND", "PCT UBND xã"])
                self.staff = {
                    "signer": [f"{self.person_name(rng.random() < 0.3)} - {title}" for title in (chairman, deputy)],
                    "officer": [self.person_name(rng.random() < 0.5) for _ in range(2)],
                }
            text = rng.choices(self.staff[key], [0.75, 0.25] if key == "signer" else [0.85, 0.15])[0]
            return Cell(text, text)
        if key.endswith("id_document"):
            number = "".join(str(rng.randint(0, 9)) for _ in range(rng.choice([9, 12])))
            issued = self.random_date(self.year - 12, self.year - 1)
            text = (
                f"CMND số {number}, CA {self.province.removeprefix('Tỉnh ')}, {issued.day}/{issued.month}/{issued.year}"
            )
            return Cell(text, text)
        if key.endswith("marriage_count"):
            count = rng.choices([1, 2, 3], [0.9, 0.08, 0.02])[0]
            written = rng.choice({1: ["Nhất", "Lần đầu", "1"], 2: ["Hai", "2"], 3: ["Ba", "3"]}[count])
            return Cell(written, str(count))
        raise KeyError(key)

    def _birth(self) -> dict[str, Cell]:
        female = self.rng.random() < 0.49
        born = self.day - dt.timedelta(days=self.rng.randint(1, 60))
        father = self.name_cell(False) if self.rng.random() > 0.06 else Cell("", None)
        place = self.rng.choice(HOSPITALS) if self.rng.random() < 0.5 else self.place()
        return {
            "full_name": self.name_cell(female),
            "sex": self.sex_cell(female),
            "birth_date": self.date_cell(born, in_words=self.style.words_for_birth),
            "birth_place": self.text_cell(place),
            "ethnicity": self.text_cell(self.rng.choice(ETHNICITIES)),
            "father_name": father,
            "mother_name": self.name_cell(True),
        }

    def _death(self) -> dict[str, Cell]:
        female = self.rng.random() < 0.5
        died = self.day - dt.timedelta(days=self.rng.randint(0, 20))
        born = self.random_date(self.year - 95, self.year - 1)
        birth = self.partial_date_cell(born) if born.year < 1950 else self.date_cell(born)
        if self.rng.random() < 0.03:  # old papers hold impossible dates: kept as written, flagged
            day, month = self.rng.choice([(30, 2), (31, 4), (31, 6), (31, 9), (31, 11)])
            birth = Cell(f"{day}/{month}/{born.year}", None)
        return {
            "full_name": self.name_cell(female),
            "sex": self.sex_cell(female),
            "birth_date": birth,
            "death_date": self.date_cell(died),
            "death_place": self.text_cell(self.rng.choice(["Tại nhà", "Bệnh viện Đa khoa tỉnh", self.place()])),
            "death_cause": self.text_cell(self.rng.choice(CAUSES)),
            "residence": self.text_cell(self.place()),
        }

    def _marriage(self) -> dict[str, Cell]:
        husband_born = self.random_date(self.year - 40, self.year - 20)
        wife_born = self.random_date(self.year - 35, self.year - 18)
        return {
            "husband_name": self.name_cell(False),
            "husband_birth_date": self.date_cell(husband_born),
            "husband_residence": self.text_cell(self.place()),
            "wife_name": self.name_cell(True),
            "wife_birth_date": self.date_cell(wife_born),
            "wife_residence": self.text_cell(self.place()),
        }
