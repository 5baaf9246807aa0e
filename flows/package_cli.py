"""``hotich package``: the Ministry's delivery package of digitised books."""

from __future__ import annotations

from pathlib import Path
from statistics import median
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from records import HotichError

console = Console(stderr=True)


def package_command(
    book_ids: Annotated[list[str], typer.Argument(help="The books to package (their book_id)")],
    out: Annotated[Path | None, typer.Option("--out", help="Folder to write the package into")] = None,
    check: Annotated[bool, typer.Option("--check", help="Only run the validator; write nothing")] = False,
    allow_incomplete: Annotated[
        bool, typer.Option("--allow-incomplete", help="Write the records that pass and list those left out")
    ] = False,
    template: Annotated[
        Path | None, typer.Option("--template", help="The Ministry's column file (default: the one hotich ships)")
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL (default: $HOTICH_DB, else sqlite:///hotich.db)")
    ] = None,
) -> None:
    """Per book, the Excel file, a PDF per record and their ZIP for the Ministry (docs/spec/moj-package.md)."""
    from flows.cli import operator_errors
    from load.access import command_line_user, log_access
    from load.db import open_database
    from load.moj_template import load_template
    from load.package import build_package

    with operator_errors():
        if not check and out is None:
            raise HotichError("package_needs_out", "a package needs a folder", fix="add --out DIR, or --check")
        if out is not None and out.exists() and not out.is_dir():
            raise HotichError("package_out_not_folder", f"{out} is a file", fix="give a folder", where=str(out))
        columns = load_template(template)
        engine = open_database(db, create=False)
        bar = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*bar, console=console, transient=True) as progress:
            tasks: dict[str, TaskID] = {}

            def report(book: str, done: int, total: int) -> None:
                if book not in tasks:
                    tasks[book] = progress.add_task(escape(book), total=total)
                progress.update(tasks[book], completed=done)

            result = build_package(
                engine,
                book_ids,
                None if check else out,
                columns,
                allow_incomplete=allow_incomplete,
                on_progress=report,
            )
        if result.written:
            detail = f"Ministry package of {', '.join(book_ids)} to {out}"
            log_access(engine, command_line_user(), "export", detail=detail)
        engine.dispose()
    for refusal in result.refusals:
        console.print(f"[red]refused[/] {escape(refusal.describe())}", highlight=False)
    for plan in result.books:
        console.print(
            f"{escape(plan.book_id)}: {len(plan.entries)} records to deliver, {plan.left_out} left out, "
            f"{plan.rejected} rejected rows, {plan.already_held} already held by the Ministry",
            highlight=False,
        )
    if result.pdf_sizes:
        console.print(f"PDF size: median {median(result.pdf_sizes):.0f} kB per A4 page", highlight=False)
    for path in result.written:
        console.print(f"wrote {escape(str(path))}", highlight=False)
    if result.refusals and not (allow_incomplete and not check):
        console.print(
            f"[bold red]not packaged[/]: {len(result.refusals)} problems; review the records, correct book.json, "
            "or add --allow-incomplete to write the rest",
            highlight=False,
        )
        raise typer.Exit(1)
    if check:
        console.print("the package passes every check", highlight=False)
