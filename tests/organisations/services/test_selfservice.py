import time
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from organisations import services
from organisations.models import (
    ClaimRequest,
    ConfirmationReminder,
    Editorship,
    Invitation,
    Municipality,
    Organisation,
    Report,
)
from organisations.tasks import send_confirmation_reminders_task
from tests.organisations.factories import OrganisationFactory, UserFactory, sector
from tests.organisations.roles import make_editor, make_moderator, make_staff

pytestmark = pytest.mark.django_db


def kuopio():
    return Municipality.objects.get(code="297")


def registration_data(**overrides):
    data = {
        "name": "Savon Sieniseura ry",
        "name_sv": "",
        "register_number": "123456",
        "business_id": "2077474-0",
        "home_municipality": kuopio(),
        "sectors": [],
        "target_groups": [],
        "description": "Sieniretkiä syksyisin.",
        "website": "",
        "email": "",
        "phone": "",
    }
    data.update(overrides)
    return data


def test_registration_creates_a_pending_listing_with_the_registrant_as_editor():
    user = UserFactory()
    organisation = services.organisation_register(user=user, data=registration_data())
    assert organisation.status == Organisation.Status.PENDING
    assert organisation.slug == "savon-sieniseura-ry"
    assert list(organisation.editorships.values_list("user", flat=True)) == [user.pk]
    assert organisation.history.count() == 1
    assert organisation.history.first().history_user == user
    organisation.refresh_from_db()
    assert "Sieniseura" in organisation.search_document


def test_registration_ignores_fields_outside_the_registration_form():
    organisation = services.organisation_register(
        user=UserFactory(),
        data=registration_data(status=Organisation.Status.PUBLISHED, slug="oma-osoite", information_confirmed_at=None),
    )
    assert organisation.status == Organisation.Status.PENDING
    assert organisation.slug != "oma-osoite"


def test_registration_never_takes_a_reserved_address():
    organisation = services.organisation_register(
        user=UserFactory(), data=registration_data(name="Uusi", register_number="", business_id="")
    )
    assert organisation.slug == "uusi-2"


def test_registration_with_a_listed_register_number_is_refused():
    OrganisationFactory(register_number="123456")
    with pytest.raises(ValidationError):
        services.organisation_register(user=UserFactory(), data=registration_data())
    assert not Organisation.objects.filter(name="Savon Sieniseura ry").exists()


def test_likely_duplicates_find_same_numbers_and_similar_names_in_the_same_municipality():
    listed = OrganisationFactory(name="Kuopion Kyläyhdistys ry")
    elsewhere = OrganisationFactory(
        name="Kuopion Kyläyhdistys ry 2", home_municipality=Municipality.objects.get(code="749")
    )
    numbered = OrganisationFactory(name="Aivan Muu ry", register_number="99", business_id="2077474-0")

    def found(**kwargs):
        return set(Organisation.objects.likely_duplicates(**kwargs))

    assert found(name="Kuopion kyläyhdistys", home_municipality=kuopio()) == {listed}
    assert found(name="Tervon Hiihtoseura", home_municipality=kuopio()) == set()
    assert elsewhere not in found(name="Kuopion Kyläyhdistys ry", home_municipality=kuopio())
    assert found(name="", home_municipality=None, register_number="99") == {numbered}
    assert found(name="", home_municipality=None, business_id="2077474-0") == {numbered}


