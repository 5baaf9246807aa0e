"""The review web app (FastAPI + Jinja2 + HTMX): sign in, review queue, record page, books.

Every route but ``/login`` needs a session; every POST carries the session's CSRF token
(a form field, or the ``X-CSRF-Token`` header HTMX sends). Pages render on the server;
each page's data is also available as JSON (``?format=json``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from load.access import log_access
from load.db import open_database, writing
from load.double_entry import FirstKeying, disagreements
from load.keying import book_choices, completion_words, is_keyed, proposals
from load.linkage import explanations
from load.review import (
    Conflict,
    NotInReview,
    QueueFilter,
    Refused,
    audit_trail,
    decide_duplicate,
    hold,
    next_record,
    queue,
    queue_total,
    release,
    reopen,
    save_review,
)
from load.schema import AuditEntry, Book, Page, RecordRow
from load.store import record_layout
from normalize.numwords import date_in_words
from normalize.record import ReviewSettings
from normalize.typed import as_typed, check_typed
from records import HotichError
from records.layouts import ValueType, value_type
from review_ui import auth
from review_ui.scans import page_jpeg, page_sha256, row_crop_png
from review_ui.texts import (
    ACTION_LABELS,
    FIELD_LABELS,
    ISSUES,
    KIND_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    describe_reason,
)

HERE = Path(__file__).parent
COOKIE = "hotich_session"
LOGIN_CSRF_COOKIE = "hotich_login"
QUEUE_PAGE = 100  # records listed per page of the queue
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(
    field_labels=FIELD_LABELS,
    kind_labels=KIND_LABELS,
    status_labels=STATUS_LABELS,
    role_labels=ROLE_LABELS,
    action_labels=ACTION_LABELS,
    describe=describe_reason,
)
templates.env.filters["display"] = as_typed


class NotSignedIn(Exception):
    pass


def create_app(
    db_url: str | None = None,
    *,
    secure_cookies: bool = False,
    allowed_hosts: list[str] | None = None,
    books_dir: Path | None = None,
    upload_limits: Any = None,
) -> FastAPI:
    """The web app on an existing database; ``allowed_hosts`` (``hotich review`` always gives it)
    are the Host names it answers, any other is refused (400). Uploaded books are written under
    ``books_dir`` (default $HOTICH_BOOKS, else ./hotich-books) within ``upload_limits``
    (load.upload.Limits; default $HOTICH_UPLOAD_MAX_MB, else 4 GB)."""
    from review_ui.upload import default_books_dir, default_limits, upload_routes

    engine = open_database(db_url, create=False)
    app = FastAPI(title="hotich", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.state.secure_cookies = secure_cookies
    app.state.books_dir = Path(books_dir).resolve() if books_dir else default_books_dir()
    app.state.upload_limits = upload_limits or default_limits()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(NotSignedIn, _to_login)  # type: ignore[arg-type]
    from review_ui.errors import error_page, server_error

    app.add_exception_handler(StarletteHTTPException, error_page)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, server_error)
    app.middleware("http")(_security_headers)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    app.include_router(_routes())
    app.include_router(upload_routes())
    from review_ui.counter import counter_routes

    app.include_router(counter_routes())
    from review_ui.admin import admin_routes

    app.include_router(admin_routes())
    from review_ui.package import package_routes

    app.include_router(package_routes())
    return app


async def _security_headers(request: Request, call_next: Any) -> Response:
    response: Response = await call_next(request)
    if not request.url.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"  # pages, JSON and scans hold personal data
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
    )
    return response


def _to_login(request: Request, _error: NotSignedIn) -> Response:
    if request.headers.get("HX-Request") or request.method != "GET" or _wants_json(request):
        return JSONResponse({"detail": "not signed in"}, status_code=401, headers={"HX-Redirect": "/login"})
    return RedirectResponse("/login", status_code=303)


def _safe_cookie(request: Request, response: Response, name: str, value: str, *, path: str, max_age: int) -> None:
    """Every cookie of the app: HttpOnly, SameSite=Strict, Secure when served behind HTTPS."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        path=path,
        max_age=max_age,
    )


