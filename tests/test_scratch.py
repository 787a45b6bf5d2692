"""The scratch databases of subprocess tests exist while used and are gone afterwards."""

import os
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.scratch import _postgres


def database_exists(name: str) -> bool:
    admin_url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def test_a_scratch_postgresql_database_is_dropped_even_when_the_test_fails(tmp_path):
    with pytest.raises(RuntimeError), _postgres(tmp_path) as scratch:
        name = urlsplit(scratch.url).path.lstrip("/")
        # A child process that never closed its connection must not keep the database alive.
        leftover = psycopg.connect(scratch.url)
        assert database_exists(name)
        raise RuntimeError("the test failed")
    assert not database_exists(name)
    leftover.close()
