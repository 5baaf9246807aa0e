"""The ``hotich`` command line (spec section 6)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from records import HotichError, Kind

if TYPE_CHECKING:
    from flows.digitize import BookSummary, PageOutcome
    from load.search import Hit

app = typer.Typer(help="hotich: digitise Vietnamese civil-status registers.", no_args_is_help=True)
console = Console(stderr=True)
DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $HOTICH_DB, else sqlite:///hotich.db)")
]


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"


def _quiet_prefect() -> None:
    """Prefect's own logs are for debugging; the CLI prints its own progress and summary."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if os.environ.get("PREFECT_LOGGING_LEVEL", "").upper() != "DEBUG":
        # A page that fails is a failed task to Prefect, which logged "Finished in state Failed" and
        # its traceback at ERROR before hotich's one line naming the book, page and reason.
        import logging

        for name in ("prefect.task_runs", "prefect.flow_runs"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


@contextmanager
def operator_errors() -> Iterator[None]:
    """The one handler of this entry point: an operator error is a message and exit code 2."""
    try:
        yield
    except HotichError as error:
        console.print(f"[bold red]error[/] {escape(error.describe())}", highlight=False)
        raise typer.Exit(2) from None


def _progress_callback(progress: Progress, book: str) -> Callable[[str, int, PageOutcome | None], None]:
    task_id = progress.add_task(book, total=None)

    def report(event: str, total: int, outcome: PageOutcome | None) -> None:
        if event == "start":
            progress.update(task_id, total=total)
        elif outcome is not None:
            progress.advance(task_id)

    return report


def _summary_table(summaries: list[BookSummary]) -> Table:
    table = Table(title="Digitised")
    table.add_column("book", no_wrap=True)
    for heading in ("pages", "read", "unchanged", "failed", "rows", "auto-accepted", "needs review"):
        table.add_column(heading, justify="right")
    for s in summaries:
        table.add_row(
            s.book_id,
            str(len(s.outcomes)),
            str(s.count("loaded")),
            str(s.count("unchanged")),
            str(s.count("failed")),
            str(sum(s.statuses.values()) if s.statuses else s.rows),
            str(s.statuses.get("auto_accepted", 0) if s.statuses else s.auto_accepted),
            str(s.statuses.get("needs_review", 0) if s.statuses else s.needs_review),
        )
    return table


def writable_target(path: Path) -> Path:
    """A file to write: its folder must exist (an operator error naming it, not a traceback)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise HotichError(
            "out_folder_missing",
            f"the folder {folder.resolve()} does not exist",
            fix="create it, or give another --out",
        )
    return path


@contextmanager
def written_whole(target: Path, suffix: str = ".partial") -> Iterator[Path]:
    """Write to ``target`` + ``suffix``, then rename: a crash or a full disk never leaves half a file
    under the real name, and the partial file is removed."""
    partial = target.with_name(target.name + suffix)
    try:
        yield partial
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise HotichError(
            "write_failed",
            f"cannot write {target} ({error.strerror})",
            fix="free some disk space, or give another --out",
        ) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def run_digitize(
    book_dirs: list[Path], db: str | None, *, dask_address: str | None = None, dask_workers: int | None = None
) -> tuple[list[BookSummary], list[HotichError]]:
    """Digitise each book, collecting book-level errors instead of stopping at the first; on a Dask
    cluster when given its scheduler's address or a number of local worker processes."""
    _quiet_prefect()
    from flows.digitize import check_book, digitize_book, on_dask

    flow = on_dask(dask_address, dask_workers) if dask_address or dask_workers else digitize_book

    summaries, failures = [], []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        for book_dir in book_dirs:
            try:
                check_book(book_dir)  # before the flow: a bad book is one clean line, not Prefect's traceback
                summaries.append(flow(book_dir, db, on_progress=_progress_callback(progress, book_dir.name)))
            except HotichError as error:
                failures.append(error)
                progress.console.print(f"[bold red]book failed[/] {escape(error.describe())}", highlight=False)
    return summaries, failures


DaskAddress = Annotated[
    str | None,
    typer.Option("--dask-address", help="Spread pages over the Dask cluster whose scheduler is here (tcp://HOST:8786)"),
]
DaskWorkers = Annotated[
    int | None,
    typer.Option("--dask-workers", min=1, max=64, help="Spread pages over a local Dask cluster of this many processes"),
]


@app.command()
def digitize(
    book_dirs: Annotated[list[Path], typer.Argument(help="Book folders (book.json + page scans)")],
    db: DbOption = None,
    dask_address: DaskAddress = None,
    dask_workers: DaskWorkers = None,
) -> None:
    """Extract, normalise and load books; re-running a book changes nothing already loaded."""
    with operator_errors():
        summaries, failures = run_digitize(book_dirs, db, dask_address=dask_address, dask_workers=dask_workers)
    if summaries:
        console.print(_summary_table(summaries))
    for summary in summaries:
        recognised = [outcome for outcome in summary.outcomes if outcome.layout]
        for layout in sorted({outcome.layout for outcome in recognised if outcome.layout}):
            pages = [outcome for outcome in recognised if outcome.layout == layout]
            lowest = min(outcome.layout_score or 0.0 for outcome in pages)
            console.print(
                f"{escape(summary.book_id)}: layout {layout} recognised on {len(pages)} pages "
                f"(headings matched {lowest:.2f} at the least): {', '.join(o.image_name for o in pages[:10])}"
                + ("…" if len(pages) > 10 else ""),
                highlight=False,
            )
        for notice in summary.notices:
            console.print(f"[yellow]folder changed[/] {escape(notice)}", highlight=False)
        for error in summary.errors:
            console.print(f"[red]page failed[/] {escape(error)}", highlight=False)
    if failures or any(summary.errors for summary in summaries):
        raise typer.Exit(1)


@app.command()
def export(
    db: DbOption = None,
    format: Annotated[ExportFormat, typer.Option("--format", help="jsonl, csv or xlsx")] = ExportFormat.jsonl,
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: standard output)")] = None,
) -> None:
    """Write every record (spec section 4)."""
    from load.access import command_line_user, log_access
    from load.db import open_database
    from load.export import exported_records, write_csv, write_jsonl, write_xlsx

    with operator_errors():
        engine = open_database(db, create=False)
        writer = write_csv if format == ExportFormat.csv else write_jsonl
        if format == ExportFormat.xlsx:
            if out is None:
                raise HotichError("export_needs_out", "an XLSX export needs a file", fix="add --out FILE.xlsx")
            with written_whole(writable_target(out), ".partial.xlsx") as partial:
                count = write_xlsx(exported_records(engine), partial)
        elif out is None:
            count = writer(exported_records(engine), sys.stdout)
        else:
            encoding = "utf-8-sig" if format == ExportFormat.csv else "utf-8"  # a BOM: Excel then reads UTF-8
            with written_whole(writable_target(out)) as partial, partial.open("w", encoding=encoding, newline="") as f:
                count = writer(exported_records(engine), f)
        detail = f"{count} records, {format.value} to {out or 'stdout'}"
        log_access(engine, command_line_user(), "export", detail=detail)
    console.print(f"exported {count} records" + (f" to {out}" if out else ""))


