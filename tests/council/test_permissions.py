"""Every council URL against every role, GET and POST (rows for tests/test_permission_matrix.py).

``expect`` maps a role to the status; roles left out get ``default``. LOGIN means a redirect to the
login page. The editor's association is published here and belongs to the cooperation group, so the
editor may nominate and vote for it; the other editor's slug is a 404 for everybody else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from council import services
from council.models import AgendaItem, Election, NewsItem, Nomination
from organisations.models import Organisation
from tests.council.factories import (
    MeetingFactory,
    PersonFactory,
    SeatFactory,
    TermFactory,
    election_in_nomination,
    member_of,
    move_to_voting_period,
    seat_with_holders,
)
from tests.roles import ROLES

LOGIN = "login"


@dataclass(frozen=True)
class Case:
    id: str
    url: Callable[[dict], str]
    get: int | str
    post: int | str
    get_expect: dict = field(default_factory=dict)
    post_expect: dict = field(default_factory=dict)
    data: dict | Callable[[dict], dict] = field(default_factory=dict)


def public(case_id: str, url) -> Case:
    return Case(case_id, url, get=200, post=405)


def secretary_page(case_id: str, url, post_status: int, data=None) -> Case:
    return Case(
        case_id,
        url,
        get=403,
        post=403,
        get_expect={"anonymous": LOGIN, "council_secretary": 200},
        post_expect={"anonymous": LOGIN, "council_secretary": post_status},
        data=data or {},
    )


def secretary_post(case_id: str, url, post_status: int, data=None) -> Case:
    return Case(
        case_id,
        url,
        get=405,
        post=403,
        post_expect={"anonymous": LOGIN, "council_secretary": post_status},
        data=data or {},
    )


CASES: list[Case] = [
    public("council home", lambda o: reverse("council:home")),
    public("terms", lambda o: reverse("council:terms")),
    public("term", lambda o: reverse("council:term", args=[o["term"].pk])),
    public("cooperation group", lambda o: reverse("council:group")),
    public("elections", lambda o: reverse("council:elections")),
    public("election", lambda o: reverse("council:election", args=[o["voting"].pk])),
    public("counted election", lambda o: reverse("council:election", args=[o["closed"].pk])),
    public("ballot list", lambda o: reverse("council:election_ballots", args=[o["closed"].pk])),
    Case("ballot list while voting", lambda o: reverse("council:election_ballots", args=[o["voting"].pk]), 404, 405),
    public("meetings", lambda o: reverse("council:meetings")),
    public("meeting", lambda o: reverse("council:meeting", args=[o["meeting"].pk])),
    Case(
        "meeting without agenda",
        lambda o: reverse("council:meeting", args=[o["unannounced"].pk]),
        get=404,
        post=405,
        get_expect={"council_secretary": 200},
    ),
    public("attachment", lambda o: reverse("council:attachment", args=[o["meeting"].pk, o["attachment"].pk])),
    Case(
        "attachment of a meeting without agenda",
        lambda o: reverse("council:attachment", args=[o["unannounced"].pk, o["attachment"].pk]),
        get=404,
        post=405,
    ),
    public("news", lambda o: reverse("council:news")),
    public("news item", lambda o: reverse("council:news_detail", args=[o["news"].slug])),
    Case("draft news item", lambda o: reverse("council:news_detail", args=[o["draft_news"].slug]), 404, 405),
    public("atom feed", lambda o: reverse("council:news_atom")),
    public("rss feed", lambda o: reverse("council:news_rss")),
    public("document", lambda o: reverse("council:document", args=["jarjestostrategia"])),
    Case("unknown document", lambda o: reverse("council:document", args=["salainen"]), 404, 405),
    # Associations' editors act for their own associations only.
    Case(
        "join the group",
        lambda o: reverse("council:group_join"),
        get=405,
        post=404,
        post_expect={"anonymous": LOGIN, "editor": 302},
        data=lambda o: {"organisation": o["association"].slug},
    ),
    Case(
        "leave the group",
        lambda o: reverse("council:group_leave"),
        get=405,
        post=404,
        post_expect={"anonymous": LOGIN, "editor": 302},
        data=lambda o: {"organisation": o["association"].slug},
    ),
    Case(
        "nominate",
        lambda o: reverse("council:nominate", args=[o["nominating"].pk, o["association"].slug]),
        get=404,
        post=404,
        get_expect={"anonymous": LOGIN, "editor": 200},
        post_expect={"anonymous": LOGIN, "editor": 200},
    ),
    Case(
        "nominate for another association",
        lambda o: reverse("council:nominate", args=[o["nominating"].pk, o["other_association"].slug]),
        get=404,
        post=404,
        get_expect={"anonymous": LOGIN, "other_editor": 200},
        post_expect={"anonymous": LOGIN, "other_editor": 200},
    ),
    Case(
        "vote",
        lambda o: reverse("council:vote", args=[o["voting"].pk, o["association"].slug]),
        get=404,
        post=404,
        get_expect={"anonymous": LOGIN, "editor": 200},
        post_expect={"anonymous": LOGIN, "editor": 200},
    ),
    Case(
        "vote for an association not on the roll",
        lambda o: reverse("council:vote", args=[o["voting"].pk, o["other_association"].slug]),
        get=404,
        post=404,
        get_expect={"anonymous": LOGIN},
        post_expect={"anonymous": LOGIN},
    ),
    Case(
        "approve minutes (not a checker)",
        lambda o: reverse("council:minutes_approve", args=[o["meeting"].pk]),
        get=405,
        post=404,
        post_expect={"anonymous": LOGIN},
    ),
    # The secretary's tools.
    Case(
        "secretary's desk",
        lambda o: reverse("council:desk"),
        get=403,
        post=405,
        get_expect={"anonymous": LOGIN, "council_secretary": 200},
    ),
    secretary_page("open an election", lambda o: reverse("council:election_create"), 200),
    secretary_page(
        "manage an election",
        lambda o: reverse("council:election_manage", args=[o["voting"].pk]),
        302,
        {"action": "close"},
    ),
    secretary_page(
        "enter a meeting's results",
        lambda o: reverse("council:election_meeting_results", args=[o["at_meeting"].pk]),
        200,
    ),
    Case(
        "enter results of a portal election",
        lambda o: reverse("council:election_meeting_results", args=[o["voting"].pk]),
        get=403,
        post=403,
        get_expect={"anonymous": LOGIN, "council_secretary": 404},
        post_expect={"anonymous": LOGIN, "council_secretary": 404},
    ),
    secretary_post(
        "reject a nomination", lambda o: reverse("council:nomination_reject", args=[o["nomination"].pk]), 302
    ),
    secretary_post("record the approval", lambda o: reverse("council:election_approve", args=[o["closed"].pk]), 302),
    secretary_post("deputy steps in", lambda o: reverse("council:seat_deputy_steps_in", args=[o["seat"].pk]), 302),
    secretary_page("new meeting", lambda o: reverse("council:meeting_create"), 200),
    secretary_page("edit a meeting", lambda o: reverse("council:meeting_edit", args=[o["meeting"].pk]), 200),
    secretary_page("edit minutes", lambda o: reverse("council:minutes_edit", args=[o["meeting"].pk]), 302),
    secretary_post("publish minutes", lambda o: reverse("council:minutes_publish", args=[o["meeting"].pk]), 302),
    secretary_page("write news", lambda o: reverse("council:news_create"), 200),
    secretary_page("edit news", lambda o: reverse("council:news_edit", args=[o["draft_news"].pk]), 200),
    secretary_page("edit a document", lambda o: reverse("council:document_edit", args=["kriteerit"]), 302),
]


@pytest.fixture
def objects(association, other_association, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for organisation in (association, other_association):
        organisation.status = Organisation.Status.PUBLISHED
        organisation.save(update_fields=["status"])
    member_of(association)
    term = TermFactory()
    seat = seat_with_holders(term, 1)
    voting_seat = SeatFactory(term=term, position=2)
    voting = election_in_nomination(term, [voting_seat])
    nomination = Nomination.objects.create(
        election=voting,
        seat=voting_seat,
        nominated_by=association,
        candidate_name="Ehdokas Yksi",
        candidate_email="ehdokas@example.org",
        background_organisation=association,
        presentation="Esittely",
        background_approves=True,
        criteria_accepted=True,
    )
    move_to_voting_period(voting)
    from django.contrib.auth.models import Group

    from portal.permissions import COUNCIL_SECRETARIES_GROUP
    from tests.roles import verified_user

    secretary = verified_user(email="matrix.secretary@example.org")
    secretary.groups.add(Group.objects.get(name=COUNCIL_SECRETARIES_GROUP))
    services.election_open_voting(election=voting, user=secretary)
    member_of(other_association)  # joined too late for the frozen roll
    nominating = election_in_nomination(term, [voting_seat])
    at_meeting = election_in_nomination(term, [voting_seat], method=Election.Method.MEETING)
    closed = election_in_nomination(term, [voting_seat])
    Election.objects.filter(pk=closed.pk).update(status=Election.Status.COUNTED, closed_at=timezone.now())
    meeting = MeetingFactory(starts_at=timezone.now() - dt.timedelta(days=2), agenda_published_at=timezone.now())
    AgendaItem.objects.create(meeting=meeting, position=1, title="Avaus")
    meeting.checkers.set([PersonFactory()])
    attachment = services.attachment_add(
        meeting=meeting, user=secretary, title="Liite", file=SimpleUploadedFile("liite.pdf", b"%PDF-1.7\n")
    )
    unannounced = MeetingFactory()
    news = services.news_save(item=NewsItem(title="Uutinen", body="<p>x</p>"), user=secretary, publish=True)
    draft_news = services.news_save(item=NewsItem(title="Luonnos", body="<p>y</p>"), user=secretary, publish=False)
    return {
        "association": association,
        "other_association": other_association,
        "term": term,
        "seat": seat,
        "voting": voting,
        "nominating": nominating,
        "closed": closed,
        "at_meeting": at_meeting,
        "nomination": nomination,
        "meeting": meeting,
        "attachment": attachment,
        "unannounced": unannounced,
        "news": news,
        "draft_news": draft_news,
    }


def check(response, expected, role):
    if expected == LOGIN:
        assert response.status_code == 302, (role, response.status_code)
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
    else:
        assert response.status_code == expected, (role, response.status_code, response.get("Location"))
    if hasattr(response, "_resource_closers") and response.streaming:
        for close in response._resource_closers:
            close()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_council_get_and_post(client, login_as, objects, case: Case, role: str):
    # One test for both methods: the objects are the costly part. GET first: it changes nothing.
    login_as(client, role)
    check(client.get(case.url(objects)), case.get_expect.get(role, case.get), role)
    data = case.data(objects) if callable(case.data) else case.data
    check(client.post(case.url(objects), data), case.post_expect.get(role, case.post), role)
