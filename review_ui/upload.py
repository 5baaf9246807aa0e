"""Officers put a book in from the browser and watch it being read (issue 23, points 1 and 3).

The upload is streamed to disk as it arrives (Starlette spools each file part to a temporary
file past 1 MB), refused before a byte is parsed when it says it is larger than the limit, and
handed to load/upload.py, which checks and unpacks it and queues a run for ``hotich worker``.
The book's page then follows the run, polled with HTMX: pages read and failed (with the
reason), rows, auto-accepted, to review, and the links to review and package it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from load.runs import latest_run, queue_run
from load.schema import Book, Page, RecordRow
from load.upload import Limits, Problem, UploadRefused, accept_upload, manifest_from_form
from records import REGISTRY, Kind
from review_ui import auth
from review_ui.app import _page, engine_of, needs, signed_in

Officer = Annotated[auth.Viewer, Depends(needs("officer"))]
Reviewer = Annotated[auth.Viewer, Depends(needs("reviewer"))]
MAX_FILES = 2_000  # images sent one by one (a ZIP holds more)
KIND_LABELS = {Kind.birth: "Khai sinh", Kind.death: "Khai tử", Kind.marriage: "Kết hôn"}
RUN_LABELS = {"queued": "Đang chờ đọc", "running": "Đang đọc", "done": "Đã đọc xong", "failed": "Không đọc được"}
FIELD_LABELS = {
    "book_id": "Mã sổ",
    "kind": "Loại sổ",
    "layout": "Mẫu sổ",
    "year": "Năm",
    "opened_year": "Năm mở sổ",
    "volume": "Quyển số",
    "page_offset": "Số trang bìa bỏ qua",
    "registration_place": "Nơi đăng ký",
    "locality.commune": "Xã/phường",
    "locality.district": "Huyện/quận",
    "locality.province": "Tỉnh/thành phố",
}
PROBLEM_TEXTS = {
    "book_exists": "Sổ {subject} đã được tải lên rồi (mỗi sổ chỉ tải một lần; muốn đọc lại, "
    "bấm «Đọc lại» ở trang của sổ).",
    "empty": "Chưa chọn tệp nào, hoặc tệp ZIP không có ảnh quét nào.",
    "too_big": "Tệp {subject} quá lớn (tối đa {limit}).",
    "request_too_big": "Dữ liệu gửi lên quá lớn (tối đa {limit}). Hãy chia sổ thành nhiều lần tải.",
    "no_length": "Trình duyệt không cho biết kích thước dữ liệu gửi lên; hãy tải lại bằng biểu mẫu.",
    "not_a_scan": "Tệp {subject} không phải ảnh quét (chỉ nhận PNG, JPEG, TIFF, PDF hoặc ZIP chứa chúng).",
    "bad_name": "Tên tệp {subject} không dùng được (tên ẩn, có ký tự điều khiển, có dấu | hoặc quá dài).",
    "same_name": "Hai tệp cùng tên {subject}: mỗi trang phải có tên riêng.",
    "manifest_in_zip": "Tệp ZIP có {subject}: thông tin sổ lấy từ biểu mẫu này; hãy bỏ tệp đó ra khỏi ZIP.",
    "zip_slip": "Tệp ZIP có đường dẫn ra ngoài thư mục ({subject}): không nhận.",
    "zip_link": "Tệp ZIP có liên kết (symlink) {subject}: không nhận.",
    "zip_bomb": "Tệp ZIP {subject} giải nén ra quá lớn ({detail}): không nhận.",
    "zip_members": "Tệp ZIP {subject} có quá nhiều tệp ({detail}).",
    "zip_encrypted": "Tệp {subject} trong ZIP có mật khẩu: hãy nén lại không đặt mật khẩu.",
    "zip_broken": "Tệp ZIP {subject} bị hỏng ({detail}).",
    "too_many_files": "Chọn quá nhiều tệp một lần (tối đa {files}); hãy nén thành một tệp ZIP.",
}


# A failed page's reason as the officer reads it; the technical message follows it.
PAGE_ERROR_TEXTS = {
    "page_bad_name": "Tên tệp không dùng được",
    "page_blank": "Trang trắng",
    "page_columns_mismatch": "Số cột của bảng không khớp mẫu sổ",
    "page_empty": "Ảnh quá nhỏ",
    "page_failed": "Lỗi khi đọc trang",
    "page_header_unread": "Không đọc được dòng tiêu đề của bảng",
    "page_layout_unknown": "Trang không khớp mẫu sổ nào",
    "page_no_fold": "Không thấy nếp gáy sổ giữa hai trang",
    "page_no_table": "Không thấy bảng kẻ dòng trên trang",
    "page_not_an_image": "Tệp không phải ảnh quét",
    "page_too_large": "Ảnh quá lớn",
    "page_unreadable": "Không mở được ảnh",
}


def books_dir_of(request: Request) -> Path:
    folder: Path = request.app.state.books_dir
    return folder


def limits_of(request: Request) -> Limits:
    limits: Limits = request.app.state.upload_limits
    return limits


def default_books_dir() -> Path:
    return Path(os.environ.get("HOTICH_BOOKS") or "hotich-books").resolve()


def default_limits() -> Limits:
    megabytes = os.environ.get("HOTICH_UPLOAD_MAX_MB")
    return Limits(upload_bytes=int(megabytes) << 20) if megabytes and megabytes.isdigit() else Limits()


def _size(count: int) -> str:
    return f"{count / (1 << 30):.0f} GB" if count >= 1 << 30 else f"{count / (1 << 20):.0f} MB"


def problem_text(problem: Problem, limits: Limits) -> str:
    if problem.code == "manifest":
        label = FIELD_LABELS.get(problem.subject, problem.subject)
        return f"{label}: {_manifest_message(problem.detail)}"
    template = PROBLEM_TEXTS.get(problem.code, "Không nhận được tệp {subject}.")
    return template.format(
        subject=problem.subject, detail=problem.detail, limit=_size(limits.upload_bytes), files=MAX_FILES
    )


def _manifest_message(detail: str) -> str:
    """Pydantic's English reason, said in Vietnamese for the kinds a form can get wrong."""
    lowered = detail.lower()
    if "field required" in lowered:
        return "cần điền."
    if "valid integer" in lowered:
        return "phải là một số."
    if "greater than or equal" in lowered or "less than or equal" in lowered:
        return "ngoài khoảng cho phép."
    if "string should match pattern" in lowered:
        return "chỉ dùng chữ không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới."
    if "at most" in lowered:
        return "quá dài."
    if "input should be" in lowered:
        return "chọn một giá trị trong danh sách."
    if "layout" in lowered:
        return "mẫu sổ này không thuộc loại sổ đã chọn."
    return detail


