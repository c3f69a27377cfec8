"""What the benchmarks share: tables with Chinese text, progress lines and throwaway databases.

Imports nothing from Django, so a benchmark can import it before `django.setup()`.
"""

from __future__ import annotations

import os
import socket
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def pad(text: str, width: int) -> str:
    """Left-align for a terminal, where a Chinese character takes two columns."""
    return text + " " * (width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))


def say(text: str) -> None:
    """A progress line on stderr, so that stdout holds only the table."""
    print(text, file=sys.stderr, flush=True)


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:>9.1f}ms" if seconds < 10 else f"{seconds:>10.1f}s"


def pg_reachable() -> bool:
    parts = urlsplit(PG_URL)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=2).close()
    except OSError:
        return False
    return True


@contextmanager
def throwaway_database(db: str, workdir: Path, name: str) -> Iterator[str]:
    """Yield the DATABASE_URL of an empty database: a file in `workdir`, or PostgreSQL database `name`,
    created here and dropped on the way out (even when the benchmark fails)."""
    if db == "sqlite":
        yield f"sqlite:///{workdir / (name + '.sqlite3')}"
        return
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_URL}/{name}"
    finally:
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
