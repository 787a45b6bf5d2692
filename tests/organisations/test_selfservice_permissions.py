"""Who gets what from every self-service and moderation URL: URL by role.

``LOGIN`` means a redirect to the login page; 404 is what another association's object looks like,
exactly the same as a missing one. State-changing URLs are POSTed.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from organisations import services
from organisations.models import Organisation, Report
from tests.roles import ROLES

from .factories import OrganisationFactory, UserFactory
from .roles import make_editor

pytestmark = pytest.mark.django_db

LOGIN = "login"


def expect(anonymous, other_editor, editor, moderator, council_secretary, municipal_contact, staff):
    return dict(
        zip(
            ROLES,
            [anonymous, other_editor, editor, moderator, council_secretary, municipal_contact, staff],
            strict=True,
        )
    )


EDITOR_SCOPE = expect(LOGIN, 404, 200, 200, 404, 404, 200)
EDITOR_SCOPE_POST = expect(LOGIN, 404, 302, 302, 404, 404, 302)
HISTORY = expect(LOGIN, 404, 403, 200, 404, 404, 200)
MODERATORS_ONLY = expect(LOGIN, 403, 403, 200, 403, 403, 200)
MODERATORS_ONLY_POST = expect(LOGIN, 403, 403, 302, 403, 403, 302)
ANY_ACCOUNT = expect(LOGIN, 200, 200, 200, 200, 200, 200)

# (name, method, url builder, expected answers)
MATRIX = [
    ("my", "get", lambda w: reverse("organisations:my"), ANY_ACCOUNT),
    ("register", "get", lambda w: reverse("organisations:register"), ANY_ACCOUNT),
    ("edit", "get", lambda w: reverse("organisations:edit", args=[w["a"].slug]), EDITOR_SCOPE),
    (
        "edit_post",
        "post",
        lambda w: reverse("organisations:edit", args=[w["a"].slug]),
        expect(LOGIN, 404, 200, 200, 404, 404, 200),
    ),
    (
        "edit_pending",
        "get",
        lambda w: reverse("organisations:edit", args=[w["pending"].slug]),
        expect(LOGIN, 404, 404, 200, 404, 404, 200),
    ),
    ("editors", "get", lambda w: reverse("organisations:editors", args=[w["a"].slug]), EDITOR_SCOPE),
    ("invite", "post", lambda w: reverse("organisations:editors", args=[w["a"].slug]), EDITOR_SCOPE_POST),
    (
        "editor_remove",
        "post",
        lambda w: reverse("organisations:editor_remove", args=[w["a"].slug, w["second_editorship"].pk]),
        EDITOR_SCOPE_POST,
    ),
    ("confirm", "post", lambda w: reverse("organisations:confirm", args=[w["a"].slug]), EDITOR_SCOPE_POST),
    ("history", "get", lambda w: reverse("organisations:history", args=[w["a"].slug]), HISTORY),
    (
        "version",
        "get",
        lambda w: reverse("organisations:version", args=[w["a"].slug, w["version"].history_id]),
        HISTORY,
    ),
    (
        "revert",
        "post",
        lambda w: reverse("organisations:version", args=[w["a"].slug, w["version"].history_id]),
        expect(LOGIN, 404, 403, 302, 404, 404, 302),
    ),
    (
        "claim",
        "get",
        lambda w: reverse("organisations:claim", args=[w["a"].slug]),
        expect(LOGIN, 200, 302, 200, 200, 200, 200),
    ),
    (
        "report",
        "get",
        lambda w: reverse("organisations:report", args=[w["a"].slug]),
        expect(200, 200, 200, 200, 200, 200, 200),
    ),
    ("moderation", "get", lambda w: reverse("organisations:moderation"), MODERATORS_ONLY),
    (
        "moderation_registration",
        "get",
        lambda w: reverse("organisations:moderation_registration", args=[w["pending"].slug]),
        MODERATORS_ONLY,
    ),
    (
        "moderation_claim",
        "get",
        lambda w: reverse("organisations:moderation_claim", args=[w["claim"].pk]),
        MODERATORS_ONLY,
    ),
    (
        "moderation_claim_post",
        "post",
        lambda w: reverse("organisations:moderation_claim", args=[w["claim"].pk]),
        MODERATORS_ONLY_POST,
    ),
    (
        "moderation_report",
        "get",
        lambda w: reverse("organisations:moderation_report", args=[w["report"].pk]),
        MODERATORS_ONLY,
    ),
    (
        "moderation_archive",
        "post",
        lambda w: reverse("organisations:moderation_archive", args=[w["a"].slug]),
        MODERATORS_ONLY_POST,
    ),
]

POST_DATA = {
    "edit_post": {},  # an empty edit is an invalid form: 200 with errors for those who may edit
    "invite": {"email": "kutsuttu@example.org"},
    "moderation_claim_post": {"decision": "approve"},
}


@pytest.fixture
def world(association, other_association, role_user):
    """The roles' associations (tests/roles.py), published; a pending one; a claim, a report, a version."""
    Organisation.objects.filter(pk__in=[association.pk, other_association.pk]).update(
        status=Organisation.Status.PUBLISHED
    )
    association.refresh_from_db()
    for role in ROLES:
        role_user(role)
    pending = OrganisationFactory(name="Odottava ry", status=Organisation.Status.PENDING)
    make_editor(pending)
    second = make_editor(association)
    services.organisation_update(organisation=association, user=role_user("editor"), data={"description": "Muutettu"})
    return {
        "a": association,
        "b": other_association,
        "pending": pending,
        "second_editorship": association.editorships.get(user=second),
        "version": association.history.earliest(),
        "claim": services.claim_create(
            organisation=association, user=UserFactory(), role="jäsen", message="", language="fi"
        ),
        "report": services.report_create(organisation=association, reason=Report.Reason.OUTDATED, message=""),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(client, login_as, world, role, name, method, url, expected):
    login_as(client, role)
    address = url(world)
    response = getattr(client, method)(address, POST_DATA.get(name, {}))
    wanted = expected[role]
    if wanted == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    else:
        assert response.status_code == wanted, f"{name} as {role}"


@pytest.mark.parametrize(
    "url_name", ["edit", "editors", "history", "claim", "report", "moderation_registration", "moderation_archive"]
)
def test_a_missing_listing_looks_like_anothers(client, login_as, world, url_name):
    login_as(client, "moderator")
    method = client.post if url_name == "moderation_archive" else client.get
    assert method(reverse(f"organisations:{url_name}", args=["ei-ole-olemassa"])).status_code == 404


@pytest.mark.parametrize("url_name", ["moderation", "edit"])
def test_staff_powers_need_the_sessions_second_factor(client, world, url_name):
    from tests.roles import add_totp, verified_user

    staff = verified_user(email="kiireinen.yllapito@example.org", is_staff=True)
    client.force_login(staff)
    args = [] if url_name == "moderation" else [world["a"].slug]
    response = client.get(reverse(f"organisations:{url_name}", args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    add_totp(staff)
    response = client.get(reverse(f"organisations:{url_name}", args=args))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
