"""Views of moderation: decisions, history and reverts, residents' reports, archiving."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from organisations import services
from organisations.models import Organisation, Report
from tests.organisations.factories import OrganisationFactory, UserFactory, sector
from tests.organisations.roles import make_editor, make_moderator
from tests.organisations.views.test_selfservice import registration_post

pytestmark = pytest.mark.django_db


def test_moderator_approves_a_registration_and_it_appears_in_the_directory(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    registrant = UserFactory()
    client.force_login(registrant)
    client.post(reverse("organisations:register"), registration_post())
    organisation = Organisation.objects.get(name="Savon Sieniseura ry")
    # The directory caches its counts: the page seen before the approval must not stick.
    client.logout()
    assert "Savon Sieniseura ry" not in client.get(reverse("organisations:list")).content.decode()
    client.force_login(make_moderator())
    queue = client.get(reverse("organisations:moderation")).content.decode()
    assert reverse("organisations:moderation_registration", args=[organisation.slug]) in queue
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:moderation_registration", args=[organisation.slug]), {"decision": "approve"}
        )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.PUBLISHED
    assert mailoutbox[0].to == [registrant.email]
    client.logout()
    assert "Savon Sieniseura ry" in client.get(reverse("organisations:list")).content.decode()


def test_rejecting_a_registration_without_a_reason_is_refused(client):
    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    client.force_login(make_moderator())
    response = client.post(
        reverse("organisations:moderation_registration", args=[organisation.slug]), {"decision": "reject"}
    )
    assert response.status_code == 200
    assert "Anna syy hylkäämiselle." in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.PENDING


# Editing


def test_moderator_sees_the_diff_and_reverts(client):
    organisation = OrganisationFactory(description="Alkuperäinen kuvaus")
    editor = make_editor(organisation)
    services.organisation_update(organisation=organisation, user=editor, data={"description": "Hyvä kuvaus"})
    good = organisation.history.latest()
    services.organisation_update(organisation=organisation, user=editor, data={"description": "Sotkettu"})
    bad = organisation.history.latest()
    client.force_login(make_moderator())
    history = client.get(reverse("organisations:history", args=[organisation.slug])).content.decode()
    assert editor.email in history
    diff = client.get(reverse("organisations:version", args=[organisation.slug, bad.history_id])).content.decode()
    assert "Hyvä kuvaus" in diff
    assert "Sotkettu" in diff
    assert "Kuvaus" in diff
    response = client.post(reverse("organisations:version", args=[organisation.slug, good.history_id]))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.description == "Hyvä kuvaus"


def test_history_of_another_listing_cannot_be_opened_through_ones_own(client):
    a, b = OrganisationFactory(), OrganisationFactory()
    client.force_login(make_moderator())
    b_version = b.history.earliest()
    assert client.get(reverse("organisations:version", args=[a.slug, b_version.history_id])).status_code == 404


# Claims


def test_anyone_can_report_a_listing_and_a_moderator_resolves_it(client):
    cache.clear()
    organisation = OrganisationFactory()
    response = client.post(
        reverse("organisations:report", args=[organisation.slug]), {"reason": "outdated", "message": "Lopettanut"}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.reporter is None
    client.force_login(make_moderator())
    assert (
        organisation.name in client.get(reverse("organisations:moderation"), {"jono": "ilmoitukset"}).content.decode()
    )
    client.post(reverse("organisations:moderation_report", args=[report.pk]), {"resolution": "Tarkistettu"})
    report.refresh_from_db()
    assert report.resolved_at is not None


def test_reports_are_rate_limited(client, settings):
    cache.clear()
    settings.ORGANISATION_REPORTS_PER_HOUR = 3
    organisation = OrganisationFactory()
    url = reverse("organisations:report", args=[organisation.slug])
    for _ in range(3):
        assert client.post(url, {"reason": "wrong"}).status_code == 302
    response = client.post(url, {"reason": "wrong"})
    assert response.status_code == 429
    assert "Yritä uudelleen tunnin kuluttua" in response.content.decode()
    assert Report.objects.count() == 3


def test_report_needs_a_reason(client):
    organisation = OrganisationFactory()
    response = client.post(reverse("organisations:report", args=[organisation.slug]), {"reason": "nonsense"})
    assert response.status_code == 200
    assert not Report.objects.exists()


# Keeping listings current


def test_stale_listing_is_flagged_and_moderator_archives_it(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="Unohtunut ry")
    Organisation.objects.filter(pk=organisation.pk).update(
        information_confirmed_at=timezone.now() - timedelta(days=800)
    )
    client.force_login(make_moderator())
    with django_assert_max_num_queries(12):
        queue = client.get(reverse("organisations:moderation"), {"jono": "vanhentuneet"})
    assert "Unohtunut ry" in queue.content.decode()
    client.logout()
    assert "Unohtunut ry" in client.get(reverse("organisations:list")).content.decode()
    client.force_login(make_moderator())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisations:moderation_archive", args=[organisation.slug]))
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ARCHIVED
    client.logout()
    assert "Unohtunut ry" not in client.get(reverse("organisations:list")).content.decode()


def test_history_pages_query_counts(client, django_assert_max_num_queries):
    organisation = OrganisationFactory()
    editor = make_editor(organisation)
    for text in ("Yksi", "Kaksi", "Kolme"):
        services.organisation_update(
            organisation=organisation, user=editor, data={"description": text, "sectors": [sector("kulttuuri")]}
        )
    client.force_login(make_moderator())
    with django_assert_max_num_queries(10):
        assert client.get(reverse("organisations:history", args=[organisation.slug])).status_code == 200
    latest = organisation.history.latest()
    with django_assert_max_num_queries(40):
        response = client.get(reverse("organisations:version", args=[organisation.slug, latest.history_id]))
    assert "Kolme" in response.content.decode()
