"""An editor reads their own listing's history (issue 8, point 12)."""

import pytest
from django.urls import reverse

from organisations import services
from organisations.models import Organisation
from tests.organisations.factories import OrganisationFactory, UserFactory
from tests.organisations.roles import make_editor, make_moderator

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing():
    """A listing registered by one editor, approved by a moderator, edited by a second editor who left."""
    founder = UserFactory(email="perustaja@example.org")
    organisation = services.organisation_register(
        user=founder,
        data={
            "name": "Savon Sieniseura ry",
            "home_municipality": OrganisationFactory().home_municipality,
            "description": "Sieniretkiä.",
        },
    )
    moderator = make_moderator(email="valvoja.nimi@example.org")
    services.organisation_approve(organisation=organisation, moderator=moderator)
    leaver = make_editor(organisation, email="lahtija@example.org")
    organisation.refresh_from_db()
    services.organisation_update(organisation=organisation, user=leaver, data={"description": "Syysretket."})
    organisation.editorships.filter(user=leaver).delete()
    return Organisation.objects.get(pk=organisation.pk), founder


def test_an_editor_sees_the_history_with_moderators_shown_as_moderator(client, listing):
    organisation, founder = listing
    client.force_login(founder)
    page = client.get(reverse("organisations:history", args=[organisation.slug])).content.decode()
    assert "perustaja@example.org" in page
    assert "Moderaattori" in page
    assert "valvoja.nimi@example.org" not in page
    assert "Entinen muokkaaja" in page
    assert "lahtija@example.org" not in page
    # The audit log (moderators' notes, client addresses) is not an editor's reading.
    assert "Tapahtumaloki" not in page and "audit-entries" not in page


def test_a_moderator_still_sees_who_by_e_mail(client, listing):
    organisation, _ = listing
    client.force_login(make_moderator())
    page = client.get(reverse("organisations:history", args=[organisation.slug])).content.decode()
    assert "valvoja.nimi@example.org" in page
    assert "lahtija@example.org" in page


def test_an_editor_reads_a_version_but_gets_no_restore_button(client, listing):
    organisation, founder = listing
    client.force_login(founder)
    version = organisation.history.order_by("history_date", "history_id").last()
    response = client.get(reverse("organisations:version", args=[organisation.slug, version.history_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Syysretket." in page
    assert "Entinen muokkaaja" in page
    assert "Palauta tämä versio" not in page
    response = client.post(reverse("organisations:version", args=[organisation.slug, version.history_id]))
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.description == "Syysretket."


def test_the_edit_page_links_to_the_history_where_it_says_every_change_is_recorded(client, listing):
    organisation, founder = listing
    client.force_login(founder)
    page = client.get(reverse("organisations:edit", args=[organisation.slug])).content.decode()
    history = reverse("organisations:history", args=[organisation.slug])
    assert f'tallentuu muutoshistoriaan. <a href="{history}">' in page


def test_the_editor_of_another_listing_gets_a_404(client, listing):
    organisation, _ = listing
    client.force_login(make_editor(OrganisationFactory()))
    assert client.get(reverse("organisations:history", args=[organisation.slug])).status_code == 404


def test_the_history_page_query_count_does_not_grow_with_versions(client, listing, django_assert_max_num_queries):
    organisation, founder = listing
    client.force_login(founder)
    for number in range(5):
        services.organisation_update(organisation=organisation, user=founder, data={"description": f"Versio {number}"})
    with django_assert_max_num_queries(12):
        assert client.get(reverse("organisations:history", args=[organisation.slug])).status_code == 200
