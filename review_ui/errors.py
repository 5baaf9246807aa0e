"""Errors as a person's browser shows them: Vietnamese pages; JSON for scripts and HTMX."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from review_ui import auth
from review_ui.app import COOKIE, _wants_json, engine_of, templates

_TITLES = {
    400: "Yêu cầu không hợp lệ",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Không được phép",
    409: "Xung đột",
    422: "Dữ liệu không hợp lệ",
    429: "Quá nhiều yêu cầu",
    500: "Lỗi máy chủ",
}


def error_page(request: Request, error: StarletteHTTPException) -> Response:
    """An error as a Vietnamese page for a person's browser, as JSON for scripts and HTMX."""
    detail = error.detail if isinstance(error.detail, str) else "Yêu cầu không hợp lệ."
    if error.status_code == 404 and detail == "Not Found":
        detail = "Không có trang này."
    elif error.status_code == 405:
        detail = "Trang này không nhận yêu cầu kiểu này."
    if (
        _wants_json(request)
        or request.headers.get("HX-Request")
        or "text/html" not in request.headers.get("accept", "")
    ):
        return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)
    title = _TITLES.get(error.status_code, "Lỗi")
    context = {"viewer": _viewer_or_none(request), "title": title, "detail": detail}
    return templates.TemplateResponse(request, "error.html", context, status_code=error.status_code)


def server_error(request: Request, _error: Exception) -> Response:
    """A bug: the person sees a Vietnamese page, never a traceback (the server's log has it)."""
    detail = "Đã có lỗi không mong muốn. Việc đang làm chưa được lưu; hãy thử lại hoặc báo cho quản trị."
    return error_page(request, StarletteHTTPException(500, detail))


def _viewer_or_none(request: Request) -> auth.Viewer | None:
    try:
        return auth.viewer_for(engine_of(request), request.cookies.get(COOKIE))
    except Exception:  # noqa: BLE001 - an error page must render even when the database does not answer
        return None