def test_moderator_approves_a_registration_and_editors_are_told(mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    organisation = services.organisation_register(user=user, data=registration_data())
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_approve(organisation=organisation, moderator=make_moderator())
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.PUBLISHED
    assert organisation.information_confirmed_at is not None
    assert [message.to for message in mailoutbox] == [[user.email]]
    assert "Savon Sieniseura ry" in mailoutbox[0].subject


def test_registration_cannot_be_approved_by_its_own_editor():
    user = UserFactory()
    organisation = services.organisation_register(user=user, data=registration_data())
    with pytest.raises(PermissionDenied):
        services.organisation_approve(organisation=organisation, moderator=user)
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.PENDING


def test_rejection_needs_a_reason():
    organisation = services.organisation_register(user=UserFactory(), data=registration_data())
    with pytest.raises(ValidationError):
        services.organisation_reject(organisation=organisation, moderator=make_moderator(), reason="  ")
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.PENDING


def test_claim_approval_creates_the_editorship_and_mails_in_the_claimants_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="Tervon Kyläyhdistys ry")
    claimant = UserFactory()
    claim = services.claim_create(
        organisation=organisation, user=claimant, role="puheenjohtaja", message="", language="sv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_approve(claim=claim, moderator=make_moderator())
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.APPROVED
    assert claim.decided_at is not None
    assert Editorship.objects.filter(organisation=organisation, user=claimant).exists()
    assert mailoutbox[0].to == [claimant.email]
    assert mailoutbox[0].subject == "Du kan nu redigera Tervon Kyläyhdistys ry"


def test_claim_rejection_tells_the_reason(mailoutbox, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    claimant = UserFactory()
    claim = services.claim_create(organisation=organisation, user=claimant, role="jäsen", message="", language="fi")
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_reject(claim=claim, moderator=make_moderator(), reason="Ei hallituksen jäsen.")
    assert not Editorship.objects.filter(user=claimant).exists()
    assert "Ei hallituksen jäsen." in mailoutbox[0].body


def test_claim_cannot_be_approved_by_a_non_moderator():
    organisation = OrganisationFactory()
    claim = services.claim_create(
        organisation=organisation, user=UserFactory(), role="sihteeri", message="", language="fi"
    )
    for outsider in (UserFactory(), make_editor(organisation)):
        with pytest.raises(PermissionDenied):
            services.claim_approve(claim=claim, moderator=outsider)
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.PENDING
    assert organisation.editorships.count() == 1


def test_one_pending_claim_per_user_and_organisation():
    organisation = OrganisationFactory()
    user = UserFactory()
    services.claim_create(organisation=organisation, user=user, role="jäsen", message="", language="fi")
    with pytest.raises(ValidationError):
        services.claim_create(organisation=organisation, user=user, role="jäsen", message="", language="fi")
    # The database holds the line even past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRequest.objects.create(organisation=organisation, user=user, role="jäsen")
    assert ClaimRequest.objects.count() == 1


def test_a_decided_claim_allows_a_new_one():
    organisation = OrganisationFactory()
    user = UserFactory()
    claim = services.claim_create(organisation=organisation, user=user, role="jäsen", message="", language="fi")
    services.claim_reject(claim=claim, moderator=make_moderator(), reason="Tarkenna roolia.")
    services.claim_create(organisation=organisation, user=user, role="puheenjohtaja", message="", language="fi")
    assert ClaimRequest.objects.filter(user=user).count() == 2


def test_invitation_is_accepted_only_by_the_invited_address(mailoutbox, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    editor = make_editor(organisation)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            organisation=organisation, invited_by=editor, email="Uusi.Toimittaja@example.org", language="fi"
        )
    assert mailoutbox[0].to == ["Uusi.Toimittaja@example.org"]
    assert "/kutsu/" in mailoutbox[0].body
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=UserFactory(email="joku.muu@example.org"))
    invitee = UserFactory(email="uusi.toimittaja@example.org")
    services.invitation_accept(invitation=invitation, user=invitee)
    assert organisation.editorships.filter(user=invitee).exists()
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=invitee)


def test_expired_invitation_gives_nothing():
    organisation = OrganisationFactory()
    invitation = services.invitation_create(
        organisation=organisation, invited_by=make_editor(organisation), email="kutsuttu@example.org", language="fi"
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=UserFactory(email="kutsuttu@example.org"))
    assert organisation.editorships.count() == 1


def test_an_editor_cannot_invite_to_another_association():
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    editor = make_editor(mine)
    with pytest.raises(PermissionDenied):
        services.invitation_create(organisation=theirs, invited_by=editor, email="x@example.org", language="fi")
    assert not Invitation.objects.exists()