@app.command("import-existing")
def import_existing_command(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: record_id, kind, then field keys (spec section 5)")],
    db: DbOption = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet to read, when it has several")] = None,
    template: Annotated[
        Path | None, typer.Option("--template", help="The Ministry's column file, for a sheet in its columns")
    ] = None,
) -> None:
    """Load records already held electronically; re-importing the same file changes nothing.

    A sheet in the Ministry's columns (a package delivered before) is read back through them."""
    from load.db import open_database
    from load.importer import import_existing

    with operator_errors():
        engine = open_database(db)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(escape(file.name), total=None)
            summary = import_existing(
                engine,
                file,
                sheet=sheet,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
                template=template,
            )
        engine.dispose()
    for note in summary.notes:
        console.print(f"[yellow]note[/] {escape(note)}")
    for problem in summary.problems:
        console.print(f"[red]row not loaded[/] {escape(problem.describe(file))}", highlight=False)
    console.print(
        f"{escape(file.name)}: {summary.rows} rows: {summary.added} added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.kept_decided} kept as reviewed, {len(summary.problems)} not loaded; "
        f"{summary.needs_review} need review; {summary.duplicates} linked to digitised records, "
        f"{summary.possible_duplicates} possible duplicates to review",
        highlight=False,
    )
    if summary.problems:
        raise typer.Exit(1)


