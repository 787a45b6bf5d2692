"""The language switcher: links to the same page in each language, no CSRF on anonymous pages."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from portal.templatetags.language_links import language_links, language_path


@pytest.mark.parametrize(
    ("path", "current", "target", "expected"),
    [
        ("/yhdistykset/", "fi", "sv", "/sv/yhdistykset/"),
        ("/yhdistykset/", "fi", "fi", "/yhdistykset/"),
        ("/sv/yhdistykset/", "sv", "fi", "/yhdistykset/"),
        ("/sv/yhdistykset/", "sv", "en", "/en/yhdistykset/"),
        ("/en/", "en", "fi", "/"),
        ("/en", "en", "fi", "/"),
        ("/", "fi", "en", "/en/"),
        # A Finnish page whose path only starts with the letters of a language code.
        ("/svenska-klubben/", "fi", "en", "/en/svenska-klubben/"),
    ],
)
def test_language_path_swaps_the_prefix(path, current, target, expected):
    assert language_path(path, current, target) == expected


def test_links_keep_the_query_and_escape_the_path():
    request = RequestFactory().get("/sv/yhdistykset/ä b/", {"kunta": "297", "q": '"><'})
    with translation.override("sv"):
        links = language_links({"request": request})
    urls = {link["code"]: link["url"] for link in links}
    assert urls["fi"] == "/yhdistykset/%C3%A4%20b/?kunta=297&q=%22%3E%3C"
    assert urls["en"].startswith("/en/yhdistykset/%C3%A4%20b/?")
    assert [link["code"] for link in links if link["current"]] == ["sv"]


@pytest.mark.django_db
def test_anonymous_page_has_language_links_and_no_csrf_cookie(client):
    response = client.get("/sv/yhdistykset/?kunta=297")
    html = response.content.decode()
    assert 'href="/yhdistykset/?kunta=297" lang="fi"' in html
    assert 'href="/en/yhdistykset/?kunta=297" lang="en"' in html
    assert 'lang="sv" hreflang="sv" aria-current="true"' in html
    assert "csrfmiddlewaretoken" not in html
    assert "csrftoken" not in response.cookies


@pytest.mark.django_db
def test_a_link_shows_the_page_in_that_language(client):
    assert "Föreningar" in client.get("/sv/yhdistykset/").content.decode()
    assert 'lang="en"' in client.get("/sv/yhdistykset/").content.decode()
    assert "Associations" in client.get("/en/yhdistykset/").content.decode()
