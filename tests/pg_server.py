"""A throwaway PostgreSQL server for the test run (initdb + pg_ctl in a temporary folder).

Debian keeps the server binaries in /usr/lib/postgresql/<version>/bin, off the PATH; they
are looked up there too. None when no server binaries are installed.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def server_binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def throwaway_postgres(settings: dict[str, str] | None = None) -> Iterator[str | None]:
    """A running server's URL (database ``hotich``), removed afterwards; None if unavailable.

    ``settings`` are server parameters (``{"shared_buffers": "1GB"}``) on top of the test run's."""
    binaries = server_binaries()
    if binaries is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="hotich-pg-"))
    data, port = folder / "data", _free_port()
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: use the postgres account
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    user = "postgres" if run_as else getpass.getuser()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run([*run_as, str(binaries / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8"],
                   check=True, capture_output=True, env=env)  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    options += "".join(f" -c {name}={value}" for name, value in (settings or {}).items())
    subprocess.run([*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
                    str(folder / "log"), "start"], check=True, capture_output=True, env=env)  # fmt: skip
    try:
        import psycopg

        with psycopg.connect(f"postgresql://{user}@127.0.0.1:{port}/postgres", autocommit=True) as connection:
            connection.execute("CREATE DATABASE hotich")
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/hotich"
    finally:
        subprocess.run([*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, env=env)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
