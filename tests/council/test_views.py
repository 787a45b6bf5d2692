"""The council's pages as residents, editors and the secretary see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from council import services
from council.models import Ballot, CastRecord, Election, GroupMembership, Meeting, Nomination, SeatHolding
from organisations.models import Editorship
from portal.permissions import COUNCIL_SECRETARIES_GROUP
from tests.council.factories import (
    PersonFactory,
    SeatFactory,
    TermFactory,
    election_in_nomination,
    member_of,
    move_past_voting,
    move_to_voting_period,
    published_association,
    seat_with_holders,
)
from tests.roles import verified_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary():
    user = verified_user(email="sihteeri.testi@example.org")
    user.groups.add(Group.objects.get(name=COUNCIL_SECRETARIES_GROUP))
    return user


def test_the_current_council_shows_seats_and_contact_details_only_with_consent(client):
    term = TermFactory(name="2026-2027")
    seat_with_holders(
        term,
        member=PersonFactory(name="Suostunut Jäsen", email="suostunut@example.org", contact_consent_at=timezone.now()),
        deputy=PersonFactory(name="Yksityinen Varajäsen", email="yksityinen@example.org"),
    )
    page = client.get(reverse("council:home")).content.decode()
    assert "Suostunut Jäsen" in page and "suostunut@example.org" in page
    assert "Yksityinen Varajäsen" in page and "yksityinen@example.org" not in page


def test_a_deputy_stepping_in_keeps_the_history(client, secretary):
    term = TermFactory()
    seat = seat_with_holders(
        term, member=PersonFactory(name="Eroava Jäsen"), deputy=PersonFactory(name="Nouseva Varajäsen")
    )
    change = reverse("council:seat_deputy_steps_in", args=[seat.pk])
    assert change not in client.get(reverse("council:term", args=[term.pk])).content.decode()
    client.force_login(secretary)
    assert change in client.get(reverse("council:term", args=[term.pk])).content.decode()
    client.post(change, {"reason": "Muutto pois maakunnasta"})
    member = SeatHolding.objects.active().get(seat=seat, role="member")
    assert member.person.name == "Nouseva Varajäsen"
    assert not SeatHolding.objects.active().filter(seat=seat, role="deputy").exists()
    page = client.get(reverse("council:term", args=[term.pk])).content.decode()
    assert "Eroava Jäsen" in page  # in the term's history


def test_an_editor_joins_and_leaves_the_cooperation_group(client):
    association = published_association("Liittyvä Yhdistys ry", "kulttuuri")
    editor = verified_user(email="liittyja@example.org")
    Editorship.objects.create(organisation=association, user=editor)
    client.force_login(editor)
    client.post(reverse("council:group_join"), {"organisation": association.slug})
    assert "Liittyvä Yhdistys ry" in client.get(reverse("council:group")).content.decode()
    client.post(reverse("council:group_leave"), {"organisation": association.slug})
    assert not GroupMembership.objects.active().exists()
    assert GroupMembership.objects.filter(organisation=association, left_at__isnull=False).exists()


@pytest.fixture
def voting_election(secretary):
    term = TermFactory()
    seat = SeatFactory(term=term, position=1, label="Kulttuuri")
    association = published_association("Äänestävä Yhdistys ry", "kulttuuri")
    editor = verified_user(email="aanestaja@example.org")
    Editorship.objects.create(organisation=association, user=editor)
    member_of(association)
    election = election_in_nomination(term, [seat])
    nomination = Nomination.objects.create(
        election=election,
        seat=seat,
        nominated_by=association,
        candidate_name="Veera Ehdokas",
        candidate_email="veera@example.org",
        background_organisation=association,
        presentation="Kulttuurin puolesta.",
        background_approves=True,
        criteria_accepted=True,
    )
    move_to_voting_period(election)
    services.election_open_voting(election=election, user=secretary)
    return {"election": election, "seat": seat, "association": association, "editor": editor, "nomination": nomination}


def test_an_editor_votes_sees_the_receipt_once_and_finds_it_in_the_published_list(client, secretary, voting_election):
    v = voting_election
    election = v["election"]
    client.force_login(v["editor"])
    page = client.get(election.get_absolute_url()).content.decode()
    assert "Veera Ehdokas" in page  # candidates are public once voting opens
    vote_url = reverse("council:vote", args=[election.pk, v["association"].slug])
    response = client.post(vote_url, {f"seat_{v['seat'].pk}": str(v["nomination"].pk)})
    receipt = Ballot.objects.get().receipt
    assert response.status_code == 200 and receipt in response.content.decode()
    # Not in the session, not in any later page for the voter.
    assert receipt not in str(dict(client.session))
    again = client.get(vote_url).content.decode()
    assert receipt not in again and "on jo äänestänyt" in again
    second = client.post(vote_url, {f"seat_{v['seat'].pk}": str(v["nomination"].pk)})
    assert second.status_code == 302
    assert CastRecord.objects.count() == Ballot.objects.count() == 1

    move_past_voting(election)
    services.election_close(election=election, user=secretary)
    client.logout()
    ballots = client.get(reverse("council:election_ballots", args=[election.pk]))
    assert receipt in ballots.content.decode()
    text = client.get(reverse("council:election_ballots", args=[election.pk]), {"muoto": "txt"}).content.decode()
    assert text == f"{receipt} 1:{v['nomination'].pk}\n"

    services.election_count(election=election, user=secretary)
    results = client.get(election.get_absolute_url()).content.decode()
    # The results, the turnout, the draw explained, the log, and the warning for a tiny electorate.
    assert "Veera Ehdokas" in results and "1/1" not in results
    assert "SHA-256" in results and election.__class__.objects.get().ballot_list_digest in results
    assert "Äänestys suljettiin, äänestyslippuja 1;" in results
    assert "voivat paljastaa" in results


def test_the_results_and_the_ballot_list_stay_hidden_while_voting(client, voting_election):
    election = voting_election["election"]
    assert client.get(reverse("council:election_ballots", args=[election.pk])).status_code == 404
    assert "Tulokset" not in client.get(election.get_absolute_url()).content.decode()


def test_a_vote_after_closing_through_the_page_is_refused(client, secretary, voting_election):
    v = voting_election
    move_past_voting(v["election"])
    client.force_login(v["editor"])
    response = client.post(
        reverse("council:vote", args=[v["election"].pk, v["association"].slug]),
        {f"seat_{v['seat'].pk}": str(v["nomination"].pk)},
    )
    assert response.status_code == 302
    assert not Ballot.objects.exists()


def test_the_secretary_opens_an_election_and_the_desk_counts_what_is_waiting(client, secretary):
    term = TermFactory()
    seats = [SeatFactory(term=term, position=n) for n in (1, 2)]
    now = timezone.localtime()
    client.force_login(secretary)
    response = client.post(
        reverse("council:election_create"),
        {
            "term": term.pk,
            "title": "Syysvaali",
            "seats": [seat.pk for seat in seats],
            "method": "portal",
            "nomination_starts_at": (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "nomination_ends_at": (now + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
            "voting_starts_at": (now + dt.timedelta(days=11)).strftime("%Y-%m-%dT%H:%M"),
            "voting_ends_at": (now + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
            "criteria": "<p>Kriteerit</p><script>x</script>",
        },
    )
    election = Election.objects.get(title="Syysvaali")
    assert response.status_code == 302
    assert election.criteria == "<p>Kriteerit</p>"
    association = published_association("Ehdottava ry", "kulttuuri")
    editor = verified_user(email="ehdottaja@example.org")
    Editorship.objects.create(organisation=association, user=editor)
    member_of(association)
    services.nomination_submit(
        election=election,
        organisation=association,
        user=editor,
        seat=seats[0],
        candidate_name="Uusi Ehdokas",
        candidate_email="uusi@example.org",
        background_organisation=association,
        presentation="Esittely",
        background_approves=True,
        criteria_accepted=True,
    )
    desk = client.get(reverse("council:desk")).content.decode()
    assert "Uusi Ehdokas" in desk and "(1)" in desk
    # The header links the desk for the secretary, and for nobody else.
    assert reverse("council:desk") in client.get(reverse("home")).content.decode()
    client.force_login(editor)
    assert reverse("council:desk") not in client.get(reverse("home")).content.decode()


def test_the_secretary_enters_the_results_of_an_election_held_at_a_meeting(client, secretary):
    term = TermFactory()
    seat = SeatFactory(term=term, position=1, label="Kulttuuri")
    first = published_association("Kokouksen Ensimmäinen ry", "kulttuuri")
    second = published_association("Kokouksen Toinen ry", "kulttuuri")
    election = election_in_nomination(term, [seat], method=Election.Method.MEETING)
    client.force_login(secretary)
    url = reverse("council:election_meeting_results", args=[election.pk])
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "0"}
    for n, (name, organisation, votes) in enumerate([("Kaisa Kokous", first, 12), ("Lauri Kokous", second, 12)]):
        data |= {
            f"form-{n}-seat": seat.pk,
            f"form-{n}-candidate_name": name,
            f"form-{n}-background_organisation": organisation.slug,
            f"form-{n}-votes": votes,
        }
    incomplete = client.post(url, {**data, "form-2-candidate_name": "Puolikas Rivi"})
    assert incomplete.status_code == 200 and not election.results.exists()
    assert client.post(url, data).status_code == 302
    election.refresh_from_db()
    assert election.status == Election.Status.COUNTED
    # Equal votes: the lot decides, and the page says so.
    assert sorted(election.results.values_list("outcome", flat=True)) == ["deputy", "member"]
    assert all(election.results.values_list("decided_by_lot", flat=True))
    assert "ratkaistu arvalla" in client.get(election.get_absolute_url()).content.decode()


def test_download_my_data_has_the_councils_sections_but_never_a_vote(client, voting_election):
    v = voting_election
    PersonFactory(name="Oma Henkilö", user=v["editor"])
    services.ballot_cast(
        election=v["election"],
        organisation=v["association"],
        user=v["editor"],
        choices={v["seat"].pk: v["nomination"].pk},
    )
    client.force_login(v["editor"])
    data = client.get(reverse("accounts:personal_data")).content.decode()
    assert "Oma Henkilö" in data
    assert Ballot.objects.get().receipt not in data


def test_an_editor_of_a_group_member_nominates_through_the_page(client, secretary):
    term = TermFactory()
    seat = SeatFactory(term=term, position=1, label="Kulttuuri")
    association = published_association("Ehdokkaan Yhdistys ry", "kulttuuri")
    editor = verified_user(email="asettaja@example.org")
    Editorship.objects.create(organisation=association, user=editor)
    member_of(association)
    election = election_in_nomination(term, [seat])
    client.force_login(editor)
    page = client.get(election.get_absolute_url()).content.decode()
    url = reverse("council:nominate", args=[election.pk, association.slug])
    assert url in page
    data = {
        "seat": seat.pk,
        "candidate_name": "Sanna Sivulta",
        "candidate_email": "sanna@example.org",
        "background_organisation": association.slug,
        "presentation": "Kokenut kulttuuritoimija.",
        "background_approves": "on",
    }
    assert client.post(url, data).status_code == 200  # the criteria were not accepted
    assert not Nomination.objects.filter(candidate_name="Sanna Sivulta").exists()
    assert client.post(url, {**data, "criteria_accepted": "on"}).status_code == 302
    nomination = Nomination.objects.get(candidate_name="Sanna Sivulta")
    assert nomination.nominated_by == association and nomination.nominated_by_user == editor
    # Candidates stay unpublished until voting opens.
    client.logout()
    assert "Sanna Sivulta" not in client.get(election.get_absolute_url()).content.decode()


def test_the_secretary_prepares_a_meeting_and_publishes_its_agenda_through_the_pages(
    client, secretary, settings, tmp_path, django_capture_on_commit_callbacks, mailoutbox
):
    settings.MEDIA_ROOT = tmp_path
    term = TermFactory()
    seat_with_holders(term, member=PersonFactory(email="kokousjasen@example.org"))
    client.force_login(secretary)
    response = client.post(
        reverse("council:meeting_create"),
        {
            "action": "save",
            "title": "Syyskokous 5/2026",
            "starts_at": (timezone.localtime() + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
            "location": "Maakuntasali",
            "remote_link": "kokous.example/syys",
        },
    )
    meeting = Meeting.objects.get(title="Syyskokous 5/2026")
    assert response.status_code == 302 and meeting.remote_link == "https://kokous.example/syys"
    edit = reverse("council:meeting_edit", args=[meeting.pk])
    client.post(edit, {"action": "item", "title": "Talousarvio", "description": ""})
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        edit,
        {"action": "attachment", "title": "Talousarvioesitys", "file": SimpleUploadedFile("ta.pdf", b"%PDF-1.7\n")},
    )
    refused = client.post(
        edit, {"action": "attachment", "title": "Kuva", "file": SimpleUploadedFile("kuva.pdf", b"GIF89a")}
    )
    assert refused.status_code == 200 and meeting.attachments.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit, {"action": "publish_agenda"})
    meeting.refresh_from_db()
    assert meeting.agenda_published_at is not None
    assert ["kokousjasen@example.org"] in [m.to for m in mailoutbox] and len(mailoutbox) == 2  # member and deputy
    client.logout()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Talousarvio" in page and "Talousarvioesitys" in page and "kokous.example" not in page
