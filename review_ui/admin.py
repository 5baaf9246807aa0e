"""Admin pages: the users (added, disabled, re-roled, new passwords) and the access log."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from load.access import access_log
from records import HotichError
from review_ui import auth
from review_ui.app import _page, _wants_json, csrf_checked, engine_of, needs, page_param

Admin = Annotated[auth.Viewer, Depends(needs("admin"))]
Posting = Annotated[auth.Viewer, Depends(csrf_checked)]
USER_ERRORS = {
    "user_missing": "Không có người dùng này.",
    "user_last_admin": "Đây là quản trị viên cuối cùng đang hoạt động: hãy cấp quyền quản trị cho người khác trước.",
    "user_weak_password": "Mật khẩu phải có ít nhất 8 ký tự.",
    "user_bad_role": "Vai trò không hợp lệ.",
}


def admin_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/admin/users", response_class=HTMLResponse)
    def users_page(request: Request, viewer: Admin) -> Response:
        users = auth.list_users(engine_of(request))
        return _page(request, "users.html", {"viewer": viewer, "users": users, "error": None})

    @router.get("/admin/access", response_class=HTMLResponse)
    def access_page(request: Request, viewer: Admin) -> Response:
        """Who read what: the access log, newest first, by user or record."""
        params = request.query_params
        page = page_param(request)
        user, record_id = (params.get("user") or "").strip()[:64], (params.get("record") or "").strip()[:64]
        found = access_log(engine_of(request), user=user or None, record_id=record_id or None, offset=(page - 1) * 100)
        if _wants_json(request):
            rows = [
                {"at": e.at.isoformat(), "user": e.user_name, "action": e.action, "record_id": e.record_id,
                 "detail": e.detail, "client": e.client}
                for e in found.entries
            ]  # fmt: skip
            return JSONResponse({"total": found.total, "entries": rows})
        query = urlencode({key: value for key, value in (("user", user), ("record", record_id)) if value})
        context = {"viewer": viewer, "found": found, "user": user, "record": record_id, "page": page, "query": query}
        return _page(request, "access.html", context)

    @router.post("/admin/users/change", response_class=HTMLResponse)
    async def change_user(request: Request, viewer: Posting) -> Response:
        """An admin disables, enables, re-roles a user or sets a new password."""
        if not viewer.may("admin"):
            raise HTTPException(403, "Bạn không có quyền mở trang này.")
        form = await request.form()
        name, action = str(form.get("name", "")), str(form.get("action", ""))
        engine = engine_of(request)
        changes = {
            "disable": lambda: auth.set_active(engine, name, False),
            "enable": lambda: auth.set_active(engine, name, True),
            "role": lambda: auth.set_role(engine, name, str(form.get("role", ""))),
            "reset": lambda: auth.reset_password(engine, name, str(form.get("password", ""))),
        }
        if action not in changes:
            raise HTTPException(422, "Thao tác không hợp lệ.")
        error, done = None, None
        try:
            changes[action]()
            done = f"Đã cập nhật người dùng {name}."
        except HotichError as problem:
            error = USER_ERRORS.get(problem.code, problem.message)
        users = auth.list_users(engine)
        context = {"viewer": viewer, "users": users, "error": error, "done": done}
        return _page(request, "users.html", context, status_code=422 if error else 200)

    @router.post("/admin/users", response_class=HTMLResponse)
    async def add_user(request: Request, viewer: Posting) -> Response:
        if not viewer.may("admin"):
            raise HTTPException(403, "Bạn không có quyền mở trang này.")
        form = await request.form()
        error = None
        try:
            auth.add_user(
                engine_of(request),
                str(form.get("name", "")),
                str(form.get("role", "")),
                str(form.get("password", "")),
            )
        except Exception as problem:  # noqa: BLE001 - HotichError shown to the admin
            error = getattr(problem, "message", str(problem))
        users = auth.list_users(engine_of(request))
        return _page(request, "users.html", {"viewer": viewer, "users": users, "error": error})

    return router