def test_the_last_editor_cannot_be_removed_except_by_staff():
    organisation = OrganisationFactory()
    first = make_editor(organisation)
    second = make_editor(organisation)
    services.editorship_remove(editorship=organisation.editorships.get(user=second), removed_by=first)
    last = organisation.editorships.get(user=first)
    with pytest.raises(ValidationError, match="vähintään yksi ylläpitäjä"):
        services.editorship_remove(editorship=last, removed_by=first)
    with pytest.raises(ValidationError):
        services.editorship_remove(editorship=last, removed_by=make_moderator())
    assert organisation.editorships.count() == 1
    services.editorship_remove(editorship=last, removed_by=make_staff())
    assert organisation.editorships.count() == 0


def test_update_records_one_version_with_the_changed_fields():
    organisation = OrganisationFactory(description="Vanha kuvaus")
    editor = make_editor(organisation)
    recorded_before = organisation.history.count()
    services.organisation_update(
        organisation=organisation,
        user=editor,
        data={"description": "Uusi kuvaus", "sectors": [sector("kulttuuri")], "status": "archived"},
    )
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.PUBLISHED
    assert organisation.description == "Uusi kuvaus"
    assert list(organisation.sectors.values_list("slug", flat=True)) == ["kulttuuri"]
    assert organisation.history.count() == recorded_before + 1
    latest = organisation.history.latest()
    assert latest.history_user == editor
    changed = latest.diff_against(latest.prev_record).changed_fields
    # Saving an edit confirms the listing too.
    assert sorted(changed) == ["description", "information_confirmed_at", "sectors"]
    assert "Uusi kuvaus" in organisation.search_document


def test_revert_restores_content_and_classifications():
    organisation = OrganisationFactory(description="Alkuperäinen")
    editor = make_editor(organisation)
    services.organisation_update(
        organisation=organisation, user=editor, data={"description": "Hyvä", "sectors": [sector("kulttuuri")]}
    )
    good = organisation.history.latest()
    services.organisation_update(organisation=organisation, user=editor, data={"description": "Roskaa", "sectors": []})
    with pytest.raises(PermissionDenied):
        services.organisation_revert(organisation=organisation, history_id=good.history_id, user=editor)
    services.organisation_revert(organisation=organisation, history_id=good.history_id, user=make_moderator())
    organisation.refresh_from_db()
    assert organisation.description == "Hyvä"
    assert list(organisation.sectors.values_list("slug", flat=True)) == ["kulttuuri"]
    assert organisation.history.latest().history_change_reason.startswith("reverted")


def test_report_is_created_and_resolved_by_a_moderator():
    organisation = OrganisationFactory()
    report = services.report_create(organisation=organisation, reason=Report.Reason.OUTDATED, message="Lopettanut")
    with pytest.raises(PermissionDenied):
        services.report_resolve(report=report, moderator=UserFactory())
    services.report_resolve(report=report, moderator=make_moderator(), resolution="Arkistoitu")
    assert not Report.objects.unresolved().exists()


# Keeping listings current


def due_listing(days_ago: int, **kwargs):
    organisation = OrganisationFactory(**kwargs)
    Organisation.objects.filter(pk=organisation.pk).update(
        information_confirmed_at=timezone.now() - timedelta(days=days_ago)
    )
    organisation.refresh_from_db()
    return organisation


def test_reminder_task_run_twice_sends_once(mailoutbox, django_capture_on_commit_callbacks):
    organisation = due_listing(366)
    first, second = make_editor(organisation), make_editor(organisation)
    fresh = due_listing(10)
    make_editor(fresh)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_confirmation_reminders_task.delay().get() == 1
        assert send_confirmation_reminders_task.delay().get() == 0
    assert sorted(message.to[0] for message in mailoutbox) == sorted([first.email, second.email])
    assert ConfirmationReminder.objects.filter(organisation=organisation, stage=0).count() == 1
    assert "/vahvista/" in mailoutbox[0].body


