"""Extracts (trích lục) of a record as PDF, laid out as TT 04/2020's model: the issuing authority and
the extract's own number at top left, the national heading at top right, the record, the source
row's crop, and the signer's block for signature and seal.

A record still in review is refused (``extract_unverified``) unless the officer insists, and then
prints marked "CHƯA XÁC MINH" (logged as such).

fpdf2 embeds the DejaVu fonts (Debian ``fonts-dejavu-core``) as subsets, so every Vietnamese
diacritic prints and is extractable as text (``pdftotext``). Each extract issued is logged:
who, when, which record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from load.db import writing
from load.review import corrections
from load.schema import Book, ExtractIssued, RecordRow
from load.store import record_layout
from normalize.dates import format_vn_date
from normalize.numwords import date_in_words
from records import HotichError
from records.layouts import FIELD_LABELS, Layout

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
TITLES = {"birth": "TRÍCH LỤC KHAI SINH", "death": "TRÍCH LỤC KHAI TỬ", "marriage": "TRÍCH LỤC KẾT HÔN"}
# The extract's number suffix by kind, as the model forms write it: Số: 12/TLKS.
NUMBER_SUFFIX = {"birth": "TLKS", "death": "TLKT", "marriage": "TLKH"}
UNVERIFIED = "CHƯA XÁC MINH"
SEX = {"male": "Nam", "female": "Nữ"}
# The wording of the printed extract forms, where it differs from the register's column heading.
WORDING = {
    "full_name": "Họ, chữ đệm, tên",
    "registration_number": "Số đăng ký",
    "registration_date": "Ngày đăng ký",
    "death_cause": "Nguyên nhân chết",
    "notes": "Ghi chú",
}
_DATE_KEYS = {"registration_date", "birth_date", "death_date", "husband_birth_date", "wife_birth_date"}


def _fonts(pdf: FPDF) -> None:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not regular.exists():
        raise HotichError(
            "extract_font_missing",
            f"the font {regular} is missing: Vietnamese text cannot be printed",
            fix="apt-get install fonts-dejavu-core",
        )
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))


def _value(key: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if key in _DATE_KEYS:
        text = format_vn_date(str(value))
        if len(str(value)) == 10 and key != "registration_date":
            text += f" ({date_in_words(dt.date.fromisoformat(str(value)))})"
        return text
    if key == "sex":
        return SEX.get(str(value), str(value))
    return str(value)


def _corrections(session: Session, record_id: str) -> list[str]:
    notes = []
    for entry in corrections(session, [record_id]).get(record_id, []):
        label = WORDING.get(entry.field or "") or FIELD_LABELS.get(entry.field or "", entry.field or "")
        when = entry.at.strftime("%d/%m/%Y")
        notes.append(f"Ngày {when} sửa {label}: «{entry.old_value or ''}» thành «{entry.new_value or ''}».")
    return notes


def extract_pdf(
    engine: Engine,
    record_id: str,
    *,
    issued_by: str,
    place: str | None = None,
    crop_png: bytes | None = None,
    today: dt.date | None = None,
    unverified: bool = False,
) -> bytes:
    """The extract of one record as PDF bytes; logs the issue (its number is the log's).

    A record waiting for review is refused unless ``unverified`` (an officer insists): it then
    prints marked CHƯA XÁC MINH, and the log says so."""
    today = today or dt.date.today()
    with Session(writing(engine)) as session, session.begin():
        row = session.get(RecordRow, record_id)
        if row is None:
            raise HotichError("extract_no_record", f"no record {record_id}", fix="check the id (hotich search)")
        if row.status == "rejected":
            raise HotichError(
                "extract_rejected", f"record {record_id} was rejected by a reviewer", fix="search for the right record"
            )
        if row.status == "needs_review" and not unverified:
            raise HotichError(
                "extract_unverified",
                f"record {record_id} is still waiting for review: its values are not verified",
                fix="have it reviewed first, or print it marked 'chưa xác minh' (--unverified)",
            )
        book = session.get(Book, row.book_id) if row.book_id else None
        corrections = _corrections(session, record_id)
        issued = ExtractIssued(record_id=record_id, user_name=issued_by, file=UNVERIFIED if unverified else None)
        session.add(issued)
        session.flush()
        number = f"{issued.id}/{NUMBER_SUFFIX[row.kind]}"
        heading = Heading(_authority(book, place), number, place or _issuing_place(book), unverified)
        pdf = _render(row, record_layout(session, row), corrections, heading, crop_png, today)
    return pdf


@dataclass(frozen=True)
class Heading:
    authority: str  # the issuing authority, top left: UBND xã …
    number: str  # Số: 12/TLKS
    place: str  # where it is signed: "Phường An Khê, ngày …"
    unverified: bool


def _authority(book: Book | None, place: str | None) -> str:
    locality = (book.locality or {}) if book else {}
    commune = locality.get("commune") or place
    return f"UBND {commune}" if commune else "ỦY BAN NHÂN DÂN"


def _issuing_place(book: Book | None) -> str:
    locality = (book.locality or {}) if book else {}
    return ", ".join(part for part in (locality.get("commune"), locality.get("province")) if part) or "Ủy ban nhân dân"


def _render(
    row: RecordRow, layout: Layout, corrections: list[str], heading: Heading, crop_png: bytes | None, today: dt.date
) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(TITLES[row.kind])
    pdf.set_author("hotich")
    _fonts(pdf)
    pdf.add_page()
    pdf.set_margins(20, 15, 20)
    _header(pdf, heading)
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 10, TITLES[row.kind], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, "(Bản sao trích từ Sổ đăng ký hộ tịch)", align="C", new_x="LMARGIN", new_y="NEXT")
    if heading.unverified:
        pdf.set_text_color(180, 0, 0)
        pdf.set_font("DejaVu", "B", 13)
        pdf.cell(0, 8, f"{UNVERIFIED}: bản ghi đang chờ duyệt, các giá trị chưa được kiểm tra", align="C",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    for column in layout.columns:
        label = WORDING.get(column.key, column.label)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(62, 7, f"{label}:")
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(0, 7, _value(column.key, row.fields.get(column.key)), new_x="LMARGIN", new_y="NEXT")
    if corrections:
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 7, "Ghi chú (cải chính, bổ sung):", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for note in corrections:
            pdf.multi_cell(0, 6, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 10)
    if row.book_id:
        number = row.fields.get("registration_number") or "—"
        source = f"Nguồn: Sổ {row.book_id}, trang {row.page_no}, dòng {row.row_no}, số {number}"
    else:
        source = f"Nguồn: dữ liệu điện tử đã có ({row.source_import}), mã {row.record_id}"
    pdf.multi_cell(0, 6, source, new_x="LMARGIN", new_y="NEXT")
    if crop_png:
        from io import BytesIO

        pdf.ln(2)
        pdf.image(BytesIO(crop_png), w=170)
    _signer(pdf, heading, today)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 6, f"Mã bản ghi: {row.record_id}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _header(pdf: FPDF, heading: Heading) -> None:
    """TT 04/2020's model: the authority and the number at left, the national heading at right."""
    top, left_width = pdf.get_y(), 70
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(left_width, 6, heading.authority.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(left_width, 6, f"Số: {heading.number}", align="C", new_x="LMARGIN", new_y="NEXT")
    below_left = pdf.get_y()
    pdf.set_xy(pdf.l_margin + left_width, top)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT")
    pdf.cell(0, 6, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(below_left, pdf.get_y()) + 8)


def _signer(pdf: FPDF, heading: Heading, today: dt.date) -> None:
    """Place and date, then the signer's block with room for signature and seal."""
    pdf.ln(8)
    if pdf.get_y() > pdf.h - 75:
        pdf.add_page()
    pdf.set_font("DejaVu", "", 11)
    when = f"{heading.place}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"
    pdf.set_x(pdf.w / 2)
    pdf.multi_cell(0, 7, when, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.w / 2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "NGƯỜI KÝ TRÍCH LỤC", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.w / 2)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 5, "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(30)  # the signature and the seal
