"""Draw the 2006–2015 books of layouts.md: the A4 birth ``form`` (one record per page in labelled
dotted lines) and the A3 marriage ``couple-ledger`` spread (14 columns, two lines per entry),
their values typed or in a handwriting-like look, with every field's box as ground truth."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

from PIL import Image, ImageDraw, ImageFont

from records.layouts import Layout, LayoutColumn
from samplebooks.content import Entry
from samplebooks.hand import Hand, compose, scribble, write_by_hand
from samplebooks.render import PagePlan, wrap


@dataclass
class FieldMark:
    """Where a field's value was written on the undamaged page, and how."""

    box: tuple[int, int, int, int]  # x, y, w, h of its ink
    hand: bool


@dataclass
class Writing:
    """How a book's values are put on paper: typed, or by ``hand`` (some fields stamped)."""

    hand: Hand | None
    stamped: frozenset[str] = frozenset()  # keys typed or stamped in a handwritten book

    def by_hand(self, key: str) -> bool:
        return self.hand is not None and key not in self.stamped


class _Pen:
    """Puts values on a page: type in the printing's font, or the writer's hand on a mask."""

    def __init__(self, image: Image.Image, plan: PagePlan, writing: Writing, rng: random.Random) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.plan = plan
        self.writing = writing
        self.rng = rng
        self.mask = Image.new("L", image.size, 0)
        self.typed = plan.font(0.95)

    def write(
        self, key: str, xy: tuple[int, int], text: str, width: int, height: int | None = None
    ) -> tuple[int, int, int, int] | None:
        """``text`` from ``xy`` (left, baseline) within ``width`` pixels; its ink box. A text too
        long for the width is written smaller on two lines when ``height`` (above the baseline) allows."""
        if not text:
            return None
        words = text.split()
        if height and len(words) > 1 and self._length(key, text) > width / 0.7:
            half = max(
                range(1, len(words)),
                key=lambda i: -abs(self._length(key, " ".join(words[:i])) - self._length(key, text) / 2),
            )
            upper, lower = " ".join(words[:half]), " ".join(words[half:])
            shrink = min(0.75, height * 0.42 / max(1, self._size(key)))
            boxes = [
                self._write(key, (xy[0], xy[1] - int(height * 0.45)), upper, width, shrink),
                self._write(key, xy, lower, width, shrink),
            ]
            return _union(boxes)
        return self._write(key, xy, text, width, 1.0)

    def _size(self, key: str) -> int:
        return self.writing.hand.size if self.writing.by_hand(key) and self.writing.hand else int(self.typed.size)

    def _length(self, key: str, text: str) -> float:
        if self.writing.by_hand(key) and self.writing.hand:
            return ImageFont.truetype(str(self.writing.hand.font_path), self.writing.hand.size).getlength(text) * 1.04
        return self.typed.getlength(text)

    def _write(
        self, key: str, xy: tuple[int, int], text: str, width: int, scale: float
    ) -> tuple[int, int, int, int] | None:
        if self.writing.by_hand(key):
            assert self.writing.hand is not None
            hand = replace(self.writing.hand, size=int(self.writing.hand.size * scale))
            return write_by_hand(self.mask, xy, text, hand, self.rng, width=width)
        font = ImageFont.truetype(str(self.plan.font_path), int(self.typed.size * scale))
        while font.getlength(text) > width and font.size > 8:
            font = ImageFont.truetype(str(self.plan.font_path), font.size - 1)
        x, baseline = xy
        self.draw.text((x, baseline), text, font=font, fill=self.plan.ink, anchor="ls")
        left, top, right, bottom = (int(v) for v in self.draw.textbbox((x, baseline), text, font=font, anchor="ls"))
        return left, top, right - left, bottom - top

    def finish(self) -> Image.Image:
        if self.writing.hand is None:
            return self.image
        return compose(self.image, self.mask, self.writing.hand.colour)


def _union(boxes: list[tuple[int, int, int, int] | None]) -> tuple[int, int, int, int] | None:
    found = [box for box in boxes if box and box[2] > 0]
    if not found:
        return None
    x0 = min(b[0] for b in found)
    y0 = min(b[1] for b in found)
    x1 = max(b[0] + b[2] for b in found)
    y1 = max(b[1] + b[3] for b in found)
    return x0, y0, x1 - x0, y1 - y0