def _login_form(request: Request, error: str | None, status_code: int) -> HTMLResponse:
    """The login form with a fresh token, also set as a cookie the POST must echo (double submit):
    a page of another site cannot read it, so it cannot sign a browser in to an attacker's account."""
    token = secrets.token_urlsafe(32)
    response = _page(request, "login.html", {"error": error, "login_csrf": token}, status_code=status_code)
    _safe_cookie(request, response, LOGIN_CSRF_COOKIE, token, path="/login", max_age=3600)
    return response


def _wants_json(request: Request) -> bool:
    return request.query_params.get("format") == "json"


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def signed_in(request: Request) -> auth.Viewer:
    viewer = auth.viewer_for(engine_of(request), request.cookies.get(COOKIE))
    if viewer is None:
        raise NotSignedIn
    return viewer


def needs(role: str) -> Any:
    def check(viewer: Annotated[auth.Viewer, Depends(signed_in)]) -> auth.Viewer:
        if not viewer.may(role):
            raise HTTPException(403, "Bạn không có quyền mở trang này.")
        return viewer

    return check


async def csrf_checked(request: Request, viewer: Annotated[auth.Viewer, Depends(signed_in)]) -> auth.Viewer:
    """Every state-changing request carries the session's CSRF token."""
    sent = request.headers.get("X-CSRF-Token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent, viewer.csrf):
        raise HTTPException(403, "Phiên làm việc không hợp lệ (CSRF). Hãy tải lại trang.")
    return viewer


Reviewer = Annotated[auth.Viewer, Depends(needs("reviewer"))]
Admin = Annotated[auth.Viewer, Depends(needs("admin"))]
Posting = Annotated[auth.Viewer, Depends(csrf_checked)]


def logged(
    request: Request, viewer: auth.Viewer, action: str, record_id: str | None = None, detail: str | None = None
) -> None:
    """Every read of personal data leaves a row in the access log."""
    client = request.client.host if request.client else None
    log_access(engine_of(request), viewer.name, action, record_id=record_id, detail=detail, client=client)


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _filters(request: Request) -> QueueFilter:
    params = request.query_params
    return QueueFilter(
        book=params.get("book") or None,
        kind=params.get("kind") or None,
        reason=params.get("reason") or None,
        order="confidence" if params.get("order") == "confidence" else "position",
    )


def _filter_query(filters: QueueFilter) -> str:
    values = {"book": filters.book, "kind": filters.kind, "reason": filters.reason, "order": filters.order}
    return urlencode({key: value for key, value in values.items() if value and value != "position"})


def _record_json(row: RecordRow) -> dict[str, Any]:
    return {
        "record_id": row.record_id,
        "kind": row.kind,
        "book": row.book_id,
        "page": row.page_no,
        "row": row.row_no,
        "fields": row.fields,
        "raw": row.raw,
        "confidence": row.confidence,
        "status": row.status,
        "review_reasons": row.review_reasons,
        "duplicate_of": row.duplicate_of,
        "version": row.version,
    }


def _routes() -> Any:
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> HTMLResponse:
        return _login_form(request, None, 200)

    @router.post("/login")
    def login(
        request: Request,
        name: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1000)],
        csrf_token: Annotated[str, Form(max_length=100)] = "",
    ) -> Response:
        engine = engine_of(request)
        client = request.client.host if request.client else "?"
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not secrets.compare_digest(csrf_token, expected):  # a forged login form
            return _login_form(request, "Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.", 403)
        try:
            signed = auth.log_in(engine, name, password, client)
        except auth.RateLimited:
            return _login_form(request, "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 10 phút.", 429)
        if signed is None:
            return _login_form(request, "Sai tên hoặc mật khẩu.", 401)
        token, viewer = signed
        target = "/counter" if viewer.may("officer") else "/queue"
        response = RedirectResponse(target, status_code=303)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        _safe_cookie(request, response, COOKIE, token, path="/", max_age=int(auth.SESSION_LIFETIME.total_seconds()))
        return response

    @router.post("/logout")
    def logout(request: Request, _viewer: Posting) -> Response:
        auth.log_out(engine_of(request), request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @router.get("/")
    def home(viewer: Reviewer) -> Response:
        return RedirectResponse("/queue", status_code=303)

    @router.get("/queue", response_class=HTMLResponse)
    def queue_page(request: Request, viewer: Reviewer) -> Response:
        filters = _filters(request)
        page = page_param(request)
        offset = (page - 1) * QUEUE_PAGE
        rows = queue(engine_of(request), viewer.name, filters, limit=QUEUE_PAGE, offset=offset)
        total = queue_total(engine_of(request), viewer.name, filters)
        logged(request, viewer, "queue", detail=f"page {page}")
        if _wants_json(request):
            return JSONResponse([_record_json(row) for row in rows], headers={"X-Total-Count": str(total)})
        with Session(engine_of(request)) as session:
            books = list(session.scalars(select(Book.book_id).order_by(Book.book_id)))
        context = {
            "viewer": viewer,
            "rows": rows,
            "filters": filters,
            "books": books,
            "query": _filter_query(filters),
            "page": page,
            "total": total,
            "first": offset + 1,
            "last": offset + len(rows),
            "reason_labels": ISSUES,
        }
        return _page(request, "queue.html", context)

    @router.get("/queue/next")
    def queue_next(request: Request, viewer: Reviewer) -> Response:
        filters = _filters(request)
        after = request.query_params.get("after")
        record_id = next_record(engine_of(request), viewer.name, filters, after)
        if record_id is None:
            return RedirectResponse(f"/queue?{_filter_query(filters)}&done=1", status_code=303)
        return RedirectResponse(f"/records/{record_id}?{_filter_query(filters)}", status_code=303)

    @router.get("/records/{record_id}", response_class=HTMLResponse)
    def record_page(request: Request, record_id: str, viewer: Reviewer) -> Response:
        engine = engine_of(request)
        held_by = hold(engine, record_id, viewer.name)
        with Session(engine, expire_on_commit=False) as session:
            row = session.get(RecordRow, record_id)
        if row is None:
            raise HTTPException(404, "Không có bản ghi này.")
        logged(request, viewer, "record", record_id)
        if _wants_json(request):
            return JSONResponse(_record_json(row))
        context = _record_context(engine, row, viewer, held_by, _filters(request))
        return _page(request, "record.html", context)

    def _crop(request: Request, record_id: str, viewer: auth.Viewer, key: str | None) -> Response:
        """The record's row (``key`` None) or one field's cell, cut from the scan that was read."""
        row, book = _row_and_book(engine_of(request), record_id)
        box = row.bbox if key is None else (row.field_boxes or {}).get(key)
        if not (box and book and row.image_name and row.page_no):
            raise HTTPException(404, "Bản ghi này không có ảnh quét.")
        low = 400 if key is None else 200
        width = min(3000, max(low, int_param(request.query_params.get("width", "1600"), "width")))
        try:
            expected = page_sha256(engine_of(request), book.book_id, row.page_no)
            png = row_crop_png(
                book.source_dir,
                row.image_name,
                row.page_no,
                book.book_id,
                box,
                width=width,
                expected_sha256=expected,
            )
        except HotichError as error:
            raise HTTPException(409 if error.code == "scan_changed" else 404, error.describe()) from error
        logged(request, viewer, "scan", record_id, "row crop" if key is None else f"field crop {key}")
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})

    @router.get("/records/{record_id}/field/{key}.png")
    def field_crop(request: Request, record_id: str, key: str, viewer: Reviewer) -> Response:
        """One field's cell, enlarged: read beside its input."""
        return _crop(request, record_id, viewer, key)

    @router.get("/records/{record_id}/crop.png")
    def record_crop(request: Request, record_id: str, viewer: Reviewer) -> Response:
        return _crop(request, record_id, viewer, None)

    @router.get("/records/{record_id}/page.jpg")
    def record_page_image(request: Request, record_id: str, viewer: Reviewer) -> Response:
        row, book = _row_and_book(engine_of(request), record_id)
        if not (book and row.image_name and row.page_no):
            raise HTTPException(404, "Bản ghi này không có ảnh quét.")
        try:
            expected = page_sha256(engine_of(request), book.book_id, row.page_no)
            jpeg = page_jpeg(book.source_dir, row.image_name, row.page_no, book.book_id, expected_sha256=expected)
        except HotichError as error:
            raise HTTPException(409 if error.code == "scan_changed" else 404, error.describe()) from error
        logged(request, viewer, "scan", record_id, "whole page")
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @router.post("/records/{record_id}/check", response_class=HTMLResponse)
    async def check_field(request: Request, record_id: str, viewer: Posting) -> HTMLResponse:
        form = await request.form()
        key = str(form.get("field", ""))
        value = str(form.get(key, "") or "")
        with Session(engine_of(request)) as session:
            row = session.get(RecordRow, record_id)
            book = session.get(Book, row.book_id) if row and row.book_id else None
        result = check_typed(key, value, reference_year=book.year if book else None)
        words = None
        if value_type(key) is ValueType.date and result.value and len(result.value) == 10:
            spoken = date_in_words(dt.date.fromisoformat(result.value)).removeprefix("ngày ")
            words = spoken[:1].upper() + spoken[1:]  # as the form writes it, to compare with its crop
        return _page(request, "_verdict.html", {"key": key, "result": result, "words": words})

    @router.post("/records/{record_id}/save")
    async def save(request: Request, record_id: str, viewer: Posting) -> Response:
        form = await request.form()
        engine = engine_of(request)
        with Session(engine) as session:
            row = session.get(RecordRow, record_id)
            if row is None:
                raise HTTPException(404, "Không có bản ghi này.")
            keys = record_layout(session, row).field_keys()
        values = {key: str(form[key]) for key in keys if key in form}  # only what was posted
        illegible = {key for key in keys if form.get(f"illegible_{key}") == "1"}
        reject = str(form.get("reject_reason") or "").strip() or None
        if form.get("action") == "reject" and not reject:
            reject = "không phải bản ghi"
        outcome = save_review(
            engine,
            record_id,
            viewer.name,
            version=int_param(form.get("version"), "version"),
            values=values,
            illegible=illegible,
            reject_reason=reject if form.get("action") == "reject" else None,
        )
        filters = _filters(request)
        if isinstance(outcome, FirstKeying):  # kept apart for a second person: on to the next record
            return RedirectResponse(f"/queue/next?after={record_id}&{_filter_query(filters)}", status_code=303)
        if isinstance(outcome, Conflict | NotInReview | Refused):
            with Session(engine, expire_on_commit=False) as session:
                current = session.get(RecordRow, record_id)
            assert current is not None
            context = _record_context(engine, current, viewer, None, filters)
            if isinstance(outcome, Conflict):
                context["conflict"] = {"by": outcome.by, "rows": _conflict_rows(outcome, context["columns"])}
                context["typed"] = {**context["typed"], **outcome.mine}
            elif isinstance(outcome, Refused):
                context["refused"] = outcome.reasons
                context["typed"] = {**context["typed"], **values}
            else:
                context["not_in_review"] = True
            status = 422 if isinstance(outcome, Refused) else 409
            return _page(request, "record.html", context, status_code=status)
        if outcome.duplicate_check == "candidate":
            return RedirectResponse(f"/records/{record_id}?{_filter_query(filters)}", status_code=303)
        return RedirectResponse(f"/queue/next?after={record_id}&{_filter_query(filters)}", status_code=303)

    @router.post("/records/{record_id}/reopen")
    async def reopen_record(request: Request, record_id: str, viewer: Posting) -> Response:
        """An officer sends a record outside review back to review, with a reason (audited)."""
        if not viewer.may("officer"):
            raise HTTPException(403, "Chỉ cán bộ mới được mở lại bản ghi để duyệt.")
        form = await request.form()
        reason = str(form.get("reason") or "").strip()
        if not reason:
            raise HTTPException(422, "Hãy ghi lý do mở lại bản ghi.")
        try:
            reopen(engine_of(request), record_id, viewer.name, reason=reason)
        except KeyError as error:
            raise HTTPException(404, "Không có bản ghi này.") from error
        return RedirectResponse(f"/records/{record_id}", status_code=303)

    @router.post("/records/{record_id}/skip")
    def skip(request: Request, record_id: str, viewer: Posting) -> Response:
        release(engine_of(request), record_id, viewer.name)
        filters = _filters(request)
        return RedirectResponse(f"/queue/next?after={record_id}&{_filter_query(filters)}", status_code=303)

    @router.post("/records/{record_id}/duplicate")
    async def duplicate(request: Request, record_id: str, viewer: Posting) -> Response:
        form = await request.form()
        try:
            outcome = decide_duplicate(
                engine_of(request),
                record_id,
                viewer.name,
                candidate=str(form.get("candidate", "")),
                same=form.get("decision") == "same",
                version=int_param(form.get("version", "0"), "version"),
            )
        except KeyError as error:
            raise HTTPException(404, "Không có bản ghi này, hoặc bản ghi được đề nghị là trùng.") from error
        if isinstance(outcome, Conflict):
            return RedirectResponse(f"/records/{record_id}?conflict=1", status_code=303)
        return RedirectResponse(f"/records/{record_id}", status_code=303)

    @router.post("/books/{book_id}/double-entry")
    async def set_double_entry(request: Request, book_id: str, viewer: Posting) -> Response:
        """An officer says whether the book's handwritten records are keyed twice, blind (audited)."""
        if not viewer.may("officer"):
            raise HTTPException(403, "Chỉ cán bộ mới được đặt chế độ nhập hai lần.")
        wanted = (await request.form()).get("double_entry") == "1"
        with Session(writing(engine_of(request))) as session, session.begin():
            book = session.get(Book, book_id)
            if book is None:
                raise HTTPException(404, "Không có sổ này.")
            if book.double_entry != wanted:
                book.double_entry = wanted
                session.add(
                    AuditEntry(
                        record_id=book_id, user_name=viewer.name, at=dt.datetime.now(dt.UTC),
                        action="book_double_entry", old_value=None, new_value="on" if wanted else "off",
                    )
                )  # fmt: skip
        return RedirectResponse("/books", status_code=303)

    @router.get("/books", response_class=HTMLResponse)
    def books_page(request: Request, viewer: Reviewer) -> Response:
        from load.runs import latest_runs
        from review_ui.upload import RUN_LABELS

        data = _dashboard(engine_of(request))
        runs = latest_runs(engine_of(request))
        for name in runs:
            data["books"].setdefault(name, {"pages": 0})
        state = request.query_params.get("state", "")
        if state:  # a filter: the books whose latest run is in this state
            data["books"] = {
                name: counts for name, counts in data["books"].items() if name in runs and runs[name].state == state
            }
        if _wants_json(request):
            return JSONResponse(data | {"runs": {name: run.state for name, run in runs.items()}})
        digitised = {name for name in data["books"] if name in data["pages_by_book"]}
        context = {"viewer": viewer, "digitised": digitised, "runs": runs, "run_labels": RUN_LABELS, "state": state}
        return _page(request, "books.html", context | data)

    return router