def _form_context(viewer: auth.Viewer, values: dict[str, str], problems: list[str]) -> dict[str, Any]:
    layouts = sorted(
        (layout.kind.value, layout.name, KIND_LABELS[layout.kind], layout.description)
        for layout in REGISTRY
        if layout.read
    )
    return {"viewer": viewer, "values": values, "problems": problems, "kinds": KIND_LABELS, "layouts": layouts}


def upload_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/books/new", response_class=HTMLResponse)
    def upload_form(request: Request, viewer: Officer) -> Response:
        return _page(request, "upload.html", _form_context(viewer, {}, []))

    @router.post("/books/new", response_class=HTMLResponse)
    async def upload(request: Request, viewer: Annotated[auth.Viewer, Depends(signed_in)]) -> Response:
        """Checked before it is parsed (its size), then as a whole: every problem is shown at once."""
        if not viewer.may("officer"):
            raise HTTPException(403, "Chỉ cán bộ mới được tải sổ lên.")
        limits = limits_of(request)
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return _refused(request, viewer, {}, [Problem("no_length")], limits, 411)
        if int(length) > limits.upload_bytes + (1 << 20):  # the form's own fields: well under 1 MB
            return _refused(request, viewer, {}, [Problem("request_too_big")], limits, 413)
        form = await request.form(max_files=MAX_FILES + 1, max_fields=64)
        token = form.get("csrf_token")
        if not isinstance(token, str) or not secrets.compare_digest(token, viewer.csrf):
            raise HTTPException(403, "Phiên làm việc không hợp lệ (CSRF). Hãy tải lại trang.")
        values = {key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}
        files = [item for item in form.getlist("scans") if isinstance(item, UploadFile) and item.filename]
        problems: list[Problem] = []
        manifest = None
        try:
            manifest = manifest_from_form(values)
        except UploadRefused as refused:
            problems += refused.problems
        if len(files) > MAX_FILES:
            problems.append(Problem("too_many_files"))
        if not files:
            problems.append(Problem("empty"))
        if problems or manifest is None:
            await form.close()
            return _refused(request, viewer, values, problems, limits, 422)
        try:
            accepted = await run_in_threadpool(
                accept_upload,
                engine_of(request),
                manifest,
                [(item.filename or "", item.file) for item in files],
                books_dir_of(request),
                viewer.name,
                limits,
            )
        except UploadRefused as refused:
            status = 409 if any(problem.code == "book_exists" for problem in refused.problems) else 422
            return _refused(request, viewer, values, refused.problems, limits, status)
        finally:
            await form.close()
        return RedirectResponse(f"/books/{accepted.book_id}", status_code=303)

    @router.get("/books/{book_id}", response_class=HTMLResponse)
    def book_page(request: Request, book_id: str, viewer: Reviewer) -> Response:
        progress = book_progress(request, book_id)
        return _page(request, "book.html", {"viewer": viewer, "book_id": book_id, **progress})

    @router.get("/books/{book_id}/progress", response_class=HTMLResponse)
    def progress_part(request: Request, book_id: str, viewer: Reviewer) -> Response:
        progress = book_progress(request, book_id)
        return _page(request, "_progress.html", {"viewer": viewer, "book_id": book_id, **progress})

    @router.post("/books/{book_id}/read-again")
    async def read_again(
        request: Request, book_id: str, viewer: Annotated[auth.Viewer, Depends(signed_in)]
    ) -> Response:
        """Read the book again: its failed pages, and pages read by an older pipeline (a button, never automatic)."""
        if not viewer.may("officer"):
            raise HTTPException(403, "Chỉ cán bộ mới được cho đọc lại sổ.")
        form = await request.form()
        token = form.get("csrf_token")
        if not isinstance(token, str) or not secrets.compare_digest(token, viewer.csrf):
            raise HTTPException(403, "Phiên làm việc không hợp lệ (CSRF). Hãy tải lại trang.")
        with Session(engine_of(request)) as session:
            book = session.get(Book, book_id)
        if book is None:
            raise HTTPException(404, "Không có sổ này.")
        queue_run(engine_of(request), book_id, Path(book.source_dir), viewer.name, detail="read again")
        return RedirectResponse(f"/books/{book_id}", status_code=303)

    return router


