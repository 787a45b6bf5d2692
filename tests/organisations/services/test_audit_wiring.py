"""Every governance and personal-data service writes exactly one audit entry, in its own transaction."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.services import user_delete
from organisations import services
from organisations.models import ClaimRequest, Editorship, ExportLog, ImportBatch, Invitation, Organisation, Report
from organisations.services.imports import import_batch_create
from portal.audit import audit_entries_for
from portal.models import AuditEntry
from tests.organisations.factories import OrganisationFactory, UserFactory, municipal_contact_user
from tests.organisations.imports_helpers import apply, run_import_jobs
from tests.organisations.roles import make_editor, make_moderator, make_staff

pytestmark = pytest.mark.django_db

IMPORT_CSV = b"nimi;kotikunta\nKuopion Audit-kuoro ry;Kuopio\n"


class Rollback(Exception):
    pass


def only_entry(action: str, *, after: AuditEntry | None = None) -> AuditEntry:
    """The one entry of ``action``, and no other (since ``after``): each service writes exactly one."""
    entries = list(AuditEntry.objects.filter(pk__gt=after.pk if after else 0))
    assert [entry.action for entry in entries] == [action]
    return entries[0]


def assert_target(entry: AuditEntry, obj) -> None:
    assert entry.target == obj
    assert entry in audit_entries_for(obj)


def pending_claim(organisation=None) -> ClaimRequest:
    return ClaimRequest.objects.create(
        organisation=organisation or OrganisationFactory(), user=UserFactory(), role="chair", language="fi"
    )


def test_claim_created():
    organisation = OrganisationFactory()
    user = UserFactory()
    claim = services.claim_create(organisation=organisation, user=user, role="chair", message="", language="fi")
    entry = only_entry("organisations.claim.created")
    assert entry.actor == user
    assert_target(entry, claim)
    assert entry.details["organisation"] == organisation.slug


@pytest.mark.parametrize(
    ("decide", "action"),
    [
        (lambda claim, moderator: services.claim_approve(claim=claim, moderator=moderator), "approved"),
        (lambda claim, moderator: services.claim_reject(claim=claim, moderator=moderator, reason="Ei"), "rejected"),
    ],
)
def test_claim_decided(decide, action):
    claim = pending_claim()
    moderator = make_moderator()
    decide(claim, moderator)
    entry = only_entry(f"organisations.claim.{action}")
    assert entry.actor == moderator
    assert_target(entry, claim)


@pytest.mark.parametrize(
    ("decide", "action"),
    [
        (lambda o, m: services.organisation_approve(organisation=o, moderator=m), "approved"),
        (lambda o, m: services.organisation_reject(organisation=o, moderator=m, reason="Ei ole yhdistys"), "rejected"),
    ],
)
def test_registration_decided(decide, action):
    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    moderator = make_moderator()
    decide(organisation, moderator)
    entry = only_entry(f"organisations.registration.{action}")
    assert entry.actor == moderator
    assert_target(entry, organisation)


def test_report_resolved():
    report = Report.objects.create(organisation=OrganisationFactory(), reason="outdated", message="Lopettanut")
    moderator = make_moderator()
    services.report_resolve(report=report, moderator=moderator, resolution="Arkistoitu")
    entry = only_entry("organisations.report.resolved")
    assert entry.actor == moderator
    assert_target(entry, report)
    assert entry.details["resolution"] == "Arkistoitu"


def test_listing_archived():
    organisation = OrganisationFactory()
    moderator = make_moderator()
    services.organisation_archive(organisation=organisation, moderator=moderator)
    entry = only_entry("organisations.listing.archived")
    assert entry.actor == moderator
    assert_target(entry, organisation)


def test_listing_reverted():
    organisation = OrganisationFactory(description="Alkuperäinen")
    version = organisation.history.latest()
    Organisation.objects.filter(pk=organisation.pk).update(description="Sotkettu")
    moderator = make_moderator()
    services.organisation_revert(organisation=organisation, history_id=version.history_id, user=moderator)
    entry = only_entry("organisations.listing.reverted")
    assert entry.actor == moderator
    assert_target(entry, organisation)
    assert entry.details["history_id"] == version.history_id


def test_invitation_created_and_accepted():
    organisation = OrganisationFactory()
    editor = make_editor(organisation)
    invitation = services.invitation_create(
        organisation=organisation, invited_by=editor, email="kutsuttu@example.org", language="fi"
    )
    entry = only_entry("organisations.invitation.created")
    assert entry.actor == editor
    assert_target(entry, organisation)
    invited = UserFactory(email="kutsuttu@example.org")
    services.invitation_accept(invitation=Invitation.objects.get(pk=invitation.pk), user=invited)
    entry = only_entry("organisations.invitation.accepted", after=entry)
    assert entry.actor == invited
    assert_target(entry, organisation)


def test_editor_removed():
    organisation = OrganisationFactory()
    editor = make_editor(organisation)
    leaving = make_editor(organisation)
    services.editorship_remove(editorship=Editorship.objects.get(user=leaving), removed_by=editor)
    entry = only_entry("organisations.editor.removed")
    assert entry.actor == editor
    assert_target(entry, organisation)
    assert entry.details["user_id"] == leaving.pk


def test_import_upload_dry_run_and_applied():
    staff = make_staff()
    batch = import_batch_create(user=staff, file_name="lista.csv", content=IMPORT_CSV)
    entry = only_entry("organisations.import.uploaded")
    assert entry.actor == staff
    assert_target(entry, batch)
    run_import_jobs()
    entry = only_entry("organisations.import.dry_run", after=entry)
    assert entry.actor == staff
    assert_target(entry, batch)
    assert entry.details["summary"]["create"] == 1
    apply(batch, user=staff)
    entry = only_entry("organisations.import.applied", after=entry)
    assert entry.actor == staff
    assert_target(entry, ImportBatch.objects.get(pk=batch.pk))
    assert entry.details["status"] == ImportBatch.Status.APPLIED


@pytest.mark.parametrize("format", ["csv", "xlsx", "emails"])
def test_export_records_filters_row_count_and_client_address(client, format):
    OrganisationFactory(name="Kuopion Vientikuoro ry", email="kuoro@example.org")
    OrganisationFactory(name="Kuopion Vientiseura ry", email="seura@example.org")
    contact = municipal_contact_user("297")
    client.force_login(contact)
    response = client.get(reverse("organisations:export", args=[format]) + "?q=Vienti", REMOTE_ADDR="192.0.2.7")
    b"".join(response.streaming_content)
    entry = only_entry(f"organisations.export.{format}")
    assert entry.actor == contact
    assert_target(entry, ExportLog.objects.get())
    assert entry.details["row_count"] == 2
    assert entry.details["filters"] == {"q": ["Vienti"]}
    assert entry.client_address == "192.0.2.7"


def test_account_deleted_keeps_the_label_not_the_link():
    user = UserFactory(email="poistuva@example.org")
    user_pk = user.pk
    user_delete(user=user)
    entry = only_entry("accounts.account.deleted")
    assert entry.actor is None
    assert entry.actor_label == "poistuva@example.org"
    assert entry.details["user_id"] == user_pk


def test_moderation_view_passes_the_client_address(client):
    claim = pending_claim()
    client.force_login(make_moderator())
    response = client.post(
        reverse("organisations:moderation_claim", args=[claim.pk]), {"decision": "approve"}, REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 302
    assert only_entry("organisations.claim.approved").client_address == "198.51.100.4"


@pytest.mark.parametrize(
    "act",
    [
        lambda: services.claim_approve(claim=pending_claim(), moderator=make_moderator()),
        lambda: services.organisation_archive(organisation=OrganisationFactory(), moderator=make_moderator()),
        lambda: services.editorship_remove(
            editorship=Editorship.objects.get(user=make_editor(o := OrganisationFactory())),
            removed_by=make_editor(o),
        ),
        lambda: import_batch_create(user=make_staff(), file_name="lista.csv", content=IMPORT_CSV),
        lambda: user_delete(user=UserFactory()),
    ],
    ids=["claim", "archive", "editor", "import", "account"],
)
def test_a_rolled_back_action_writes_no_entry(act):
    with pytest.raises(Rollback), transaction.atomic():
        act()
        assert AuditEntry.objects.count() == 1
        raise Rollback
    assert AuditEntry.objects.count() == 0


def test_the_listing_history_page_shows_its_audit_entries(client):
    organisation = OrganisationFactory()
    moderator = make_moderator(email="arkistoija@example.org")
    services.organisation_archive(organisation=organisation, moderator=moderator)
    client.force_login(moderator)
    html = client.get(reverse("organisations:history", args=[organisation.slug])).content.decode()
    entries = html[html.index('class="audit-entries"') :]
    assert "arkistoija@example.org" in entries
    # The action's translated label, not its dotted name.
    assert "Yhdistyksen tiedot arkistoitu" in entries
    assert "organisations.listing.archived" not in entries
