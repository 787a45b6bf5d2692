"""The shared layout: one "forgot your password" link, Finnish date order in every language, an icon."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.templatetags.static import static
from django.urls import reverse

from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_login_page_offers_forgot_password_once(client):
    content = client.get(reverse("account_login")).content.decode()
    assert content.count("Unohditko salasanasi?") == 1
    assert content.count(reverse("account_reset_password")) == 1


@pytest.mark.parametrize(
    ("prefix", "sentence"),
    [
        ("", "Tiedot vahvistettu viimeksi 2.12.2025."),
        ("/sv", "Uppgifterna bekräftades senast 2.12.2025."),
        ("/en", "Information last confirmed on 2.12.2025."),
    ],
)
def test_dates_are_written_day_first_in_every_language(client, prefix, sentence):
    organisation = OrganisationFactory(
        name="Päivämäärän Ystävät ry",
        information_confirmed_at=datetime(2025, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki")),
    )
    content = client.get(prefix + organisation.get_absolute_url()).content.decode()
    assert sentence in content
    # Machine-readable structured data keeps ISO dates; what people read does not.
    visible = re.sub(r"<script.*?</script>", "", content, flags=re.DOTALL)
    assert "2025-12-02" not in visible
    assert "12/02/2025" not in visible


def test_every_page_names_its_icon_and_the_icons_are_served(client):
    content = client.get(reverse("home")).content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in content
    assert static("img/favicon.svg") in content

    icon = client.get("/favicon.ico")
    svg = client.get(static("img/favicon.svg"))
    try:
        assert icon.status_code == 200
        assert icon["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
        assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
        assert svg.status_code == 200
    finally:
        # WhiteNoise answers with open files; an unclosed one is a ResourceWarning (an error here).
        icon.close()
        svg.close()
