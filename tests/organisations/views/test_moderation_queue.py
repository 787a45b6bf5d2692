"""The moderation queue: newest first, paged, by kind, municipality and name (issue 8, point 13)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organisations.models import ClaimRequest, Language, Municipality, Organisation, Report, TargetGroup
from tests.organisations.factories import OrganisationFactory, UserFactory, sector
from tests.organisations.roles import make_moderator

pytestmark = pytest.mark.django_db

QUEUE = reverse("organisations:moderation")
PENDING = Organisation.Status.PENDING


@pytest.fixture
def moderator_client(client):
    client.force_login(make_moderator())
    return client


def registration(name: str, *, created_at: datetime | None = None, code: str = "297") -> Organisation:
    organisation = OrganisationFactory(name=name, status=PENDING, home_municipality=Municipality.objects.get(code=code))
    if created_at:
        Organisation.objects.filter(pk=organisation.pk).update(created_at=created_at)
    return organisation


def stale(count: int) -> None:
    long_ago = timezone.now() - timedelta(days=800)
    for number in range(count):
        organisation = OrganisationFactory(name=f"Unohtunut {number:03d} ry")
        Organisation.objects.filter(pk=organisation.pk).update(
            information_confirmed_at=long_ago + timedelta(hours=number)
        )


def test_todays_registration_comes_before_one_from_2018(moderator_client):
    registration("Vanha Rekisteröinti ry", created_at=datetime(2018, 3, 1, tzinfo=UTC))
    registration("Tämänpäiväinen ry")
    page = moderator_client.get(QUEUE).content.decode()
    assert page.index("Tämänpäiväinen ry") < page.index("Vanha Rekisteröinti ry")


def test_long_unconfirmed_listings_are_paged_and_counted(moderator_client):
    stale(55)
    first = moderator_client.get(QUEUE, {"jono": "vanhentuneet"}).content.decode()
    assert "Pitkään vahvistamatta olleet tiedot (55)" in first
    assert first.count("Arkistoi") == 50
    # Newest first: the listing that went stale last leads.
    assert "Unohtunut 054 ry" in first and "Unohtunut 004 ry" not in first
    second = moderator_client.get(QUEUE, {"jono": "vanhentuneet", "page": 2}).content.decode()
    assert second.count("Arkistoi") == 5
    assert "Unohtunut 004 ry" in second and 'rel="prev"' in second


def test_each_kind_has_its_tab(moderator_client):
    claimed = OrganisationFactory(name="Pyydetty ry")
    ClaimRequest.objects.create(
        organisation=claimed, user=UserFactory(email="pyytaja@example.org"), role="puheenjohtaja"
    )
    reported = OrganisationFactory(name="Ilmoitettu ry")
    Report.objects.create(organisation=reported, reason=Report.Reason.OUTDATED)
    registration("Uusi ry")
    claims = moderator_client.get(QUEUE, {"jono": "pyynnot"}).content.decode()
    assert "pyytaja@example.org" in claims and "Uusi ry" not in claims
    reports = moderator_client.get(QUEUE, {"jono": "ilmoitukset"}).content.decode()
    assert "Ilmoitettu ry" in reports and "Pyydetty ry" not in reports
    default = moderator_client.get(QUEUE).content.decode()
    assert "Uusi ry" in default and "Ilmoitettu ry" not in default
    assert "Ylläpito-oikeuspyynnöt (1)" in default and "Ilmoitetut tiedot (1)" in default


def test_the_queue_filters_by_home_municipality_and_searches_by_name(moderator_client):
    registration("Kuopion Sieniseura ry", code="297")
    registration("Iisalmen Sieniseura ry", code="140")
    registration("Iisalmen Kuoro ry", code="140")
    page = moderator_client.get(QUEUE, {"kunta": "140"}).content.decode()
    assert "Iisalmen Sieniseura ry" in page and "Iisalmen Kuoro ry" in page
    assert "Kuopion Sieniseura ry" not in page
    assert "Uudet yhdistykset (2)" in page
    page = moderator_client.get(QUEUE, {"kunta": "140", "q": "sieni"}).content.decode()
    assert "Iisalmen Sieniseura ry" in page
    assert "Iisalmen Kuoro ry" not in page and "Kuopion Sieniseura ry" not in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"jono": "kaikki"}, "Jonoa kaikki ei ole."),
        ({"kunta": "999"}, "Palvelussa ei ole kuntaa tällä koodilla."),
        ({"page": "viimeinen"}, "”viimeinen” ei ole sivunumero"),
        ({"page": "7"}, "Sivua 7 ei ole"),
        ({"q": "sieni\x07"}, "Osaa suodattimista ei ymmärretty"),
    ],
)
def test_invalid_parameters_are_left_out_with_a_message_never_a_500(moderator_client, params, message):
    registration("Savon Sieniseura ry")
    response = moderator_client.get(QUEUE, params)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Savon Sieniseura ry" in page


def test_the_queue_costs_the_same_number_of_queries_for_five_and_fifty_items(moderator_client):
    for number in range(5):
        registration(f"Ensimmäinen {number} ry")
    with CaptureQueriesContext(connection) as few:
        assert moderator_client.get(QUEUE, {"kunta": "297", "q": "ry"}).status_code == 200
    for number in range(45):
        registration(f"Toinen {number} ry")
    with CaptureQueriesContext(connection) as many:
        assert moderator_client.get(QUEUE, {"kunta": "297", "q": "ry"}).status_code == 200
    assert len(few) == len(many), [q["sql"][:120] for q in many.captured_queries]
    # Session, account and permissions; the header's "is a municipal contact" check; the municipality
    # filter's lookup and options; four tab counts; the page's count and rows.
    assert len(many) <= 13
    for kind in ("pyynnot", "ilmoitukset", "vanhentuneet"):
        with CaptureQueriesContext(connection) as other:
            moderator_client.get(QUEUE, {"jono": kind})
        assert len(other) <= len(many)


def test_the_review_page_shows_every_field_that_will_be_published(moderator_client):
    organisation = registration("Savon Sieniseura ry")
    Organisation.objects.filter(pk=organisation.pk).update(
        name_sv="Savolax Svampförening rf",
        website="https://sieniseura.example",
        email="sienet@sieniseura.example",
        phone="+358401234567",
        meeting_place="Kirjaston kerhohuone",
        street_address="Kauppakatu 1",
        postal_code="70100",
        post_office="Kuopio",
    )
    organisation.target_groups.set([TargetGroup.objects.first()])
    organisation.languages.set([Language.objects.first()])
    organisation.municipalities.set([Municipality.objects.get(code="140")])
    organisation.sectors.set([sector("kulttuuri")])
    page = moderator_client.get(
        reverse("organisations:moderation_registration", args=[organisation.slug])
    ).content.decode()
    for shown in (
        "Savolax Svampförening rf",
        str(TargetGroup.objects.first()),
        str(Language.objects.first()),
        "Iisalmi",
        "https://sieniseura.example",
        "sienet@sieniseura.example",
        "040 1234567",
        "Kirjaston kerhohuone",
        "Kauppakatu 1, 70100 Kuopio",
    ):
        assert shown in page
