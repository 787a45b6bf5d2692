"""With the database unreachable every page is a 503 the client may retry; liveness still answers.

No ``django_db`` here: the ``database_unreachable`` fixture points the default connection at a
closed port, so every query meets a real refused connection (psycopg's OperationalError).
"""

import pytest
from django.test import Client

from portal.views import server_error

UNAVAILABLE_FI = "Palvelu on hetken poissa käytöstä"
UNAVAILABLE_SV = "Tjänsten är tillfälligt otillgänglig"


@pytest.fixture
def browser_client():
    # A visitor sees the error page; Django's test client would re-raise the exception instead.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/", UNAVAILABLE_FI),
        ("/yhdistykset/", UNAVAILABLE_FI),
        ("/yhdistykset/?q=kuoro", UNAVAILABLE_FI),
        ("/kunnat/kuopio/", UNAVAILABLE_FI),
        ("/sv/yhdistykset/", UNAVAILABLE_SV),
    ],
)
def test_pages_answer_503_with_retry_after_when_the_database_is_unreachable(
    browser_client, database_unreachable, url, text
):
    response = browser_client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert text in response.content.decode()
    assert "Something went wrong" not in response.content.decode()


def test_signing_in_answers_503_when_the_database_is_unreachable(browser_client, database_unreachable):
    # The sign-in form itself needs no database; checking the password does.
    assert browser_client.get("/tili/login/").status_code == 200
    response = browser_client.post("/tili/login/", {"login": "jasen@example.org", "password": "salasana-123"})
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert UNAVAILABLE_FI in response.content.decode()


def test_a_database_error_inside_a_middleware_is_a_503_too(browser_client, database_unreachable):
    # A session cookie makes the staff guard middleware load the user (and the session) from the
    # database before any view runs.
    browser_client.cookies["sessionid"] = "a" * 32
    response = browser_client.get("/admin/")
    assert response.status_code == 503
    assert UNAVAILABLE_FI in response.content.decode()


def test_liveness_needs_no_database(browser_client, database_unreachable):
    response = browser_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_other_errors_stay_a_500(rf):
    # Only an unreachable database is "briefly unavailable"; a bug is a 500.
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Retry-After" not in response
