"""Databases of their own for tests that run the project in another process (``subprocess`` marker).

A benchmark or the SQLite demo run by a test migrates and loads a database of its own, beside
the suite's test database. ``scratch_database`` gives each such test a uniquely named one and
removes it afterwards, passed or failed, so parallel runs never share one and nothing is left
behind: a PostgreSQL database next to the suite's (``<suite database>_scratch_<hex>``, dropped
with ``FORCE`` in case the child process left a connection), or an SQLite file, with a directory
for media files, in a temporary directory that is deleted.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql


@dataclass(frozen=True)
class ScratchDatabase:
    url: str
    # For the child's MEDIA_ROOT and other files; deleted with the database.
    directory: Path


@contextmanager
def _postgres(directory: Path) -> Iterator[ScratchDatabase]:
    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"{parts.path.lstrip('/')}_scratch_{uuid.uuid4().hex[:12]}"
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield ScratchDatabase(url=parts._replace(path=f"/{name}").geturl(), directory=directory)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def scratch_database():
    """``scratch_database("postgresql")`` or ``scratch_database("sqlite")``: a ``ScratchDatabase``."""
    with tempfile.TemporaryDirectory(prefix="jt-scratch-") as temporary, ExitStack() as cleanup:

        def make(engine: str) -> ScratchDatabase:
            directory = Path(tempfile.mkdtemp(dir=temporary))
            if engine == "sqlite":
                return ScratchDatabase(url=f"sqlite:///{directory / 'db.sqlite3'}", directory=directory)
            if engine == "postgresql":
                return cleanup.enter_context(_postgres(directory))
            raise ValueError(f"unknown engine {engine!r}")

        yield make