def page_param(request: Request) -> int:
    """The page of a paginated list asked for (``?p=``), 1 to 1,000,000."""
    return max(1, min(int_param(request.query_params.get("p", "1"), "p"), 1_000_000))


def int_param(value: Any, name: str) -> int:
    """A whole number from a form or query parameter; a 422 naming it otherwise."""
    try:
        return int(str(value))
    except ValueError as error:
        raise HTTPException(422, f"Tham số {name} phải là một số nguyên.") from error


def _conflict_rows(conflict: Conflict, columns: Any) -> list[tuple[str, str, str]]:
    """(label, stored, mine) of the fields that really differ, both as a reviewer types them."""
    rows = []
    for column in columns:
        if column.key not in conflict.mine:
            continue
        theirs, mine = as_typed(conflict.theirs.get(column.key), column.key), (conflict.mine[column.key] or "").strip()
        if theirs != mine:
            rows.append((column.label, theirs, mine))
    return rows


def _row_and_book(engine: Engine, record_id: str) -> tuple[RecordRow, Book | None]:
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(RecordRow, record_id)
        if row is None:
            raise HTTPException(404, "Không có bản ghi này.")
        return row, session.get(Book, row.book_id) if row.book_id else None


def _record_context(
    engine: Engine, row: RecordRow, viewer: auth.Viewer, held_by: str | None, filters: QueueFilter
) -> dict[str, Any]:
    with Session(engine) as session:
        layout = record_layout(session, row)
        keyed = is_keyed(row)
        choices = book_choices(session, row, layout) if keyed else {}
        proposed = proposals(session, row, layout) if keyed else {}
        keyings = disagreements(session, row)
    settings = ReviewSettings()
    low = [key for key, value in row.confidence.items() if value < settings.threshold(key, row.fields.get(key))]
    flagged = {reason.split(":", 1)[1] for reason in row.review_reasons if ":" in reason}
    first = next((column.key for column in layout.columns if column.key in low or column.key in flagged), None)
    if keyed:  # keyed entry goes through the fields in order
        first = layout.columns[0].key
    candidates = [reason.split(":", 1)[1] for reason in row.review_reasons if reason.startswith("possible_duplicate:")]
    duplicates = []
    if candidates:
        scored = {item.candidate_id: item for item in reversed(explanations(engine, row.record_id))}  # newest wins
        with Session(engine, expire_on_commit=False) as session:
            for candidate_id in candidates:
                candidate = session.get(RecordRow, candidate_id)
                duplicates.append({"record": candidate, "explanation": scored.get(candidate_id)})
    return {
        "viewer": viewer,
        "row": row,
        "layout": layout,
        "columns": layout.columns,
        "low": set(low),
        "flagged": flagged,
        "first": first,
        "held_by": held_by,
        "audit": audit_trail(engine, row.record_id),
        "duplicates": duplicates,
        "filters": filters,
        "query": _filter_query(filters),
        "conflict": None,
        "refused": {},
        "not_in_review": row.status != "needs_review",
        "typed": {key: as_typed(row.fields.get(key), key) for key in layout.field_keys()},
        "has_scan": bool(row.bbox and row.book_id),
        "suggestions": {key: as_typed(value, key) for key, value in (row.suggestions or {}).items()},
        "keyed": keyed,
        "choices": choices,
        "proposals": proposed,
        "keyings": keyings,
        "words": completion_words() if keyed else {},
        "types": {key: value_type(key).value for key in layout.field_keys()},
        "handwritten": {key for key, found in (row.issues or {}).items() if "handwritten" in found},
    }