@app.command()
def explain(
    record_id: Annotated[
        str, typer.Argument(help="A record linked as a duplicate, or sent to review as a possible one")
    ],
    db: DbOption = None,
    html: Annotated[Path | None, typer.Option(help="Also write splink's waterfall chart to this HTML file")] = None,
) -> None:
    """Why two records were linked: each comparison's level and match weight."""
    from sqlalchemy.orm import Session

    from load.db import open_database
    from load.linkage import explanations, waterfall_html
    from load.schema import RecordRow

    out = Console(highlight=False, soft_wrap=True)
    with operator_errors():
        engine = open_database(db, create=False)
        found = explanations(engine, record_id)
        with Session(engine) as session:
            held = session.get(RecordRow, record_id) is not None
        engine.dispose()
        if not held:
            raise HotichError(
                "explain_no_record", f"there is no record {record_id}", fix="check the id (hotich search finds it)"
            )
        if not found:
            raise HotichError(
                "explain_no_pair",
                f"record {record_id} was not linked to, or compared with, any other record",
                fix="give the id of a record with duplicate_of or a possible_duplicate review reason",
            )
        for item in found[:5]:
            out.print(
                f"[bold]{escape(item.record_id)}[/] compared with [bold]{escape(item.candidate_id)}[/] "
                f"(linkage run {item.run_id}): match probability {item.match_probability:.4f}, "
                f"match weight {item.match_weight:+.2f}"
            )
            for part in item.comparisons:
                name = part["comparison"]
                candidate, this = _pair_values(item.pair, name)
                out.print(
                    f"  {name:<16} {escape(repr(this))} vs {escape(repr(candidate))}: {escape(part['level'])}"
                    f"  [bold]{part['match_weight']:+.2f}[/]"
                )
        if html is not None:
            html.write_text(waterfall_html(found[0]), encoding="utf-8")
            console.print(f"waterfall chart written to {escape(str(html))}")


_PAIR_COLUMNS = {"name": "name_fold", "wife_name": "other_fold", "wife_birth_date": "other_birth_date",
                 "father_name": "father_fold", "mother_name": "mother_fold", "place": "place_fold",
                 "registration": "reg_key"}  # fmt: skip


def _pair_values(pair: dict[str, Any], comparison: str) -> tuple[Any, Any]:
    column = _PAIR_COLUMNS.get(comparison, comparison)
    return pair.get(f"{column}_l"), pair.get(f"{column}_r")


users_app = typer.Typer(help="Users of the web app.", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _read_password() -> str:
    """Asked twice on a terminal; read as two lines from standard input otherwise."""
    if sys.stdin.isatty():
        import getpass

        first, second = getpass.getpass("Mật khẩu / password: "), getpass.getpass("Nhập lại / again: ")
    else:
        lines = sys.stdin.read().splitlines()
        first, second = [*lines, "", ""][:2]
    if first != second:
        raise HotichError("user_password_mismatch", "the two passwords differ", fix="type the same password twice")
    return first


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's sign-in name")],
    role: Annotated[str, typer.Option(help="reviewer | officer | admin")],
    db: DbOption = None,
) -> None:
    """Create a user; the password is read from the terminal (or twice from standard input)."""
    from load.db import open_database
    from review_ui.auth import add_user

    with operator_errors():
        password = _read_password()
        engine = open_database(db, create=False)
        add_user(engine, name, role, password)
        engine.dispose()
    console.print(f"user {escape(name)} ({escape(role)}) created")


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """The users of the web app: name, role, whether they may sign in."""
    from load.db import open_database
    from review_ui.auth import list_users

    with operator_errors():
        engine = open_database(db, create=False)
        users = list_users(engine)
        engine.dispose()
    table = Table(title="Users")
    for heading in ("name", "role", "active", "created"):
        table.add_column(heading)
    for user in users:
        table.add_row(user.name, user.role, "yes" if user.active else "disabled", f"{user.created_at:%Y-%m-%d}")
    console.print(table)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="User name")], db: DbOption = None) -> None:
    """Stop a user signing in; their open sessions end at once."""
    _change_user(db, "disabled", name, lambda engine: _auth().set_active(engine, name, False))


