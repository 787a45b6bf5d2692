from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from forums import services
from forums.models import Event, Registration
from forums.tasks import purge_registration_needs_task, send_event_reminders_task
from organisations.models import Municipality
from tests.organisations.factories import OrganisationFactory, UserFactory, municipal_contact_user
from tests.organisations.roles import make_editor, make_moderator

from .factories import EventFactory, RegistrationFactory, in_days


def register(event, email, participation=Registration.Participation.ON_SITE, **kwargs):
    return services.registration_create(
        event=event, name=email.split("@")[0], email=email, participation=participation, **kwargs
    )


def event_fields(**overrides):
    fields = {
        "title": "Yhdistysten kevätilta",
        "kind": Event.Kind.ASSOCIATION_EVENT,
        "description": "<p>Ohjelmassa <strong>esittäytymisiä</strong>.</p>",
        "starts_at": in_days(20),
        "ends_at": in_days(20) + timedelta(hours=3),
        "municipality": Municipality.objects.get(code="297"),
        "on_site": True,
        "remote": False,
        "capacity": 40,
    }
    return fields | overrides


# --- Capacity, waiting list, duplicates -------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_for_the_last_seat_one_wins_the_rest_wait():
    event = EventFactory(capacity=3, remote=False, remote_url="")
    for number in range(2):
        RegistrationFactory(event=event, email=f"ennalta{number}@example.org")
    racers = 8
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def race(number: int) -> None:
        try:
            barrier.wait()
            outcomes.append(register(event, f"kilpailija{number}@example.org").status)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(number,)) for number in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(outcomes) == ["confirmed"] + ["waiting"] * (racers - 1)
    assert event.registrations.confirmed().count() == 3
    assert event.registrations.waiting().count() == racers - 1


@pytest.mark.django_db
def test_a_full_event_wait_lists_and_a_cancellation_promotes_the_first_in_line(
    mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        seated = register(event, "eka@example.org")
        first = register(event, "toka@example.org")
        second = register(event, "kolmas@example.org")
    assert (seated.status, first.status, second.status) == ("confirmed", "waiting", "waiting")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.registration_cancel(registration=seated)

    assert promoted == [first]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("confirmed", "waiting")
    assert [message.to for message in mailoutbox] == [["toka@example.org"]]
    assert event.title in mailoutbox[0].subject


@pytest.mark.django_db
def test_remote_places_are_counted_apart_from_seats():
    event = EventFactory(capacity=1, remote_capacity=None)
    register(event, "paikalla@example.org")
    remote = register(event, "etana@example.org", participation=Registration.Participation.REMOTE)
    on_site_too_late = register(event, "myohassa@example.org")
    assert remote.status == "confirmed"
    assert on_site_too_late.status == "waiting"


@pytest.mark.django_db
def test_the_same_address_cannot_register_twice_for_one_event():
    event = EventFactory()
    register(event, "Maija.Meikalainen@example.org")
    with pytest.raises(services.RegistrationError) as caught:
        register(event, "maija.meikalainen@EXAMPLE.org")
    assert caught.value.code == "duplicate"
    assert event.registrations.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_that_skipped_the_check():
    from django.db import IntegrityError, transaction

    event = EventFactory()
    RegistrationFactory(event=event, email="sama@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=event, email="SAMA@example.org")


@pytest.mark.django_db
def test_after_cancelling_the_same_address_may_register_again():
    event = EventFactory()
    registration = register(event, "palaaja@example.org")
    services.registration_cancel(registration=registration)
    again = register(event, "palaaja@example.org")
    assert again.status == "confirmed"


@pytest.mark.django_db
def test_registration_outside_the_window_is_refused():
    event = EventFactory(registration_opens_at=timezone.now() + timedelta(days=1))
    with pytest.raises(services.RegistrationError) as caught:
        register(event, "aikainen@example.org")
    assert caught.value.code == "closed"


@pytest.mark.django_db
def test_a_remote_registration_for_an_on_site_only_event_is_refused():
    event = EventFactory(remote=False, remote_url="")
    with pytest.raises(services.RegistrationError) as caught:
        register(event, "etana@example.org", participation=Registration.Participation.REMOTE)
    assert caught.value.code == "participation"


# --- Cancellation links -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_tampered_cancellation_link_changes_nothing():
    event = EventFactory()
    registration = register(event, "peruja@example.org")
    token = services.cancellation_token_make(registration)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    with pytest.raises(services.CancellationLinkError):
        services.registration_cancel_by_link(token=tampered)
    registration.refresh_from_db()
    assert registration.status == "confirmed"


@pytest.mark.django_db
def test_a_used_cancellation_link_does_not_touch_a_later_registration(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    registration = register(event, "peruja@example.org")
    token = services.cancellation_token_make(registration)
    services.registration_cancel_by_link(token=token)
    again = register(event, "peruja@example.org")
    waiting = register(event, "jonossa@example.org")

    with pytest.raises(services.CancellationLinkError) as caught:
        services.registration_cancel_by_link(token=token)

    assert caught.value.code == "used"
    again.refresh_from_db()
    waiting.refresh_from_db()
    assert (again.status, waiting.status) == ("confirmed", "waiting")


# --- Reminders and personal data -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_reminder_is_sent_once_when_the_task_runs_twice(mailoutbox, django_capture_on_commit_callbacks):
    soon = EventFactory(starts_at=timezone.now() + timedelta(hours=20))
    later = EventFactory(starts_at=in_days(30))
    reminded = RegistrationFactory(event=soon, email="muistettava@example.org")
    RegistrationFactory(event=soon, email="jonossa@example.org", status=Registration.Status.WAITING)
    RegistrationFactory(event=later, email="myohemmin@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        first = send_event_reminders_task.apply().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = send_event_reminders_task.apply().get()

    assert (first, second) == (1, 0)
    assert [message.to for message in mailoutbox] == [[reminded.email]]
    assert "meet.example" not in mailoutbox[0].body  # an on-site participant gets no remote link


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reminder_runs_at_once_send_each_reminder_once(mailoutbox):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=10))
    for number in range(20):
        RegistrationFactory(event=event, email=f"muistettava{number}@example.org")
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            counts.append(services.event_reminders_send())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 20
    assert sorted(address for message in mailoutbox for address in message.to) == sorted(
        f"muistettava{number}@example.org" for number in range(20)
    )


@pytest.mark.django_db
def test_a_remote_participants_reminder_carries_the_link(mailoutbox, django_capture_on_commit_callbacks):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=5))
    RegistrationFactory(event=event, email="etana@example.org", participation=Registration.Participation.REMOTE)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_reminders_send()
    assert event.remote_url in mailoutbox[0].body