# The printed lines of the birth form (layouts.md), top to bottom: a section heading (its
# index), the keys whose labels begin the line with where each label starts (share of the
# line), or ``more`` (a dotted line the value before it runs on to).
FORM_LINES: list[list[tuple[str, float]] | int | str] = [
    0,
    [("full_name", 0.0), ("sex", 0.66)],
    [("birth_date", 0.0), ("birth_date_in_words", 0.44)],
    "more",
    [("birth_place", 0.0)],
    [("ethnicity", 0.0), ("nationality", 0.5)],
    [("home_town", 0.0)],
    1,
    [("father_name", 0.0)],
    [("father_ethnicity", 0.0), ("father_nationality", 0.5)],
    [("mother_name", 0.0)],
    [("mother_ethnicity", 0.0), ("mother_nationality", 0.5)],
    2,
    [("declarant_name", 0.0)],
    [("declarant_relation", 0.0)],
    [("registration_date", 0.0)],
    [("signer", 0.0)],
    "more",
]


class FormDrawer:
    """The A4 birth form: one record per page."""

    def __init__(self, plan: PagePlan, layout: Layout, rng: random.Random, writing: Writing) -> None:
        self.plan = plan
        self.layout = layout
        self.rng = rng
        self.writing = writing
        self.columns = {column.key: column for column in layout.columns}
        dpi = plan.dpi
        self.size = int(8.27 * dpi), int(11.69 * dpi)
        self.margin = int(rng.uniform(0.5, 0.7) * dpi)
        self.notes_width = int(rng.uniform(1.1, 1.4) * dpi)
        self.line_height = int(rng.uniform(0.4, 0.46) * dpi)
        self.font = plan.font()
        self.em = int(self.font.size)

    def _label(self, column: LayoutColumn) -> str:
        label = self.layout.printed_label(column)
        return label if column.key in ("registration_date", "officer") else f"{label}:"

    def _dots(self, draw: ImageDraw.ImageDraw, x0: int, x1: int, baseline: int) -> None:
        step = max(6, self.plan.dpi // 25)
        for x in range(x0, x1, step):
            draw.point([(x, baseline), (x + 1, baseline)], fill=self.plan.line_ink)

    def page(self, entry: Entry, page_no: int) -> tuple[Image.Image, dict[str, FieldMark]]:
        width, height = self.size
        image = Image.new("L", self.size, 255)
        draw = ImageDraw.Draw(image)
        pen = _Pen(image, self.plan, self.writing, self.rng)
        marks: dict[str, FieldMark] = {}
        cells = entry.cells
        left = self.margin
        notes_x = width - self.margin - self.notes_width
        right = notes_x - self.plan.dpi // 10
        ink = self.plan.ink
        gap = self.em // 3

        def mark(key: str, box: tuple[int, int, int, int] | None) -> None:
            if box is not None:
                marks[key] = FieldMark(box, self.writing.by_hand(key))

        baseline = self.margin + self.em
        trang = self._label(self.columns["page_label"])
        draw.text((left, baseline), trang, font=self.font, fill=ink, anchor="ls")
        start = int(left + self.font.getlength(trang) + gap)
        draw.text((start, baseline), str(page_no), font=self.font, fill=ink, anchor="ls")  # printed with the book
        bounds = [int(v) for v in draw.textbbox((start, baseline), str(page_no), font=self.font, anchor="ls")]
        marks["page_label"] = FieldMark((bounds[0], bounds[1], bounds[2] - bounds[0], bounds[3] - bounds[1]), False)
        title = self.plan.font(1.25)
        draw.text(((left + right) // 2, baseline), "ĐĂNG KÝ KHAI SINH", font=title, fill=ink, anchor="ms")
        baseline += self.line_height
        so = self._label(self.columns["registration_number"])
        draw.text((left, baseline), so, font=self.font, fill=ink, anchor="ls")
        start = int(left + self.font.getlength(so) + gap)
        self._dots(draw, start, left + (right - left) // 3, baseline + 2)
        mark(
            "registration_number",
            pen.write("registration_number", (start, baseline), cells["registration_number"].written, right // 3),
        )
        # the notes column down the right edge
        top = baseline + self.line_height // 2
        draw.line(
            [(notes_x, top), (notes_x, height - self.margin)], fill=self.plan.line_ink, width=self.plan.line_width
        )
        notes_label = self._label(self.columns["notes"])
        draw.text((notes_x + gap, top + self.em + gap), notes_label, font=self.font, fill=ink, anchor="ls")
        note = cells["notes"].written
        if note:
            lines = wrap(note, self.font, self.notes_width - 3 * gap)
            boxes = [
                pen.write("notes", (notes_x + gap, top + (i + 2) * self.line_height), line, self.notes_width - 2 * gap)
                for i, line in enumerate(lines)
            ]
            mark("notes", _union(boxes))
        baseline += self.line_height
        runs_on: tuple[str, str] | None = None  # a value that did not fit, and its key
        for line in FORM_LINES:
            baseline += self.line_height
            if isinstance(line, int):
                heading = self.plan.font(1.02)
                draw.text((left, baseline), f"{self.layout.headings[line]}:", font=heading, fill=ink, anchor="ls")
                continue
            if line == "more":
                self._dots(draw, left, right, baseline + 2)
                if runs_on:
                    key, rest = runs_on
                    box = pen.write(key, (left, baseline), rest, right - left)
                    if key in marks and box:
                        marks[key] = FieldMark(_union([marks[key].box, box]) or box, marks[key].hand)
                runs_on = None
                continue
            assert isinstance(line, list)
            starts = [left + int(share * (right - left)) for _, share in line]
            ends = [*starts[1:], right]
            for (key, _share), x0, x1 in zip(line, starts, ends, strict=True):
                column = self.columns[key]
                label = self._label(column)
                draw.text((x0, baseline), label, font=self.font, fill=ink, anchor="ls")
                value_x = int(x0 + self.font.getlength(label) + gap)
                if key == "registration_date":
                    mark(key, self._date_in_pieces(draw, pen, cells[key].value, value_x, baseline, x1))
                    continue
                self._dots(draw, value_x, x1 - gap, baseline + 2)
                text = cells[key].written if key in cells else ""
                room = x1 - value_x - 2 * gap
                if key in ("birth_date_in_words", "signer") and self.font.getlength(text) * 1.1 > room:
                    first, rest = _split_to_fit(text, self.font, room / 1.15)
                    mark(key, pen.write(key, (value_x, baseline), first, room))
                    runs_on = (key, rest)
                else:
                    mark(key, pen.write(key, (value_x, baseline), text, room))
        # the officer signs at the bottom, under the printed title
        baseline += int(self.line_height * 1.6)
        centre = left + int((right - left) * 0.7)
        label = self._label(self.columns["officer"])
        draw.text((centre, baseline), label, font=self.font, fill=ink, anchor="ms")
        name = cells["officer"].written
        if self.writing.by_hand("officer"):
            scribble(
                pen.mask,
                (centre - self.plan.dpi // 2, baseline + self.line_height // 3, self.plan.dpi, self.line_height),
                self.rng,
            )
        name_width = int(self.font.getlength(name) * 1.1)
        mark(
            "officer",
            pen.write(
                "officer",
                (centre - name_width // 2, baseline + int(2.2 * self.line_height)),
                name,
                right - centre + name_width // 2,
            ),
        )
        return pen.finish(), marks

    def _date_in_pieces(
        self, draw: ImageDraw.ImageDraw, pen: _Pen, value: str | None, x: int, baseline: int, right: int
    ) -> tuple[int, int, int, int] | None:
        """``Đăng ký ngày … tháng … năm …``: the day, month and year written in the gaps."""
        day = dt.date.fromisoformat(value) if value else None
        pieces = [str(day.day), str(day.month), str(day.year)] if day else ["", "", ""]
        boxes = []
        space = int(0.75 * self.plan.dpi)
        for index, word in enumerate(["", "tháng", "năm"]):
            if word:
                draw.text((x, baseline), word, font=self.font, fill=self.plan.ink, anchor="ls")
                x += int(self.font.getlength(word) + self.em // 3)
            self._dots(draw, x, x + space, baseline + 2)
            boxes.append(pen.write("registration_date", (x + space // 5, baseline), pieces[index], space))
            x += space + self.em // 3
        return _union(boxes)


def _split_to_fit(text: str, font: ImageFont.FreeTypeFont, room: float) -> tuple[str, str]:
    words = text.split()
    first: list[str] = []
    for word in words:
        if first and font.getlength(" ".join([*first, word])) > room:
            break
        first.append(word)
    return " ".join(first), " ".join(words[len(first) :])


# couple-ledger: relative widths of the printed columns 1–14; 1–8 on the left page, 9–14 on the right
COUPLE_WIDTHS = [5, 10, 20, 11, 7, 8, 20, 22, 30, 9, 12, 20, 17, 10]
LEFT_COLUMNS = 8
GROUP_LABEL = "PHẦN GHI VỀ CHỒNG, VỢ"
ROLE_WORD = {"husband": "Chồng:", "wife": "Vợ:"}


class CoupleLedgerDrawer:
    """The A3 marriage spread: two facing pages, the binding fold between them."""

    def __init__(self, plan: PagePlan, layout: Layout, rng: random.Random, writing: Writing) -> None:
        self.plan = plan
        self.layout = layout
        self.rng = rng
        self.writing = writing
        dpi = plan.dpi
        self.size = int(16.54 * dpi), int(11.69 * dpi)
        self.margin = int(rng.uniform(0.4, 0.55) * dpi)
        self.fold = self.size[0] // 2
        self.gutter = int(rng.uniform(0.35, 0.5) * dpi)
        self.line_height = int(rng.uniform(0.3, 0.36) * dpi)
        self.font = plan.font(0.9)
        self.em = int(self.font.size)
        self.small = plan.font(0.72)
        self.printed = layout.printed_columns()
        if writing.hand is not None:  # a ledger line is narrow: people write smaller in it
            self.writing = replace(
                writing, hand=replace(writing.hand, size=min(writing.hand.size, int(self.line_height * 0.5)))
            )
        shares = [w * rng.uniform(0.9, 1.1) for w in COUPLE_WIDTHS]
        self.edges = self._edges(shares[:LEFT_COLUMNS], self.margin, self.fold - self.gutter)
        self.edges += self._edges(shares[LEFT_COLUMNS:], self.fold + self.gutter, self.size[0] - self.margin)

    @staticmethod
    def _edges(shares: list[float], x0: int, x1: int) -> list[tuple[int, int]]:
        edges = []
        x = float(x0)
        for share in shares:
            step = (x1 - x0) * share / sum(shares)
            edges.append((int(x), int(x + step)))
            x += step
        return edges

    def entry_lines(self) -> int:
        return 2 + self.rng.choice([1, 1, 2])

    def header_bottom(self) -> int:
        return self.margin + int(0.45 * self.plan.dpi) + int(1.55 * self.plan.dpi)

    def lines_on_page(self) -> int:
        return (self.size[1] - self.margin - self.header_bottom()) // self.line_height

    def page(
        self, entries: list[tuple[Entry, int]], page_no: int
    ) -> tuple[Image.Image, list[tuple[tuple[int, int, int, int], dict[str, FieldMark]]]]:
        """``entries``: each entry with the lines it takes. Returns the spread and, per entry,
        its box and its fields' marks."""
        _width, height = self.size
        image = Image.new("L", self.size, 255)
        draw = ImageDraw.Draw(image)
        pen = _Pen(image, self.plan, self.writing, self.rng)
        pen.typed = self.plan.font(0.8)
        ink, line_ink, line_width = self.plan.ink, self.plan.line_ink, self.plan.line_width
        # the fold: a soft shadow down the middle
        for offset in range(-self.gutter // 3, self.gutter // 3):
            shade = 255 - int(40 * (1 - abs(offset) / (self.gutter / 3)))
            draw.line([(self.fold + offset, 0), (self.fold + offset, height)], fill=shade)
        draw.text((self.margin, self.margin), f"Trang số {page_no:02d}", font=self.font, fill=ink, anchor="lt")
        top = self.margin + int(0.45 * self.plan.dpi)
        group_bottom = top + int(0.4 * self.plan.dpi)
        numbers_top = top + int(1.25 * self.plan.dpi)
        header_bottom = self.header_bottom()
        bottom = header_bottom + self.lines_on_page() * self.line_height
        halves = [(0, LEFT_COLUMNS), (LEFT_COLUMNS, len(self.edges))]
        for first, last in halves:
            x0, x1 = self.edges[first][0], self.edges[last - 1][1]
            for y in [top, numbers_top, header_bottom] + [
                header_bottom + i * self.line_height for i in range(1, self.lines_on_page() + 1)
            ]:
                draw.line([(x0, y), (x1, y)], fill=line_ink, width=line_width)
            group = [i for i in range(first, last) if 2 <= i <= 10]  # columns 3–11
            if group:
                gx0, gx1 = self.edges[group[0]][0], self.edges[group[-1]][1]
                draw.line([(gx0, group_bottom), (gx1, group_bottom)], fill=line_ink, width=line_width)
            for i in range(first, last):
                a = self.edges[i][0]
                inner_group = 2 <= i <= 10 and i - 1 in group
                draw.line([(a, group_bottom if inner_group else top), (a, bottom)], fill=line_ink, width=line_width)
            draw.line([(x1, top), (x1, bottom)], fill=line_ink, width=line_width)
        # the group label straddles the fold, half on each page
        for first, last in halves:
            group = [i for i in range(first, last) if 2 <= i <= 10]
            gx0, gx1 = self.edges[group[0]][0], self.edges[group[-1]][1]
            draw.text(
                ((gx0 + gx1) // 2, (top + group_bottom) // 2), GROUP_LABEL, font=self.small, fill=ink, anchor="mm"
            )
        for index, (number, columns) in enumerate(self.printed):
            a, b = self.edges[index]
            label_top = group_bottom if 2 <= index <= 10 else top
            lines = wrap(columns[0].label, self.small, b - a - 10)
            step = int(self.small.size * 1.15)
            y = (label_top + numbers_top) // 2 - step * len(lines) // 2
            for line in lines:
                draw.text(((a + b) // 2, y), line, font=self.small, fill=ink, anchor="mt")
                y += step
            draw.text(
                ((a + b) // 2, (numbers_top + header_bottom) // 2), str(number), font=self.small, fill=ink, anchor="mm"
            )
        results = []
        y = header_bottom
        for entry, taken in entries:
            block = (self.edges[0][0], y, self.edges[-1][1] - self.edges[0][0], taken * self.line_height)
            results.append((block, self._entry(pen, entry, y, taken)))
            y += taken * self.line_height
        return pen.finish(), results

    def _entry(self, pen: _Pen, entry: Entry, top: int, taken: int) -> dict[str, FieldMark]:
        marks: dict[str, FieldMark] = {}
        pad = max(4, self.plan.dpi // 40)
        roles = {role: index for index, role in enumerate(self.layout.lines)}
        for index, (_number, columns) in enumerate(self.printed):
            a, b = self.edges[index]
            room = b - a - 2 * pad
            for column in columns:
                if column in self.layout.marks:
                    if self.writing.hand is not None or self.rng.random() < 0.9:
                        line = roles[column.line or ""]
                        scribble(
                            pen.mask,
                            (a + pad, top + line * self.line_height + pad, room, self.line_height - 2 * pad),
                            self.rng,
                            2,
                        )
                    continue
                cell = entry.cells.get(column.key)
                text = cell.written if cell else ""
                if not text:
                    continue
                if column.line is not None:
                    line = roles[column.line]
                    baseline = top + (line + 1) * self.line_height - self.line_height // 4
                    if column.number == 3:
                        text = f"{ROLE_WORD[column.line]} {text}"
                    box = pen.write(column.key, (a + pad, baseline), text, room, self.line_height - 2 * pad)
                else:  # the entry's own columns: wrapped over its lines
                    lines = wrap(text, self.font, room)[:taken]
                    boxes = [
                        pen.write(
                            column.key, (a + pad, top + (i + 1) * self.line_height - self.line_height // 4), part, room
                        )
                        for i, part in enumerate(lines)
                    ]
                    box = _union(boxes)
                if box is not None:
                    marks[column.key] = FieldMark(box, self.writing.by_hand(column.key))
        return marks