def test_reminders_repeat_after_14_and_30_days_then_stop(mailoutbox, django_capture_on_commit_callbacks):
    organisation = due_listing(365)
    make_editor(organisation)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for day in (0, 1, 13, 14, 15, 30, 31, 60):
            services.confirmation_reminders_send(now=now + timedelta(days=day))
    assert len(mailoutbox) == 3
    assert list(organisation.confirmation_reminders.values_list("stage", flat=True)) == [0, 1, 2]
    assert mailoutbox[1].subject.startswith("Muistutus:")


def test_confirmation_starts_a_new_round():
    organisation = due_listing(400)
    editor = make_editor(organisation)
    assert services.confirmation_reminders_send() == 1
    services.organisation_confirm(organisation=organisation, user=editor)
    assert services.confirmation_reminders_send() == 0
    assert services.confirmation_reminders_send(now=timezone.now() + timedelta(days=366)) == 1


def test_confirmation_link_confirms_once():
    organisation = due_listing(400)
    editor = make_editor(organisation)
    token = services.confirmation_token_make(organisation=organisation, user=editor)
    services.organisation_confirm_by_link(token=token)
    organisation.refresh_from_db()
    confirmed_at = organisation.information_confirmed_at
    assert confirmed_at > timezone.now() - timedelta(minutes=1)
    assert organisation.history.latest().history_user == editor
    with pytest.raises(services.ConfirmationLinkError, match="used"):
        services.organisation_confirm_by_link(token=token)


class PastSigner(signing.TimestampSigner):
    """Signs as if 61 days ago: past the 60-day lifetime of a confirmation link."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 61 * 86400)


@pytest.mark.parametrize("kind", ["expired", "tampered", "other_salt", "removed_editor"])
def test_bad_confirmation_links_change_nothing(kind):
    organisation = due_listing(400)
    editor = make_editor(organisation)
    before = organisation.information_confirmed_at
    if kind == "expired":
        token = PastSigner(salt=services.CONFIRMATION_SALT).sign_object(
            {"o": organisation.pk, "u": editor.pk, "t": int(time.time()) - 61 * 86400}
        )
    elif kind == "tampered":
        token = services.confirmation_token_make(organisation=OrganisationFactory(), user=editor)
        other = services.confirmation_token_make(organisation=organisation, user=editor)
        token = other.split(":")[0] + ":" + token.split(":", 1)[1]
    elif kind == "other_salt":
        token = signing.dumps({"o": organisation.pk, "u": editor.pk, "t": 0})
    else:
        token = services.confirmation_token_make(organisation=organisation, user=editor)
        organisation.editorships.all().delete()
    with pytest.raises(services.ConfirmationLinkError) as error:
        services.organisation_confirm_by_link(token=token)
    assert error.value.reason == ("expired" if kind == "expired" else "invalid")
    organisation.refresh_from_db()
    assert organisation.information_confirmed_at == before


def test_stale_listings_are_flagged():
    stale = due_listing(731)
    fresh = due_listing(700)
    assert list(Organisation.objects.stale()) == [stale]
    assert stale.is_possibly_outdated
    assert not fresh.is_possibly_outdated
    services.organisation_archive(organisation=stale, moderator=make_moderator())
    assert not Organisation.objects.stale().exists()


def test_reminder_task_is_scheduled_daily_under_its_registered_name(settings):
    from portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["organisations-confirmation-reminders"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["task"] == send_confirmation_reminders_task.name


def test_demo_reset_records_no_versions_and_removes_old_ones():
    from organisations.demo import demo_organisations, seed_demo

    seed_demo(organisations=20, seed=3, reset=False, with_accounts=False)
    organisation = demo_organisations().first()
    services.organisation_update(organisation=organisation, user=make_staff(), data={"description": "Demo-muokkaus"})
    assert Organisation.history.filter(id=organisation.pk).exists()
    seed_demo(organisations=20, seed=3, reset=True, with_accounts=False)
    assert not Organisation.history.filter(history_type="-").exists()
    assert not Organisation.history.filter(id=organisation.pk).exists()
