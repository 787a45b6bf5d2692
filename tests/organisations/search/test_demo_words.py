"""The issue's searches on PostgreSQL (here) and on the SQLite demo's FTS5 table (in another process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from organisations import search
from tests.organisations.search.demo_words import OPERATORS, SYNTAX, expected, make_associations, observe

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def associations(db):
    make_associations()


@pytest.fixture(params=[True, False], ids=["voikko", "snowball-only"])
def voikko(request, settings):
    """With Voikko, or as on a machine without it (set before the associations are indexed)."""
    settings.SEARCH_USE_VOIKKO = request.param
    assert search.voikko_available() is request.param
    return request.param


def test_the_issues_words_find_demo_like_associations_on_postgresql(voikko, associations):
    wanted = expected(voikko=voikko)
    assert {word: result["names"] for word, result in observe(list(wanted)).items()} == wanted


def test_a_typo_shows_similar_names_and_no_resemblance_says_so_on_postgresql(associations):
    results = observe(["eläkläiset", "kuoropoika"])
    assert results["eläkläiset"]["names"][:2] == ["Hirvensalmen Eläkeläiset ry", "Kuopion Eläkeläiset ry"]
    assert results["eläkläiset"]["similar"]
    assert results["kuoropoika"] == {"status": 200, "names": [], "similar": False, "nothing_similar": True}


def test_query_operators_never_reach_the_query_on_postgresql(associations):
    for word, result in observe(SYNTAX).items():
        assert result["status"] == 200, word
        assert "Alakylän Kyläseura ry" in result["names"], word
    assert {result["status"] for result in observe(OPERATORS).values()} == {200}


@pytest.mark.subprocess
@pytest.mark.parametrize("voikko", [True, False], ids=["voikko", "snowball-only"])
def test_the_same_searches_on_the_sqlite_demo(scratch_database, voikko):
    database = scratch_database("sqlite")
    environment = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database.url,
        "ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": str(database.directory / "media"),
        "SEARCH_USE_VOIKKO": "1" if voikko else "0",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "tests.organisations.search.sqlite_search_probe"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(completed.stdout)
    assert results["voikko"] is voikko
    wanted = expected(voikko=voikko)
    assert {word: results["words"][word]["names"] for word in wanted} == wanted
    assert results["words"]["eläkläiset"]["names"][:2] == ["Hirvensalmen Eläkeläiset ry", "Kuopion Eläkeläiset ry"]
    assert results["words"]["eläkläiset"]["similar"]
    assert results["words"]["kuoropoika"]["nothing_similar"]
    for word in SYNTAX:
        assert results["words"][word]["status"] == 200, word
        assert "Alakylän Kyläseura ry" in results["words"][word]["names"], word
    assert {results["words"][word]["status"] for word in OPERATORS} == {200}
    # The migration fills the FTS5 table from search entries written before it existed.
    assert "Kuopion Kuoro ry" in results["migrated"]
    # The index repair rewrites a lost FTS5 row.
    assert "Kuopion Kuoro ry" not in results["lost"]
    assert results["repaired"] == 1
    # A deleted association's row is left behind (no cascade into FTS5), then removed by the repair.
    assert results["orphans"] == [1, 0]
    assert "Kuopion Kuoro ry" in results["words"]["kuorot"]["names"]
