"""Every newsletter URL, GET and POST, for every role (tests/roles.py).

Public pages answer everybody alike; the token pages answer by the token, not by who is signed in;
the secretary's pages are the council secretary's alone (staff use the admin). ``LOGIN`` is a
redirect to the login page.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from newsletter.models import Issue
from tests.roles import ROLES, expect

from .factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"


def everybody(status):
    return dict.fromkeys(ROLES, status)


SECRETARY = expect(LOGIN, 403, 403, 403, 200, 403, 403)
SECRETARY_POST = expect(LOGIN, 403, 403, 403, 302, 403, 403)


def secretary(name, method="get", expected=None):
    return (
        f"{name}_{method}",
        method,
        lambda w: reverse(f"newsletter:{name}", args=[w["issue"].pk]),
        expected or (SECRETARY if method == "get" else SECRETARY_POST),
    )


# (name, method, url builder, expected answers)
MATRIX = [
    ("subscribe_get", "get", lambda w: reverse("newsletter:subscribe"), everybody(200)),
    ("subscribe_post", "post", lambda w: reverse("newsletter:subscribe"), everybody(302)),
    ("subscribe_sent_get", "get", lambda w: reverse("newsletter:subscribe_sent"), everybody(200)),
    ("confirm_get", "get", lambda w: reverse("newsletter:confirm", args=[w["confirm_token"]]), everybody(200)),
    ("confirm_post", "post", lambda w: reverse("newsletter:confirm", args=[w["confirm_token"]]), everybody(200)),
    ("confirm_forged", "post", lambda w: reverse("newsletter:confirm", args=["väärä"]), everybody(400)),
    ("preferences_get", "get", lambda w: w["subscriber"].get_preferences_url(), everybody(200)),
    ("preferences_post", "post", lambda w: w["subscriber"].get_preferences_url(), everybody(302)),
    ("preferences_unknown", "get", lambda w: reverse("newsletter:preferences", args=["x"]), everybody(404)),
    ("unsubscribe_get", "get", lambda w: w["subscriber"].get_unsubscribe_url(), everybody(200)),
    ("unsubscribe_post", "post", lambda w: w["subscriber"].get_unsubscribe_url(), everybody(200)),
    ("unsubscribe_unknown", "post", lambda w: reverse("newsletter:unsubscribe", args=["x"]), everybody(404)),
    ("archive_get", "get", lambda w: reverse("newsletter:archive"), everybody(200)),
    ("archive_post", "post", lambda w: reverse("newsletter:archive"), everybody(405)),
    ("archive_detail_get", "get", lambda w: w["sent"].get_absolute_url(), everybody(200)),
    ("archive_draft", "get", lambda w: w["issue"].get_absolute_url(), everybody(404)),
    ("issue_list_get", "get", lambda w: reverse("newsletter:issue_list"), SECRETARY),
    ("issue_create_get", "get", lambda w: reverse("newsletter:issue_create"), SECRETARY),
    (
        "issue_create_post",
        "post",
        lambda w: reverse("newsletter:issue_create"),
        expect(LOGIN, 403, 403, 403, 200, 403, 403),  # an empty form: errors
    ),
    secretary("issue_detail"),
    secretary("issue_edit"),
    secretary("issue_edit", "post", expect(LOGIN, 403, 403, 403, 200, 403, 403)),
    secretary("issue_preview"),
    secretary("issue_preview_email"),
    secretary("issue_send_test", "post"),
    secretary("issue_schedule", "post"),
    secretary("issue_unschedule", "post"),
    secretary("issue_progress"),
    secretary("issue_progress_json"),
    secretary("issue_resend_unknown", "post"),
]


@pytest.fixture
def world(role_user):
    for role in ROLES:
        role_user(role)
    from newsletter.services import confirmation_token

    pending = SubscriberFactory(status="pending", consent_confirmed_at=None)
    return {
        "issue": IssueFactory(),
        "sent": IssueFactory(status=Issue.Status.SENT, published_at="2026-11-01T10:00:00+02:00"),
        "subscriber": SubscriberFactory(),
        "confirm_token": confirmation_token(pending),
    }


POST_DATA = {"subscribe_post": {"email": "uusi@example.org", "language": "fi", "consent": "on"}}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(client, login_as, world, role, name, method, url, expected):
    login_as(client, role)
    data = POST_DATA.get(name, {"language": "fi"} if name == "preferences_post" else {})
    response = getattr(client, method)(url(world), data)
    wanted = expected[role]
    if wanted == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    else:
        assert response.status_code == wanted, f"{name} as {role}"


def test_a_missing_issue_is_a_404_for_the_secretary(client, login_as, world):
    login_as(client, "council_secretary")
    assert client.get(reverse("newsletter:issue_detail", args=[999999])).status_code == 404