def _refused(
    request: Request, viewer: auth.Viewer, values: dict[str, str], problems: list[Problem], limits: Limits, status: int
) -> HTMLResponse:
    texts = [problem_text(problem, limits) for problem in problems]
    return _page(request, "upload.html", _form_context(viewer, values, texts), status_code=status)


def book_progress(request: Request, book_id: str) -> dict[str, Any]:
    """What the book page shows of the book's latest run and what is held of it."""
    engine = engine_of(request)
    run = latest_run(engine, book_id)
    with Session(engine) as session:
        book = session.get(Book, book_id)
        if book is None and run is None:
            raise HTTPException(404, "Không có sổ này.")
        pages = dict(
            session.execute(
                select(Page.status, func.count()).where(Page.book_id == book_id).group_by(Page.status)
            ).all()
        )
        failed = session.execute(
            select(Page.page_no, Page.image_name, Page.error_code, Page.error_message)
            .where(Page.book_id == book_id, Page.status == "failed")
            .order_by(Page.page_no)
            .limit(200)
        ).all()
        statuses = dict(
            session.execute(
                select(RecordRow.status, func.count()).where(RecordRow.book_id == book_id).group_by(RecordRow.status)
            ).all()
        )
    return {
        "run": run,
        "run_label": RUN_LABELS.get(run.state, run.state) if run else None,
        "pages_loaded": pages.get("loaded", 0),
        "pages_failed": pages.get("failed", 0),
        "failed": [
            (page_no, image_name, PAGE_ERROR_TEXTS.get(code or "", "Không đọc được trang"), message)
            for page_no, image_name, code, message in failed
        ],
        "rows": sum(statuses.values()),
        "statuses": statuses,
        "finished": run is None or run.state in ("done", "failed"),
        "held": book is not None,
    }