@users_app.command("enable")
def users_enable(name: Annotated[str, typer.Argument(help="User name")], db: DbOption = None) -> None:
    """Let a disabled user sign in again."""
    _change_user(db, "enabled", name, lambda engine: _auth().set_active(engine, name, True))


@users_app.command("role")
def users_role(
    name: Annotated[str, typer.Argument(help="User name")],
    role: Annotated[str, typer.Argument(help="reviewer | officer | admin")],
    db: DbOption = None,
) -> None:
    """Change a user's role (they sign in again)."""
    _change_user(db, f"now {role}", name, lambda engine: _auth().set_role(engine, name, role))


@users_app.command("reset")
def users_reset(name: Annotated[str, typer.Argument(help="User name")], db: DbOption = None) -> None:
    """Set a new password (asked twice); the user's open sessions end."""
    with operator_errors():
        password = _read_password()
    _change_user(db, "has a new password", name, lambda engine: _auth().reset_password(engine, name, password))


def _auth() -> Any:
    from review_ui import auth

    return auth


def _change_user(db: str | None, done: str, name: str, change: Callable[[Any], None]) -> None:
    from load.db import open_database

    with operator_errors():
        engine = open_database(db, create=False)
        change(engine)
        engine.dispose()
    console.print(f"user {escape(name)} {escape(done)}")


@app.command()
def review(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="Mark cookies Secure: for a web app served behind HTTPS")
    ] = False,
    allowed_hosts: Annotated[
        str | None,
        typer.Option(help="Host names the app answers to, comma-separated (default: the --host, localhost)"),
    ] = None,
    trusted_proxy: Annotated[
        str | None,
        typer.Option(
            help="Address of the reverse proxy whose X-Forwarded-For is believed (default: none is; the login "
            "rate limit counts the connecting address)"
        ),
    ] = None,
    books_dir: Annotated[
        Path | None,
        typer.Option(help="Folder uploaded books are written to (default: $HOTICH_BOOKS, else ./hotich-books)"),
    ] = None,
) -> None:
    """Serve the web app (upload, review and counter pages); sign in at /login. Uploaded books are
    read by `hotich worker`, started beside it."""
    import uvicorn

    from load.db import database_url
    from review_ui.app import create_app

    hosts = [name.strip() for name in (allowed_hosts or "").split(",") if name.strip()]
    hosts = hosts or sorted({host, "localhost", "127.0.0.1"} - {"0.0.0.0", "::"})
    with operator_errors():
        web = create_app(database_url(db), secure_cookies=secure_cookies, allowed_hosts=hosts, books_dir=books_dir)
        _port_free(host, port)
    _settle_memory()
    console.print(f"hotich web app on http://{host}:{port}/login  (Ctrl+C to stop)")
    uvicorn.run(
        web,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=trusted_proxy is not None,
        forwarded_allow_ips=trusted_proxy or "",
    )


@app.command()
def worker(
    db: DbOption = None,
    once: Annotated[bool, typer.Option("--once", help="Stop when no run waits (default: wait for more)")] = False,
    poll: Annotated[float, typer.Option(help="Seconds between looks for a queued run")] = 2.0,
    stale_seconds: Annotated[
        float, typer.Option(help="A running run whose worker has been silent this long is taken again")
    ] = 120.0,
    dask_address: DaskAddress = None,
    dask_workers: DaskWorkers = None,
) -> None:
    """Digitise the books uploaded in the web app, one run after another (Ctrl+C to stop)."""
    _quiet_prefect()
    from flows.worker import work

    def told(run: object) -> None:
        console.print(f"reading book {escape(getattr(run, 'book_id', ''))} (run {getattr(run, 'id', '')})")

    with operator_errors():
        try:
            count = work(
                db, once=once, poll=poll, stale_seconds=stale_seconds, on_run=told,
                dask_address=dask_address, dask_workers=dask_workers,
            )  # fmt: skip
        except KeyboardInterrupt:
            console.print("worker stopped; a run it was reading is taken again by the next worker")
            raise typer.Exit(130) from None
    console.print(f"{count} runs done")


