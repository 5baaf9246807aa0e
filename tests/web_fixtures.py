"""A small database for the web app's tests: users of each role and records to review."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from load.db import open_database
from load.schema import Book, RecordRow
from load.store import key_columns
from records import Kind, Status
from review_ui.auth import add_user

PASSWORD = "mat-khau-123"
FIELDS = {
    "registration_number": "12",
    "registration_date": "1998-03-15",
    "full_name": "Nguyễn Văn An",
    "sex": "male",
    "birth_date": "1998-03-02",
    "birth_place": "Phường Thạc Gián, Quận Thanh Khê, Thành phố Đà Nẵng",
    "ethnicity": "Kinh",
    "father_name": "Nguyễn Văn Ba",
    "mother_name": "Trần Thị Bé",
    "notes": None,
}


def make_site(db_url: str, book_dir: Path | None = None, *, records: int = 3) -> None:
    """Users reviewer ``lan``, officer ``minh``, admin ``hoa``; ``records`` rows to review."""
    engine = open_database(db_url)
    first_page = sorted(p.name for p in book_dir.iterdir() if p.suffix != ".json")[0] if book_dir else "0001.png"
    for name, role in (("lan", "reviewer"), ("binh", "reviewer"), ("minh", "officer"), ("hoa", "admin")):
        add_user(engine, name, role, PASSWORD)
    with Session(engine) as session, session.begin():
        session.add(Book(book_id="KS-1998", kind="birth", layout="ledger", year=1998, source_dir=str(book_dir or "")))
        for row in range(1, records + 1):
            fields = dict(FIELDS, registration_number=str(11 + row))
            raw = {key: value for key, value in fields.items()}
            raw["full_name"] = "NGUYỄN VĂN AN <script>alert(1)</script>" if row == 2 else "NGUYỄN VẰN AN"
            session.add(
                RecordRow(
                    record_id=f"R{row}", kind="birth", book_id="KS-1998", page_no=1, row_no=row,
                    image_name=first_page, bbox=[80, 400 + 120 * row, 2400, 110], fields=fields, raw=raw,
                    confidence={"full_name": 0.61, "birth_date": 0.97}, issues={"full_name": ["invalid_syllable"]},
                    status=Status.needs_review.value,
                    review_reasons=["low_confidence:full_name", "invalid_syllable:full_name"],
                    version=1, cluster_id=f"R{row}", min_confidence=0.61, **key_columns(Kind.birth, fields),
                )
            )  # fmt: skip
    engine.dispose()


def sign_in(client: Any, name: str, password: str = PASSWORD) -> Any:
    """Sign in as a browser does: the login form's token (and its cookie), then the POST."""
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, form[:300]
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token.group(1)})