@pytest.mark.django_db
def test_needs_are_deleted_a_set_time_after_the_event(settings):
    settings.EVENT_NEEDS_RETENTION_DAYS = 30
    old = EventFactory(starts_at=timezone.now() - timedelta(days=40), ends_at=timezone.now() - timedelta(days=39))
    recent = EventFactory(starts_at=timezone.now() - timedelta(days=5), ends_at=timezone.now() - timedelta(days=5))
    gone = RegistrationFactory(event=old, needs="Gluteeniton ruokavalio")
    kept = RegistrationFactory(event=recent, needs="Pyörätuolipaikka")

    assert purge_registration_needs_task.apply().get() == 1

    gone.refresh_from_db()
    kept.refresh_from_db()
    assert (gone.needs, kept.needs) == ("", "Pyörätuolipaikka")


# --- Who publishes ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_association_editors_event_waits_for_a_moderator(mailoutbox, django_capture_on_commit_callbacks):
    association = OrganisationFactory(name="Kallaveden Kuoro ry")
    editor = make_editor(association)
    event = services.event_create(
        user=editor, fields=event_fields(), organisers=services.EventOrganisers(organisations=(association,))
    )
    assert event.status == Event.Status.PENDING
    assert not Event.objects.public().filter(pk=event.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_approve(moderator=make_moderator(), event=event)
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert [message.to for message in mailoutbox] == [[editor.email]]


@pytest.mark.django_db
def test_an_editor_cannot_approve_their_own_event():
    association = OrganisationFactory()
    editor = make_editor(association)
    event = services.event_create(
        user=editor, fields=event_fields(), organisers=services.EventOrganisers(organisations=(association,))
    )
    with pytest.raises(PermissionDenied):
        services.event_approve(moderator=editor, event=event)


@pytest.mark.django_db
def test_an_editors_change_to_a_published_event_goes_back_to_moderation():
    association = OrganisationFactory()
    editor = make_editor(association)
    organisers = services.EventOrganisers(organisations=(association,))
    event = services.event_create(user=editor, fields=event_fields(), organisers=organisers)
    services.event_approve(moderator=make_moderator(), event=event)

    services.event_update(user=editor, event=event, fields=event_fields(title="Muutettu ilta"), organisers=organisers)

    event.refresh_from_db()
    assert (event.title, event.status) == ("Muutettu ilta", Event.Status.PENDING)


@pytest.mark.django_db
def test_an_editor_cannot_submit_an_event_for_another_association():
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    editor = make_editor(mine)
    with pytest.raises(PermissionDenied):
        services.event_create(
            user=editor, fields=event_fields(), organisers=services.EventOrganisers(organisations=(theirs,))
        )


@pytest.mark.django_db
def test_an_editor_cannot_edit_another_associations_event():
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    editor = make_editor(mine)
    other_editor = make_editor(theirs)
    event = services.event_create(
        user=other_editor, fields=event_fields(), organisers=services.EventOrganisers(organisations=(theirs,))
    )
    with pytest.raises(PermissionDenied):
        services.event_update(
            user=editor,
            event=event,
            fields=event_fields(title="Kaapattu"),
            organisers=services.EventOrganisers(organisations=(mine,)),
        )
    event.refresh_from_db()
    assert event.title == "Yhdistysten kevätilta"


@pytest.mark.django_db
def test_an_editor_cannot_publish_a_local_forum():
    association = OrganisationFactory()
    editor = make_editor(association)
    with pytest.raises(PermissionDenied):
        services.event_create(
            user=editor,
            fields=event_fields(kind=Event.Kind.LOCAL_FORUM),
            organisers=services.EventOrganisers(organisations=(association,)),
        )


@pytest.mark.django_db
def test_a_municipal_contact_publishes_a_local_forum_in_their_municipality_only():
    contact = municipal_contact_user("297")
    kuopio, iisalmi = Municipality.objects.get(code="297"), Municipality.objects.get(code="140")
    event = services.event_create(
        user=contact,
        fields=event_fields(kind=Event.Kind.LOCAL_FORUM, municipality=kuopio),
        organisers=services.EventOrganisers(municipalities=(kuopio,)),
    )
    assert event.status == Event.Status.PUBLISHED
    with pytest.raises(PermissionDenied):
        services.event_create(
            user=contact,
            fields=event_fields(kind=Event.Kind.LOCAL_FORUM, municipality=iisalmi),
            organisers=services.EventOrganisers(municipalities=(iisalmi,)),
        )


@pytest.mark.django_db
def test_the_description_is_sanitised():
    secretary = UserFactory(is_staff=True)
    event = services.event_create(
        user=secretary,
        fields=event_fields(
            description='<p onclick="x()">Hei<script>alert(1)</script> <a href="javascript:x()">l</a></p>'
        ),
        organisers=services.EventOrganisers(),
    )
    assert "script" not in event.description
    assert "onclick" not in event.description
    assert "javascript" not in event.description
    assert event.status == Event.Status.PUBLISHED


@pytest.mark.django_db
def test_an_editor_registers_delegates_and_duplicates_are_reported():
    association = OrganisationFactory(name="Puijon Partio ry")
    editor = make_editor(association)
    event = EventFactory(capacity=2)
    RegistrationFactory(event=event, email="jo@example.org")
    result = services.delegates_register(
        user=editor,
        event=event,
        organisation=association,
        delegates=[
            services.Delegate("Eka Edustaja", "eka@example.org", "on_site"),
            services.Delegate("Jo Ilmoittautunut", "jo@example.org", "on_site"),
            services.Delegate("Toka Edustaja", "toka@example.org", "on_site"),
        ],
    )
    assert [r.email for r in result.registered] == ["eka@example.org", "toka@example.org"]
    assert [r.status for r in result.registered] == ["confirmed", "waiting"]
    assert result.duplicates == ["jo@example.org"]
    assert {r.delegate_of for r in result.registered} == {association}
    assert result.registered[0].organisation_name == "Puijon Partio ry"


@pytest.mark.django_db
def test_an_editor_cannot_register_delegates_for_another_association():
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    editor = make_editor(mine)
    with pytest.raises(PermissionDenied):
        services.delegates_register(
            user=editor,
            event=EventFactory(),
            organisation=theirs,
            delegates=[services.Delegate("Eka", "eka@example.org", "on_site")],
        )
