"""The audit log: written in the caller's transaction, append-only, read by staff."""

import json
from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext_lazy

from organisations.models import Organisation
from portal.audit import audit_entries_for, audit_record
from portal.models import AuditEntry, AuditLogIsAppendOnly
from portal.models.audit import ACTION_LABELS
from tests.organisations.factories import OrganisationFactory
from tests.roles import verified_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return verified_user(email="moderaattori.testi@example.org")


def test_an_entry_records_who_what_which_object_and_details(moderator):
    organisation = OrganisationFactory(name="Pihlajaveden Kyläyhdistys ry")
    entry = audit_record(
        action="organisations.listing.archived", actor=moderator, target=organisation, details={"reason": "stale"}
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.actor_label) == (moderator, moderator.email)
    assert entry.action == "organisations.listing.archived"
    assert entry.target == organisation
    assert entry.target_type == ContentType.objects.get_for_model(Organisation)
    assert (entry.target_id, entry.target_label) == (str(organisation.pk), "Pihlajaveden Kyläyhdistys ry")
    assert entry.details == {"reason": "stale"}
    assert entry.client_address is None


def test_an_entry_written_in_a_transaction_that_rolls_back_leaves_nothing(moderator):
    organisation = OrganisationFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.ARCHIVED)
        audit_record(action="organisations.listing.archived", actor=moderator, target=organisation)
        raise RuntimeError("the service failed after recording")
    assert not AuditEntry.objects.exists()
    organisation.refresh_from_db()
    assert organisation.status != Organisation.Status.ARCHIVED


def test_entries_cannot_be_changed_or_deleted_through_the_orm(moderator):
    entry = audit_record(action="organisations.claim.approved", actor=moderator, details={"note": "ok"})
    entry.details = {"note": "rewritten"}
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(details={"note": "rewritten"})
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().details == {"note": "ok"}


def test_deleting_the_actors_account_keeps_a_readable_entry(moderator):
    audit_record(action="organisations.claim.rejected", actor=moderator)
    moderator.delete()
    entry = AuditEntry.objects.get()
    assert entry.actor is None
    assert entry.actor_label == "moderaattori.testi@example.org"


def test_an_action_must_be_a_dotted_name():
    with pytest.raises(ValueError, match="dotted"):
        audit_record(action="Claim approved")
    assert not AuditEntry.objects.exists()


def test_the_client_address_and_the_signed_in_user_come_from_the_request(settings, moderator):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.23")
    request.user = moderator
    entry = audit_record(action="organisations.export.downloaded", request=request)
    entry.refresh_from_db()
    assert entry.client_address == "198.51.100.23"
    assert entry.actor == moderator

    settings.BEHIND_PROXY = False
    entry = audit_record(action="organisations.export.downloaded", actor=moderator, request=request)
    entry.refresh_from_db()
    assert entry.client_address == "10.0.0.2"


def test_an_objects_history_lists_its_entries_in_helsinki_time_with_translated_labels(monkeypatch, moderator):
    organisation, other = OrganisationFactory(), OrganisationFactory()
    monkeypatch.setitem(ACTION_LABELS, "organisations.listing.archived", gettext_lazy("Archived"))
    content_type = ContentType.objects.get_for_model(Organisation)
    AuditEntry.objects.create(
        action="organisations.listing.archived",
        actor=moderator,
        actor_label=moderator.email,
        target_type=content_type,
        target_id=str(organisation.pk),
        target_label=str(organisation),
        details={"reason": "lopettanut"},
        created_at=datetime(2026, 6, 1, 9, 5, tzinfo=UTC),
    )
    audit_record(action="organisations.listing.restored", target=organisation)
    audit_record(action="organisations.listing.archived", target=other)

    entries = audit_entries_for(organisation)
    assert [entry.action for entry in entries] == ["organisations.listing.restored", "organisations.listing.archived"]
    html = render_to_string("portal/_audit_entries.html", {"entries": entries})
    assert "1.6.2026 12.05" in html  # 09.05 UTC is 12.05 in Helsinki's summer time
    assert "Arkistoitu" in html  # a registered label, translated
    assert "organisations.listing.restored" in html  # no label: the dotted name
    assert moderator.email in html and "lopettanut" in html


def test_staff_read_the_log_in_the_admin_but_cannot_add_change_or_delete(client, login_as, moderator):
    claim = audit_record(action="organisations.claim.approved", actor=moderator, details={"role": "chair"})
    audit_record(action="accounts.account.deleted", actor=moderator)
    login_as(client, "staff")

    changelist = reverse("admin:portal_auditentry_changelist")
    response = client.get(changelist)
    assert response.status_code == 200
    assert "organisations.claim.approved" in response.content.decode()
    assert "delete_selected" not in response.content.decode()

    filtered = client.get(changelist, {"action_prefix": "organisations"}).content.decode()
    assert "organisations.claim.approved" in filtered and "accounts.account.deleted" not in filtered
    searched = client.get(changelist, {"q": "moderaattori.testi"}).content.decode()
    assert "organisations.claim.approved" in searched

    change_url = reverse("admin:portal_auditentry_change", args=[claim.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    assert client.post(change_url, {"action": "organisations.claim.rejected"}).status_code == 403
    assert client.get(reverse("admin:portal_auditentry_add")).status_code == 403
    delete_url = reverse("admin:portal_auditentry_delete", args=[claim.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=claim.pk).action == "organisations.claim.approved"
    assert AuditEntry.objects.count() == 2


def test_the_log_is_not_for_moderators_in_the_admin(client, login_as):
    login_as(client, "moderator")
    assert client.get(reverse("admin:portal_auditentry_changelist")).status_code == 403


def test_download_my_data_lists_what_the_account_did(client, moderator):
    organisation = OrganisationFactory(name="Rauhalahden Nuorisoseura ry")
    audit_record(action="organisations.editor.invited", actor=moderator, target=organisation)
    audit_record(action="organisations.editor.invited", actor=verified_user(email="toinen@example.org"))
    client.force_login(moderator)
    data = json.loads(client.get(reverse("accounts:personal_data")).content)
    assert [(item["action"], item["target"]) for item in data["audit_log"]] == [
        ("organisations.editor.invited", "Rauhalahden Nuorisoseura ry")
    ]
