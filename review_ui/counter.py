"""Counter pages (role officer): find a person, check the record against its scan, print the extract."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from load.certificate import extract_pdf
from load.review import audit_trail
from load.schema import RecordRow
from load.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, Results, find
from load.store import record_layout
from records import HotichError, Kind
from review_ui import auth
from review_ui.app import _page, _wants_json, csrf_checked, engine_of, logged, needs
from review_ui.scans import record_crop_png

Officer = Annotated[auth.Viewer, Depends(needs("officer"))]
Posting = Annotated[auth.Viewer, Depends(csrf_checked)]


def counter_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/counter", response_class=HTMLResponse)
    def counter_page(request: Request, viewer: Officer) -> Response:
        query = request.query_params.get("q", "").strip()
        kind = request.query_params.get("kind") or None
        if kind not in (None, *(k.value for k in Kind)):
            raise HTTPException(422, "Loại hồ sơ phải là khai sinh, khai tử hoặc kết hôn.")
        template = "_hits.html" if request.headers.get("HX-Request") else "counter.html"
        try:
            results = find(engine_of(request), query, kind=kind, limit=20) if query else Results([])
        except HotichError as error:  # a query too long to be one person's: nothing was searched
            if _wants_json(request):
                return JSONResponse({"detail": error.describe()}, status_code=422)
            context = {"viewer": viewer, "hits": [], "alike": 0, "q": query[:MAX_QUERY_CHARS], "kind": kind}
            context["error"] = f"Câu tra cứu quá dài (tối đa {MAX_QUERY_CHARS} ký tự, {MAX_QUERY_WORDS} từ)."
            return _page(request, template, context, status_code=422)
        if query:
            logged(request, viewer, "search", detail=query)
        if _wants_json(request):
            return JSONResponse([hit.as_dict() for hit in results.hits])
        context = {"viewer": viewer, "hits": results.hits, "alike": results.alike, "q": query, "kind": kind}
        context["holding"] = results.holding_words
        return _page(request, template, context)

    @router.get("/counter/records/{record_id}", response_class=HTMLResponse)
    def counter_record(request: Request, record_id: str, viewer: Officer) -> Response:
        with Session(engine_of(request), expire_on_commit=False) as session:
            row = session.get(RecordRow, record_id)
            layout = record_layout(session, row) if row is not None else None
        if row is None or layout is None:
            raise HTTPException(404, "Không có bản ghi này.")
        logged(request, viewer, "record", record_id)
        context: dict[str, Any] = {
            "viewer": viewer,
            "row": row,
            "layout": layout,
            "columns": layout.columns,
            "audit": audit_trail(engine_of(request), record_id),
            "has_scan": bool(row.bbox and row.book_id),
        }
        return _page(request, "counter_record.html", context)

    @router.post("/counter/records/{record_id}/extract.pdf")
    async def print_extract(request: Request, record_id: str, viewer: Posting) -> Response:
        if not viewer.may("officer"):
            raise HTTPException(403, "Bạn không có quyền mở trang này.")
        engine = engine_of(request)
        unverified = (await request.form()).get("unverified") == "1"  # the officer insists on a record in review
        crop = record_crop_png(engine, record_id)
        try:
            pdf = extract_pdf(engine, record_id, issued_by=viewer.name, crop_png=crop, unverified=unverified)
        except HotichError as error:
            status = 409 if error.code == "extract_unverified" else 404
            detail = "Hồ sơ đang chờ duyệt: chưa in được trích lục." if status == 409 else error.describe()
            raise HTTPException(status, detail) from error
        logged(request, viewer, "extract", record_id, "chưa xác minh" if unverified else None)
        headers = {"Content-Disposition": f'inline; filename="trich-luc-{record_id}.pdf"'}
        return Response(pdf, media_type="application/pdf", headers=headers)

    return router
