"""The Ministry's package from the book's page: the check, listed in Vietnamese, then the download."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from load.moj_template import shipped_template
from load.package import build_package, plan_package
from load.schema import Book
from records import HotichError
from review_ui import auth
from review_ui.app import _page, _wants_json, csrf_checked, engine_of, logged, needs

Officer = Annotated[auth.Viewer, Depends(needs("officer"))]
Posting = Annotated[auth.Viewer, Depends(csrf_checked)]
REFUSAL_TEXTS = {
    "book_locality": "book.json thiếu xã, huyện hoặc tỉnh (dùng để đặt tên tệp Excel)",
    "book_volume": "book.json thiếu quyển số",
    "book_year": "book.json thiếu năm mở sổ",
    "needs_review": "bản ghi còn chờ duyệt",
    "unmapped": "có giá trị không có mã trong bảng mã của Bộ",
    "no_number": "thiếu số đăng ký",
    "bad_number": "số đăng ký không phải là số",
    "no_date": "thiếu ngày đăng ký",
    "bad_date": "ngày đăng ký không đủ ngày, tháng, năm",
    "date_length": "ngày tháng không đúng dạng của Bộ (trống, yyyy hoặc dd.mm.yyyy)",
    "duplicate": "trùng số đăng ký trong cùng quyển",
    "scan": "ảnh quét không đọc được hoặc đã bị thay",
    "pdf_budget": "tệp PDF vượt dung lượng cho phép",
}


def _book_or_404(request: Request, book_id: str) -> Book:
    with Session(engine_of(request)) as session:
        book = session.get(Book, book_id)
    if book is None:
        raise HTTPException(404, "Không có sổ này.")
    return book


def package_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/books/{book_id}/package", response_class=HTMLResponse)
    def package_page(request: Request, book_id: str, viewer: Officer) -> Response:
        """What the validator finds (without making the PDFs: that is done on download)."""
        _book_or_404(request, book_id)
        plan = plan_package(engine_of(request), [book_id], shipped_template())[0]
        if _wants_json(request):
            refusals = [{"page": r.page, "row": r.row, "code": r.code, "reason": r.reason} for r in plan.refusals]
            return JSONResponse({"book": book_id, "records": len(plan.entries), "refusals": refusals})
        context = {"viewer": viewer, "plan": plan, "texts": REFUSAL_TEXTS}
        return _page(request, "package.html", context)

    @router.post("/books/{book_id}/package")
    async def package_download(request: Request, book_id: str, viewer: Posting) -> Response:
        """The Excel file and the ZIP of the record PDFs, in one ZIP to download."""
        if not viewer.may("officer"):
            raise HTTPException(403, "Bạn không có quyền mở trang này.")
        _book_or_404(request, book_id)
        form = await request.form()
        allow_incomplete = form.get("allow_incomplete") == "1"
        from starlette.concurrency import run_in_threadpool

        data, name, refused = await run_in_threadpool(_build, request, book_id, allow_incomplete)
        if data is None:
            plan = plan_package(engine_of(request), [book_id], shipped_template())[0]
            context = {"viewer": viewer, "plan": plan, "texts": REFUSAL_TEXTS, "refused": refused}
            return _page(request, "package.html", context, status_code=409)
        logged(request, viewer, "export", detail=f"Ministry package of book {book_id}")
        headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
        return Response(data, media_type="application/zip", headers=headers)

    return router


def _build(request: Request, book_id: str, allow_incomplete: bool) -> tuple[bytes | None, str, int]:
    """(the ZIP, its name, how many problems) or (None, "", problems) when refused."""
    with tempfile.TemporaryDirectory(prefix="hotich-package-") as folder:
        out = Path(folder)
        try:
            result = build_package(
                engine_of(request), [book_id], out, shipped_template(), allow_incomplete=allow_incomplete
            )
        except HotichError as error:
            raise HTTPException(409, error.message) from error
        if not result.written:
            return None, "", len(result.refusals)
        bundle = io.BytesIO()
        with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as archive:
            for path in result.written:
                archive.write(path, path.name)
        stem = result.books[0].stem
        return bundle.getvalue(), f"{stem}.goi.zip", len(result.refusals)
