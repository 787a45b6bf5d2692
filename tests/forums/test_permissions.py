"""Every forums URL by role, GET and POST: the rows the lead folds into the permission matrix.

``LOGIN`` is a redirect to the login page; 404 is what another's event looks like (the same as a
missing one). The editor's association organises ``event`` and ``pending``; the municipal contact
(Kuopio) convenes ``forum``; nobody's association organises ``theirs``.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from forums import services
from forums.models import Event, Registration
from organisations.models import Municipality
from tests.roles import ROLES, expect

from .factories import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

LOGIN = "login"


EVERYONE = expect(200, 200, 200, 200, 200, 200, 200)
NOT_ALLOWED = expect(405, 405, 405, 405, 405, 405, 405)
ACCOUNT_NOT_ALLOWED = expect(LOGIN, 405, 405, 405, 405, 405, 405)
ORGANISERS = expect(LOGIN, 404, 200, 404, 200, 404, 200)
ORGANISERS_POST = expect(LOGIN, 404, 302, 404, 302, 404, 302)
FORUM_ORGANISERS = expect(LOGIN, 404, 404, 404, 200, 200, 200)
MODERATORS = expect(LOGIN, 403, 403, 200, 403, 403, 200)
MODERATORS_POST = expect(LOGIN, 403, 403, 302, 403, 403, 302)
CREATORS = expect(LOGIN, 200, 200, 403, 200, 200, 200)
EDITORS = expect(LOGIN, 200, 200, 403, 403, 403, 403)


def path(name, *args):
    return lambda w: reverse(f"forums:{name}", args=[w[arg] if isinstance(arg, str) else arg for arg in args])


def slug(key):
    return lambda w: w[key].slug


# (name, method, url builder, expected answers)
MATRIX = [
    ("calendar", "get", lambda w: reverse("forums:calendar"), EVERYONE),
    ("calendar_post", "post", lambda w: reverse("forums:calendar"), NOT_ALLOWED),
    ("month", "get", lambda w: reverse("forums:month", args=[2027, 3]), EVERYONE),
    ("month_current", "get", lambda w: reverse("forums:month_current"), EVERYONE),
    ("archive", "get", lambda w: reverse("forums:archive"), EVERYONE),
    ("feed", "get", lambda w: reverse("forums:feed"), EVERYONE),
    ("feed_post", "post", lambda w: reverse("forums:feed"), NOT_ALLOWED),
    ("detail", "get", lambda w: reverse("forums:detail", args=[w["event"].slug]), EVERYONE),
    ("detail_post", "post", lambda w: reverse("forums:detail", args=[w["event"].slug]), NOT_ALLOWED),
    (
        "detail_pending",
        "get",
        lambda w: reverse("forums:detail", args=[w["pending"].slug]),
        expect(404, 404, 200, 200, 200, 404, 200),
    ),
    ("detail_missing", "get", lambda w: reverse("forums:detail", args=["ei-ole"]), expect(*[404] * 7)),
    ("event_ics", "get", lambda w: reverse("forums:event_ics", args=[w["event"].slug]), EVERYONE),
    (
        "event_ics_pending",
        "get",
        lambda w: reverse("forums:event_ics", args=[w["pending"].slug]),
        expect(404, 404, 200, 200, 200, 404, 200),
    ),
    ("register", "get", lambda w: reverse("forums:register", args=[w["event"].slug]), EVERYONE),
    ("register_post", "post", lambda w: reverse("forums:register", args=[w["event"].slug]), EVERYONE),
    (
        "register_pending",
        "post",
        lambda w: reverse("forums:register", args=[w["pending"].slug]),
        expect(*[404] * 7),
    ),
    ("cancel_link", "get", lambda w: reverse("forums:cancel", args=[w["token"]]), EVERYONE),
    ("cancel_link_post", "post", lambda w: reverse("forums:cancel", args=[w["token"]]), EVERYONE),
    ("create", "get", lambda w: reverse("forums:create"), {**CREATORS, "account": 403}),
    # An empty form: 400 with errors for those who may create, nothing saved.
    (
        "create_post",
        "post",
        lambda w: reverse("forums:create"),
        expect(LOGIN, 400, 400, 403, 400, 400, 400, account=403),
    ),
    ("my", "get", lambda w: reverse("forums:my"), expect(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("my_post", "post", lambda w: reverse("forums:my"), ACCOUNT_NOT_ALLOWED),
    ("edit", "get", lambda w: reverse("forums:edit", args=[w["event"].slug]), ORGANISERS),
    (
        "edit_post",
        "post",
        lambda w: reverse("forums:edit", args=[w["event"].slug]),
        expect(LOGIN, 404, 400, 404, 400, 404, 400),
    ),
    (
        "edit_theirs",
        "get",
        lambda w: reverse("forums:edit", args=[w["theirs"].slug]),
        expect(LOGIN, 404, 404, 404, 200, 404, 200),
    ),
    ("edit_forum", "get", lambda w: reverse("forums:edit", args=[w["forum"].slug]), FORUM_ORGANISERS),
    ("edit_missing", "get", lambda w: reverse("forums:edit", args=["ei-ole"]), expect(LOGIN, *[404] * 6)),
    ("event_cancel", "post", lambda w: reverse("forums:event_cancel", args=[w["event"].slug]), ORGANISERS_POST),
    ("event_cancel_get", "get", lambda w: reverse("forums:event_cancel", args=[w["event"].slug]), ACCOUNT_NOT_ALLOWED),
    ("participants", "get", lambda w: reverse("forums:participants", args=[w["event"].slug]), ORGANISERS),
    ("participants_forum", "get", lambda w: reverse("forums:participants", args=[w["forum"].slug]), FORUM_ORGANISERS),
    ("participants_csv", "get", lambda w: reverse("forums:participants_csv", args=[w["event"].slug]), ORGANISERS),
    (
        "participant_cancel",
        "post",
        lambda w: reverse("forums:participant_cancel", args=[w["event"].slug, w["registration"].pk]),
        ORGANISERS_POST,
    ),
    ("delegates", "get", lambda w: reverse("forums:delegates", args=[w["event"].slug]), {**EDITORS, "account": 403}),
    (
        "delegates_post",
        "post",
        lambda w: reverse("forums:delegates", args=[w["event"].slug]),
        expect(LOGIN, 302, 302, 403, 403, 403, 403, account=403),
    ),
    (
        "delegates_for_another_association",
        "get",
        lambda w: reverse("forums:delegates", args=[w["event"].slug]) + f"?yhdistys={w['theirs_organisation'].slug}",
        expect(LOGIN, 404, 404, 403, 403, 403, 403, account=403),
    ),
    (
        "delegate_cancel",
        "post",
        lambda w: reverse("forums:delegate_cancel", args=[w["event"].slug, w["delegate"].pk]),
        expect(LOGIN, 404, 302, 404, 404, 404, 404),
    ),
    ("moderation", "get", lambda w: reverse("forums:moderation"), MODERATORS),
    ("approve", "post", lambda w: reverse("forums:approve", args=[w["pending"].slug]), MODERATORS_POST),
    (
        "approve_get",
        "get",
        lambda w: reverse("forums:approve", args=[w["pending"].slug]),
        expect(LOGIN, *[403] * 2, 405, *[403] * 2, 405),
    ),
    ("reject", "post", lambda w: reverse("forums:reject", args=[w["pending"].slug]), MODERATORS_POST),
    (
        "approve_published",
        "post",
        lambda w: reverse("forums:approve", args=[w["event"].slug]),
        expect(LOGIN, 403, 403, 404, 403, 403, 404),
    ),
]

POST_DATA = {
    "register_post": {"name": "Testi Osallistuja", "email": "uusi@example.org", "participation": "on_site"},
    "register_pending": {"name": "Testi Osallistuja", "email": "uusi@example.org", "participation": "on_site"},
    "delegates_post": {
        "delegates-TOTAL_FORMS": "1",
        "delegates-INITIAL_FORMS": "0",
        "delegates-0-name": "Eka Edustaja",
        "delegates-0-email": "edustaja@example.org",
        "delegates-0-participation": "on_site",
    },
    "reject": {"reason": "Ei sovi kalenteriin."},
}


@pytest.fixture
def world(association, other_association, role_user):
    for role in ROLES:
        role_user(role)
    kuopio = Municipality.objects.get(code="297")
    event = EventFactory(title="Melojien ilta", kind=Event.Kind.ASSOCIATION_EVENT)
    event.organiser_links.create(organisation=association)
    pending = EventFactory(title="Odottava ilta", kind=Event.Kind.ASSOCIATION_EVENT, status=Event.Status.PENDING)
    pending.organiser_links.create(organisation=association)
    forum = EventFactory(title="Kuopion järjestöfoorumi", kind=Event.Kind.LOCAL_FORUM, starts_at=in_days(30))
    forum.organiser_municipalities.set([kuopio])
    from tests.organisations.factories import OrganisationFactory

    theirs_organisation = OrganisationFactory(name="Kolmas Yhdistys ry")
    theirs = EventFactory(title="Kolmannen ilta", kind=Event.Kind.ASSOCIATION_EVENT)
    theirs.organiser_links.create(organisation=theirs_organisation)
    registration = RegistrationFactory(event=event, email="osallistuja@example.org")
    delegate = RegistrationFactory(
        event=event, email="edustaja.vanha@example.org", delegate_of=association, status=Registration.Status.CONFIRMED
    )
    return {
        "event": event,
        "pending": pending,
        "forum": forum,
        "theirs": theirs,
        "theirs_organisation": theirs_organisation,
        "registration": registration,
        "delegate": delegate,
        "token": services.cancellation_token_make(registration),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(client, login_as, world, role, name, method, url, expected):
    login_as(client, role)
    response = getattr(client, method)(url(world), POST_DATA.get(name, {}))
    wanted = expected[role]
    if wanted == LOGIN:
        assert response.status_code == 302, f"{name} as {role}: {response.status_code}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    else:
        assert response.status_code == wanted, f"{name} as {role}: {response.status_code}"


def test_another_associations_event_is_indistinguishable_from_a_missing_one(client, login_as, world):
    from tests.test_permission_matrix import strip_per_request

    login_as(client, "other_editor")
    guessed = client.get(reverse("forums:edit", args=[world["event"].slug]))
    missing = client.get(reverse("forums:edit", args=["ei-ole-olemassa"]))
    assert guessed.status_code == missing.status_code == 404
    assert strip_per_request(guessed.content) == strip_per_request(missing.content)


def test_a_refused_edit_changes_nothing(client, login_as, world):
    login_as(client, "other_editor")
    client.post(reverse("forums:edit", args=[world["event"].slug]), {"title": "Kaapattu"})
    client.post(reverse("forums:event_cancel", args=[world["event"].slug]))
    world["event"].refresh_from_db()
    assert (world["event"].title, world["event"].status) == ("Melojien ilta", Event.Status.PUBLISHED)