def _dashboard(engine: Engine) -> dict[str, Any]:
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with Session(engine) as session:
        counts = session.execute(
            select(RecordRow.book_id, RecordRow.status, func.count()).group_by(RecordRow.book_id, RecordRow.status)
        ).all()
        pages = dict(session.execute(select(Page.book_id, func.count()).group_by(Page.book_id)).all())
        double = {book_id: bool(on) for book_id, on in session.execute(select(Book.book_id, Book.double_entry))}
        confidences = [
            value
            for (value,) in session.execute(
                select(RecordRow.min_confidence).where(RecordRow.min_confidence.is_not(None))
            )
        ]
        reviewed = session.execute(
            select(AuditEntry.user_name, func.count(func.distinct(AuditEntry.record_id)))
            .where(
                AuditEntry.at >= today,
                AuditEntry.action.in_(("save", "accept", "reject")),
                AuditEntry.field.is_(None),
            )
            .group_by(AuditEntry.user_name)
        ).all()
    books: dict[str, dict[str, int]] = {}
    for book, status, count in counts:
        entry = books.setdefault(book or "(nhập từ tệp)", Counter())
        entry[status] += count
        entry["rows"] += count
    histogram = Counter(min(9, int(value * 10)) for value in confidences if value is not None)
    return {
        "books": {name: dict(values) | {"pages": pages.get(name, 0)} for name, values in sorted(books.items())},
        "histogram": [histogram.get(bucket, 0) for bucket in range(10)],
        "reviewers_today": {name: count for name, count in reviewed},
        "pages_by_book": dict(pages),
        "double_entry": double,
    }