def _port_free(host: str, port: int) -> None:
    """Say so when the port is taken, before claiming the app runs there."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise HotichError(
                "port_in_use",
                f"cannot listen on {host}:{port} ({error.strerror})",
                fix="stop the other program on that port, or give --port",
            ) from error


@app.command()
def search(
    query: Annotated[
        str,
        typer.Argument(
            help="Name (with or without diacritics); a date or year (of birth, of a death, of a marriage, or "
            "the wife's birth), number, book; a parent's or the spouse's name after cha/bố, mẹ/me/má, vợ/chồng"
        ),
    ],
    db: DbOption = None,
    kind: Annotated[str | None, typer.Option(help="birth | death | marriage")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON")] = False,
    limit: Annotated[int, typer.Option(help="How many results")] = 10,
) -> None:
    """Find records as the citizen says the name: any order, typos, with or without diacritics."""
    import json

    from load.access import command_line_user, log_access
    from load.db import open_database
    from load.search import find

    with operator_errors():
        if not query.strip():
            raise HotichError("query_empty", "the search is empty", fix="type a name, and a year or date of birth")
        engine = open_database(db, create=False)
        results = find(engine, query, kind=kind, limit=limit)
        log_access(engine, command_line_user(), "search", detail=query)
        engine.dispose()
    hits = results.hits
    if as_json:
        print(json.dumps([hit.as_dict() for hit in hits], ensure_ascii=False, indent=1))
        return
    out = Console(highlight=False, soft_wrap=True)
    if not hits and results.holding_words:
        many = "more than 1,000" if results.holding_words >= 1000 else f"{results.holding_words:,}"
        console.print(
            f"no record matches the whole query, but {many} records hold these words: "
            "type the full name and a year or date of birth (or a parent's name)"
        )
        raise typer.Exit(1)
    if not hits:
        console.print("no record found")
        raise typer.Exit(1)
    for hit in hits:
        where = f"book {hit.book_id} p.{hit.page_no} r.{hit.row_no}" if hit.book_id else "imported"
        names = hit.person_name or ""
        if hit.other_name:
            names += f" & {hit.other_name}"
        parents = " / ".join(filter(None, (hit.father_name, hit.mother_name)))
        out.print(
            f"{hit.score:6.1f}  {escape(hit.record_id)}  {hit.kind:<8} {escape(names)}  "
            f"born {hit.birth_date or '?'}{_other_dates(hit)}  no. {hit.registration_number or '?'}  {escape(where)}"
            + (f"  parents: {escape(parents)}" if parents else "")
        )
    if results.alike:
        console.print(
            f"at least {results.alike} more records match as well as the last one shown: "
            "add the birth date (d/m/yyyy) or a parent's name to the query"
        )


def _other_dates(hit: Hit) -> str:
    """The dates besides the (husband's) birth a counter query may have given: a wife's birth, a
    death, a marriage."""
    said = f", wife born {hit.other_birth_date}" if hit.other_birth_date else ""
    if hit.event_date:
        said += f", {'died' if hit.kind == Kind.death else 'married'} {hit.event_date}"
    return said


@app.command("extract")
def extract_command(
    record_id: Annotated[str, typer.Argument(help="The record to print an extract (trích lục) of")],
    db: DbOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="PDF file to write (default: RECORD_ID.pdf)")] = None,
    place: Annotated[str | None, typer.Option(help="Issuing place (default: the book's locality)")] = None,
    unverified: Annotated[
        bool, typer.Option("--unverified", help="Print a record still in review, marked 'chưa xác minh' (logged)")
    ] = False,
) -> None:
    """A printable extract (trích lục) of one record, with its source scan; the issue is logged."""
    from load.access import command_line_user, log_access
    from load.certificate import extract_pdf
    from load.db import open_database
    from review_ui.scans import record_crop_png

    with operator_errors():
        engine = open_database(db, create=False)
        crop = record_crop_png(engine, record_id)
        user = command_line_user()
        pdf = extract_pdf(engine, record_id, issued_by=user, place=place, crop_png=crop, unverified=unverified)
        log_access(engine, user, "extract", record_id=record_id, detail="chưa xác minh" if unverified else None)
        engine.dispose()
    target = out or Path(re.sub(r"[^\w.-]", "_", record_id) + ".pdf")  # an id with "/" is no folder
    with operator_errors(), written_whole(writable_target(target)) as partial:
        partial.write_bytes(pdf)
    console.print(f"extract written to {escape(str(target))}")


@app.command("normalize-check")
def normalize_check(
    file: Annotated[Path, typer.Argument(help="A CSV or XLSX file: columns are field keys (spec section 2)")],
    kind: Annotated[str | None, typer.Option(help="birth | death | marriage, when the file has no kind column")] = None,
    year: Annotated[int | None, typer.Option(help="The book's year (resolves two-digit years)")] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet to read")] = None,
    only_issues: Annotated[bool, typer.Option("--only-issues", help="Show only values with issues")] = False,
) -> None:
    """Show what hotich will make of each value of a file, without loading anything."""
    from load.files import read_table
    from normalize.inspect import check_row

    out = Console(highlight=False, soft_wrap=True)
    with operator_errors():
        table = read_table(file, sheet=sheet)
        for note in table.notes:
            console.print(f"[yellow]note[/] {escape(note)}")
        problems = rows = 0
        for index, values in enumerate(table.rows()):
            rows += 1
            row_no = table.first_row + index
            if not values:
                continue
            written_kind = values.get("kind") or kind
            try:
                row_kind = Kind(str(written_kind).strip().lower())
            except ValueError:
                out.print(f"row {row_no}  kind: {escape(repr(written_kind))}  [red]unknown_kind[/]")
                problems += 1
                continue
            for check in check_row(row_no, row_kind, values, book_year=year):
                problems += bool(check.issues)
                if only_issues and not check.issues:
                    continue
                issues = f"  [red]{escape(', '.join(check.issues))}[/]" if check.issues else ""
                out.print(
                    f"row {row_no}  {check.key}: {escape(repr(check.written))} → {escape(repr(check.value))}{issues}"
                )
                if check.keys:
                    out.print(f"        {escape(check.keys)}", style="dim")
        console.print(f"{rows} rows, {problems} values with issues")


@app.command()
def demo(
    folder: Annotated[Path, typer.Option("--folder", help="Where to write the sample books")] = Path("hotich-demo"),
    pages: Annotated[int, typer.Option("--pages", min=1, max=50, help="Pages per book")] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample books")] = 2026,
    db: DbOption = None,
) -> None:
    """Make one sample book of each kind, digitise them, and say what to open next."""
    from load.db import database_url
    from samplebooks import generate_books

    console.print(f"Writing sample books to {folder}/books …")
    books = generate_books(folder, seed=seed, pages=pages)
    with operator_errors():
        summaries, failures = run_digitize(books, db)
    console.print(_summary_table(summaries))
    url = database_url(db)
    hotich = _command_name()
    console.print(
        f"\nThe records are in [bold]{url}[/]. Next:\n"
        f"  {hotich} users add admin --role admin            # the web app's first user\n"
        f"  {hotich} review                                  # then open http://127.0.0.1:8000/login\n"
        f'  {hotich} search "nguyen van an"                  # counter search\n'
        f"  {hotich} export --format jsonl --out records.jsonl   # every record, spec section 4\n"
        f"  ground truth of the sample books: {folder}/truth/*.jsonl\n"
        f"  python bench/score.py records.jsonl {folder}/truth   # accuracy against the truth",
        highlight=False,
    )
    if failures or any(summary.errors for summary in summaries):
        raise typer.Exit(1)


def _settle_memory() -> None:
    """Load the normaliser's word lists and units, then keep them out of the garbage
    collector's way: full collections walking them cost searches 60–80 ms (bench/search_speed.py)."""
    import gc

    from normalize.record import normalize_field

    for key, value in (("full_name", "Nguyễn Văn An"), ("birth_place", "Hà Nội"), ("birth_date", "1/1/2000")):
        normalize_field(key, value, reference_year=2000)
    gc.collect()
    gc.freeze()


def _command_name() -> str:
    """How the user ran hotich (``.venv/bin/hotich`` when it is not on the PATH)."""
    import shutil

    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("hotich")
    if program.name == "hotich" and shutil.which("hotich") != str(program.resolve()):
        try:
            return str(program.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(program)
    return "hotich"


from flows.package_cli import package_command  # noqa: E402 - after app, whose handlers it uses

app.command("package")(package_command)


def main() -> Any:
    return app()


if __name__ == "__main__":
    main()
