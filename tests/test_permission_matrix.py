"""Every protected URL against every role (tests/roles.py), with the answer each must get.

Add a row to CASES with each new view, and a POST row with each state-changing one. ``url`` is a
URL name (with ``args``) or a function of the case's world returning a path; ``data`` is what a
POST sends (or a function of the world giving it). ``expect`` maps a role to the status; roles
left out get ``default``. LOGIN means a redirect to the login page. Another association's object
must answer exactly like a missing one: 404. A refused request (LOGIN, 400, 403, 404) must leave
the database as it was.

Two worlds: ``drafts`` (the roles' associations as drafts, one pending registration) and
``published`` (the roles' associations published, with a claim, a report, a version, an
invitation and a confirmation link); both have a municipal contact's saved filter and a staff
member's import batch.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from organisations import services
from organisations.models import (
    ClaimRequest,
    Editorship,
    ExportLog,
    ImportBatch,
    ImportJob,
    Invitation,
    Municipality,
    Organisation,
    Report,
    SavedFilter,
)
from organisations.permissions import can_export, organisations_needing_another_editor
from portal.permissions import handles_personal_data, requires_capability
from tests.organisations.factories import OrganisationFactory, UserFactory, municipal_contact_user
from tests.organisations.roles import make_editor
from tests.roles import PASSWORD, ROLES, add_totp, login_with_totp, verified_user

pytestmark = pytest.mark.django_db

LOGIN = "login"
REFUSED = {LOGIN, 400, 403, 404}
INVITATION_TOKEN = "matriisin-kutsu"


def strip_per_request(content: bytes) -> bytes:
    """Drop what differs per request anyway: the CSRF token and the language switcher's links to
    the same address in the other languages."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'<a href="[^"]+" lang="[a-z]+" hreflang=', b"<a hreflang=", content)


@dataclass(frozen=True)
class Case:
    id: str
    url: str | Callable[[dict], str]
    default: int | str
    expect: dict[str, int | str] = field(default_factory=dict)
    args: tuple = ()
    method: str = "get"
    data: dict | Callable[[dict], dict] | None = None
    world: str = "drafts"

    def path(self, objects: dict) -> str:
        return self.url(objects) if callable(self.url) else reverse(self.url, args=self.args)

    def payload(self, objects: dict) -> dict:
        return (self.data(objects) if callable(self.data) else self.data) or {}

    def expected(self, role: str) -> int | str:
        return self.expect.get(role, self.default)


def account_page(case_id: str, url_name: str) -> Case:
    return Case(case_id, url_name, default=200, expect={"anonymous": LOGIN})


def post(case_id: str, url, default, expect=None, *, data=None, world: str = "published") -> Case:
    return Case(case_id, url, default, expect or {}, method="post", data=data, world=world)


def slug_url(name: str, key: str = "association", *extra: str) -> Callable[[dict], str]:
    return lambda o: reverse(name, args=[o[key].slug, *(o[item] for item in extra)])


STAFF_ONLY = {"anonymous": LOGIN, "staff": 200}
MUNICIPAL_CONTACT_ONLY = {"anonymous": LOGIN, "municipal_contact": 200}
LOOKS_AFTER_ASSOCIATION = {"editor": 200, "moderator": 200, "staff": 200}
EDITOR_SCOPE = {"anonymous": LOGIN, **LOOKS_AFTER_ASSOCIATION}
EDITOR_SCOPE_POST = {"anonymous": LOGIN, "editor": 302, "moderator": 302, "staff": 302}
HISTORY = EDITOR_SCOPE
MODERATORS_ONLY = {"anonymous": LOGIN, "moderator": 200, "staff": 200}
MODERATORS_ONLY_POST = {"anonymous": LOGIN, "moderator": 302, "staff": 302}


def registration(objects: dict) -> dict:
    return {"name": "Matriisin Uusi Kuoro ry", "home_municipality": Municipality.objects.get(code="297").pk}


def spreadsheet(objects: dict) -> dict:
    return {"file": SimpleUploadedFile("lista.csv", b"nimi;kotikunta\nMatriisin Kuoro ry;Kuopio\n")}


CASES: list[Case] = [
    # Public pages and accounts.
    Case("privacy notice", "privacy", default=200),
    account_page("my account", "accounts:overview"),
    account_page("download my data", "accounts:personal_data"),
    account_page("delete account", "accounts:delete"),
    account_page("change e-mail", "account_email"),
    account_page("change password", "account_change_password"),
    account_page("two-factor settings", "mfa_index"),
    post(
        "delete account (POST)",
        "accounts:delete",
        302,
        # The only editor of an association must invite another first.
        {"anonymous": LOGIN, "editor": 200, "other_editor": 200},
        data={"password": PASSWORD},
        world="drafts",
    ),
    Case("admin index", "admin:index", default=403, expect=STAFF_ONLY),
    # is_staff opens the admin, not every model in it: the staff fixture has no model permissions.
    Case("admin users", "admin:accounts_user_changelist", default=403, expect={"anonymous": LOGIN}),
    # The directory.
    Case("own draft listing", slug_url("organisations:detail"), default=404, expect=LOOKS_AFTER_ASSOCIATION),
    Case("missing listing", "organisations:detail", args=("ei-ole-olemassa",), default=404),
    # Self-service.
    account_page("my associations", "organisations:my"),
    account_page("register an association", "organisations:register"),
    post("register (POST)", "organisations:register", 302, {"anonymous": LOGIN}, data=registration),
    Case("edit listing", slug_url("organisations:edit"), default=404, expect=EDITOR_SCOPE),
    # An empty edit is an invalid form: 200 with errors for those who may edit.
    post("edit listing (POST)", slug_url("organisations:edit"), 404, EDITOR_SCOPE),
    Case(
        "edit pending listing",
        slug_url("organisations:edit", "pending"),
        default=404,
        expect={"anonymous": LOGIN, "moderator": 200, "staff": 200},
        world="published",
    ),
    Case(
        "edit missing listing",
        "organisations:edit",
        args=("ei-ole-olemassa",),
        default=404,
        expect={"anonymous": LOGIN},
    ),
    Case("listing's editors", slug_url("organisations:editors"), default=404, expect=EDITOR_SCOPE),
    post(
        "invite an editor (POST)",
        slug_url("organisations:editors"),
        404,
        EDITOR_SCOPE_POST,
        data={"email": "kutsuttu@example.org"},
    ),
    post(
        "remove an editor (POST)",
        slug_url("organisations:editor_remove", "association", "second_editorship_pk"),
        404,
        EDITOR_SCOPE_POST,
    ),
    post("confirm listing (POST)", slug_url("organisations:confirm"), 404, EDITOR_SCOPE_POST),
    Case("listing's history", slug_url("organisations:history"), default=404, expect=HISTORY),
    # Read-only for everyone: history is a GET page; reverting posts to a version.
    post("listing's history (POST)", slug_url("organisations:history"), 405),
    Case(
        "listing's version",
        slug_url("organisations:version", "association", "version_id"),
        default=404,
        expect=HISTORY,
        world="published",
    ),
    post(
        "revert to a version (POST)",
        slug_url("organisations:version", "association", "version_id"),
        404,
        {"anonymous": LOGIN, "editor": 403, "moderator": 302, "staff": 302},
    ),
    Case(
        "claim a listing",
        slug_url("organisations:claim"),
        default=200,
        expect={"anonymous": LOGIN, "editor": 302},
        world="published",
    ),
    post("claim a listing (POST)", slug_url("organisations:claim"), 302, {"anonymous": LOGIN}, data={"role": "jäsen"}),
    Case("report a listing", slug_url("organisations:report"), default=200, world="published"),
    post("report a listing (POST)", slug_url("organisations:report"), 302, data={"reason": "outdated"}),
    post(
        "accept an invitation (POST)",
        lambda o: reverse("organisations:invitation", args=[INVITATION_TOKEN]),
        400,
        # Only the invited address may accept it.
        {"anonymous": LOGIN, "account": 302},
    ),
    post(
        # The signed link is the credential: whoever holds it may confirm, signed in or not.
        "confirm by e-mailed link (POST)",
        lambda o: reverse("organisations:confirm_link", args=[o["confirmation_token"]]),
        200,
    ),
    # Moderation.
    Case("moderation queue", "organisations:moderation", default=403, expect=MODERATORS_ONLY),
    Case(
        "pending registration",
        slug_url("organisations:moderation_registration", "pending"),
        default=403,
        expect=MODERATORS_ONLY,
    ),
    post(
        "decide a registration (POST)",
        slug_url("organisations:moderation_registration", "pending"),
        403,
        MODERATORS_ONLY_POST,
        data={"decision": "approve"},
    ),
    Case(
        "claim to decide",
        lambda o: reverse("organisations:moderation_claim", args=[o["claim"].pk]),
        default=403,
        expect=MODERATORS_ONLY,
        world="published",
    ),
    post(
        "decide a claim (POST)",
        lambda o: reverse("organisations:moderation_claim", args=[o["claim"].pk]),
        403,
        MODERATORS_ONLY_POST,
        data={"decision": "approve"},
    ),
    Case(
        "report to resolve",
        lambda o: reverse("organisations:moderation_report", args=[o["report"].pk]),
        default=403,
        expect=MODERATORS_ONLY,
        world="published",
    ),
    post(
        "resolve a report (POST)",
        lambda o: reverse("organisations:moderation_report", args=[o["report"].pk]),
        403,
        MODERATORS_ONLY_POST,
        data={"resolution": "Korjattu"},
    ),
    post("archive a listing (POST)", slug_url("organisations:moderation_archive"), 403, MODERATORS_ONLY_POST),
    # Municipal contacts (Kuopio) export their municipalities' lists; nobody else does.
    Case("export csv", "organisations:export", args=("csv",), default=403, expect=MUNICIPAL_CONTACT_ONLY),
    Case("export xlsx", "organisations:export", args=("xlsx",), default=403, expect=MUNICIPAL_CONTACT_ONLY),
    Case("export e-mails", "organisations:export", args=("emails",), default=403, expect=MUNICIPAL_CONTACT_ONLY),
    Case(
        "export csv of a sector",
        lambda o: reverse("organisations:export", args=["csv"]) + "?toimiala=kulttuuri",
        default=403,
        expect=MUNICIPAL_CONTACT_ONLY,
    ),
    Case(
        "export e-mails of the own municipality",
        lambda o: reverse("organisations:export", args=["emails"]) + "?kunta=297",
        default=403,
        expect=MUNICIPAL_CONTACT_ONLY,
    ),
    Case(
        "export of another municipality",
        lambda o: reverse("organisations:export", args=["csv"]) + "?kunta=140",
        default=403,
        expect={"anonymous": LOGIN},
    ),
    Case(
        "export partly outside the scope",
        lambda o: reverse("organisations:export", args=["xlsx"]) + "?kunta=297&kunta=140",
        default=403,
        expect={"anonymous": LOGIN},
    ),
    Case("municipal contact's page", "organisations:contact_home", default=403, expect=MUNICIPAL_CONTACT_ONLY),
    Case("public municipal contacts", "organisations:municipal_contacts", default=200),
    post(
        "save a filter (POST)",
        "organisations:saved_filter_create",
        403,
        {"anonymous": LOGIN, "municipal_contact": 302},
        data={"name": "Uusi", "query_string": ""},
        world="drafts",
    ),
    post(
        "remove a saved filter (POST)",
        lambda o: reverse("organisations:saved_filter_remove", args=[o["saved_filter"].pk]),
        403,
        {"anonymous": LOGIN, "municipal_contact": 302},
        world="drafts",
    ),
    # Staff's bulk import.
    Case("bulk import", "organisations:import", default=403, expect=STAFF_ONLY),
    Case(
        "import batch",
        lambda o: reverse("organisations:import_batch", args=[o["batch"].pk]),
        default=403,
        expect=STAFF_ONLY,
    ),
    # Without a file the upload form is invalid: 200 with errors for staff.
    post("bulk import without a file (POST)", "organisations:import", 403, STAFF_ONLY, world="drafts"),
    post(
        "upload a spreadsheet (POST)",
        "organisations:import",
        403,
        {"anonymous": LOGIN, "staff": 302},
        data=spreadsheet,
        world="drafts",
    ),
    post(
        "import a checked batch (POST)",
        lambda o: reverse("organisations:import_batch", args=[o["batch"].pk]),
        403,
        {"anonymous": LOGIN, "staff": 302},
        world="drafts",
    ),
    Case(
        "import progress (JSON)",
        lambda o: reverse("organisations:import_batch_progress", args=[o["batch"].pk]),
        default=403,
        expect=STAFF_ONLY,
    ),
    # A file with no stalled or failed job: refused with a message, a redirect for staff.
    post(
        "start an import job again (POST)",
        lambda o: reverse("organisations:import_job_retry", args=[o["batch"].pk]),
        403,
        {"anonymous": LOGIN, "staff": 302},
        world="drafts",
    ),
]


def database_state() -> dict:
    """What any state-changing URL here could change, to compare before and after a refused request."""

    def rows(queryset, *fields):
        return list(queryset.order_by("pk").values_list("pk", *fields))

    return {
        "organisations": rows(
            Organisation.objects, "status", "name", "description", "information_confirmed_at", "updated_at"
        ),
        "versions": Organisation.history.count(),
        "editorships": rows(Editorship.objects, "organisation_id", "user_id"),
        "invitations": rows(Invitation.objects, "email", "accepted_at"),
        "claims": rows(ClaimRequest.objects, "status"),
        "reports": rows(Report.objects, "resolved_at"),
        "saved_filters": rows(SavedFilter.objects, "name", "query_string"),
        "import_batches": rows(ImportBatch.objects, "status"),
        "import_jobs": rows(ImportJob.objects, "status"),
        "export_logs": ExportLog.objects.count(),
        "users": rows(User.objects, "is_active"),
    }


def export_objects(role_user) -> dict:
    saved_filter = SavedFilter.objects.create(user=role_user("municipal_contact"), name="Kulttuuri")
    batch = ImportBatch.objects.create(
        uploaded_by=role_user("staff"), file_name="lista.csv", content=b"nimi\n", status=ImportBatch.Status.CHECKED
    )
    return {"saved_filter": saved_filter, "batch": batch}


@pytest.fixture
def drafts(association, other_association, role_user):
    """The roles' associations as drafts (tests/roles.py) and a registration waiting for moderation."""
    pending = OrganisationFactory(name="Odottava Kuoro ry", status=Organisation.Status.PENDING)
    return {
        "association": association,
        "other_association": other_association,
        "pending": pending,
        **export_objects(role_user),
    }


@pytest.fixture
def published(association, other_association, role_user):
    """The roles' associations, published; a pending one; a claim, a report, a version, an invitation."""
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
    Invitation.objects.create(
        organisation=association,
        email=role_user("account").email,
        token_hash=hashlib.sha256(INVITATION_TOKEN.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(days=7),
    )
    return {
        "association": association,
        "other_association": other_association,
        "pending": pending,
        "second_editorship_pk": association.editorships.get(user=second).pk,
        "version_id": association.history.earliest().history_id,
        "claim": services.claim_create(
            organisation=association, user=UserFactory(), role="jäsen", message="", language="fi"
        ),
        "report": services.report_create(organisation=association, reason=Report.Reason.OUTDATED, message=""),
        "confirmation_token": services.confirmation_token_make(organisation=association, user=role_user("editor")),
        **export_objects(role_user),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_permission_matrix(client, login_as, request, case: Case, role: str):
    objects = request.getfixturevalue(case.world)
    login_as(client, role)
    path = case.path(objects)
    before = database_state()
    response = getattr(client, case.method)(path, case.payload(objects))
    expected = case.expected(role)
    if expected == LOGIN:
        assert response.status_code == 302, (role, response.status_code)
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
    else:
        assert response.status_code == expected, (role, response.status_code, response.get("Location"))
    if expected in REFUSED:
        assert database_state() == before, f"a refused {case.method.upper()} changed the database"
    if "vienti" in path and expected != 200:
        # A refused export leaves no trace in the log.
        assert ExportLog.objects.count() == 0


def test_another_associations_draft_is_indistinguishable_from_a_missing_one(client, login_as, drafts):
    login_as(client, "other_editor")
    guessed = client.get(reverse("organisations:detail", args=[drafts["association"].slug]))
    missing = client.get(reverse("organisations:detail", args=["ei-ole-olemassa"]))
    assert guessed.status_code == missing.status_code == 404
    assert strip_per_request(guessed.content) == strip_per_request(missing.content)


@pytest.mark.parametrize(
    "url_name", ["edit", "editors", "history", "claim", "report", "moderation_registration", "moderation_archive"]
)
def test_a_missing_listing_looks_like_anothers(client, login_as, published, url_name):
    login_as(client, "moderator")
    method = client.post if url_name == "moderation_archive" else client.get
    assert method(reverse(f"organisations:{url_name}", args=["ei-ole-olemassa"])).status_code == 404


@pytest.mark.parametrize("url_name", ["moderation", "edit"])
def test_staff_powers_need_the_sessions_second_factor(client, published, url_name):
    staff = verified_user(email="kiireinen.yllapito@example.org", is_staff=True)
    client.force_login(staff)
    args = [] if url_name == "moderation" else [published["association"].slug]
    response = client.get(reverse(f"organisations:{url_name}", args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    add_totp(staff)
    response = client.get(reverse(f"organisations:{url_name}", args=args))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


# Exports, saved filters and imports: what the matrix does not cover (another account's objects).


def test_only_an_account_with_a_municipal_scope_may_export(role_user):
    assert [role for role in ROLES[1:] if can_export(role_user(role))] == ["municipal_contact"]


def test_a_contact_without_municipalities_or_an_inactive_account_cannot_export(client):
    client.force_login(municipal_contact_user())
    assert client.get(reverse("organisations:export", args=["csv"])).status_code == 403
    inactive = municipal_contact_user("297")
    inactive.is_active = False
    inactive.save()
    assert not can_export(inactive)


def test_another_accounts_saved_filter_is_not_found(client, drafts):
    client.force_login(municipal_contact_user("140"))
    response = client.post(reverse("organisations:saved_filter_remove", args=[drafts["saved_filter"].pk]))
    assert response.status_code == 404
    assert SavedFilter.objects.filter(pk=drafts["saved_filter"].pk).exists()


def test_another_staff_members_import_is_not_found(client, drafts):
    other = verified_user(is_staff=True)
    login_with_totp(client, other, add_totp(other))
    assert client.get(reverse("organisations:import_batch", args=[drafts["batch"].pk])).status_code == 404
    assert client.post(reverse("organisations:import_batch", args=[drafts["batch"].pk])).status_code == 404
    assert client.get(reverse("organisations:import_batch_progress", args=[drafts["batch"].pk])).status_code == 404
    assert client.post(reverse("organisations:import_job_retry", args=[drafts["batch"].pk])).status_code == 404
    drafts["batch"].refresh_from_db()
    assert drafts["batch"].status == ImportBatch.Status.CHECKED


def test_staff_without_the_second_factor_reach_no_import_page(client, role_user):
    client.force_login(role_user("staff"))
    response = client.get(reverse("organisations:import"))
    assert response.status_code == 302
    assert "next=" in response["Location"]


# The capabilities behind the matrix (portal.permissions, organisations.permissions).


@requires_capability("moderate")
def moderation_view(request):
    return HttpResponse("ok")


def test_requires_capability_sends_visitors_to_login_and_refuses_others():
    request = RequestFactory().get("/jono/")
    request.user = AnonymousUser()
    response = moderation_view(request)
    assert response.status_code == 302 and "/tili/login/" in response["Location"]

    request.user = verified_user(email="tavallinen@example.org")
    with pytest.raises(PermissionDenied):
        moderation_view(request)


def test_requires_capability_lets_the_role_through(role_user):
    request = RequestFactory().get("/jono/")
    request.user = role_user("moderator")
    assert moderation_view(request).content == b"ok"


def test_unknown_capability_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown capability"):
        requires_capability("moderte")


@pytest.mark.parametrize(
    ("role", "expected"),
    [("editor", False), ("moderator", True), ("council_secretary", True), ("municipal_contact", True), ("staff", True)],
)
def test_who_handles_personal_data(role_user, role, expected):
    assert handles_personal_data(role_user(role)) is expected


def test_organisations_needing_another_editor():
    user = verified_user(email="yksin@example.org")
    alone = OrganisationFactory(name="Yksin ry")
    shared = OrganisationFactory(name="Yhdessä ry")
    Editorship.objects.create(organisation=alone, user=user)
    Editorship.objects.create(organisation=shared, user=user)
    Editorship.objects.create(organisation=shared, user=verified_user(email="toinen@example.org"))
    assert list(organisations_needing_another_editor(user)) == [alone]


# Every URL the project resolves has a row above (or in the council's, forums' and newsletter's
# matrices, tests/<app>/test_permissions.py), or an entry here saying why it needs none.

# Public: the same answer for everybody, and nothing anyone owns changes. No row needed; say why.
PUBLIC: dict[str, str] = {
    "": "the front page",
    "i18n/setlang/": "sets the visitor's language cookie only",
    "robots.txt": "crawler rules",
    "sitemap.xml": "index of the published listings' sitemaps",
    "sitemap-<section>.xml": "published listings and municipalities only",
    "healthz": "liveness probe; says nothing about the data",
    "readyz": "readiness probe; reports the services' state, no data",
    "yhdistykset/": "the directory of published associations",
    "kunnat/": "the municipalities",
    "kunnat/<str:key>/": "one municipality's published associations",
    # allauth's sign-in machinery: for visitors by nature, throttled and tested in tests/accounts.
    "tili/login/": "sign-in form",
    "tili/logout/": "signs the session out, nothing else",
    "tili/inactive/": "static notice",
    "tili/signup/": "sign-up form (tests/accounts/test_signup_and_reauthentication.py)",
    "tili/confirm-email/": "asks for the e-mailed link",
    "tili/confirm-email/(?P<key>[-:\\w]+)/$": "the e-mailed key is the credential",
    "tili/password/reset/": "sends a reset link; same answer for any address",
    "tili/password/reset/done/": "static notice",
    "tili/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "the e-mailed key is the credential",
    "tili/password/reset/key/done/": "static notice",
    "tili/login/code/confirm/": "the sign-in code step of a pending login",
    "tili/2fa/authenticate/": "the TOTP step of a pending login (tests/accounts/test_two_factor.py)",
}

# Behind allauth's own login_required and reauthentication, for the signed-in account itself only;
# checked in tests/accounts/test_two_factor.py and test_signup_and_reauthentication.py.
ALLAUTH_OWN_ACCOUNT: dict[str, str] = {
    "tili/reauthenticate/": "password confirmation (ours, accounts/allauth_urls.py)",
    "tili/password/set/": "for accounts without a password",
    "tili/2fa/reauthenticate/": "TOTP confirmation",
    "tili/2fa/totp/activate/": "TOTP set-up",
    "tili/2fa/totp/deactivate/": "TOTP removal (refused to staff)",
    "tili/2fa/recovery-codes/": "the account's recovery codes",
    "tili/2fa/recovery-codes/generate/": "new recovery codes",
    "tili/2fa/recovery-codes/download/": "the account's recovery codes as text",
}

# A GET row is enough: the page changes nothing on POST (its forms post to URLs with POST rows),
# or, for the admin, Django's own permission checks guard its forms. Say why.
NO_POST_ROW: dict[str, str] = {
    "admin/": "the Django admin as one entry: is_staff, two-factor and model permissions",
    "tietosuoja/": "static privacy notice",
    "yllapito/tuonti/<int:pk>/tila/": "an import job's progress as JSON (GET only, require_GET)",
    "oma/": "lists the account's associations",
    "oma/kunta/": "the municipal contact's page; saved filters post to their own URLs",
    "tili/": "account overview",
    "tili/omat-tiedot/": "downloads the account's own data",
    "tili/email/": "allauth's form; POSTs tested in tests/accounts/test_signup_and_reauthentication.py",
    "tili/password/change/": "allauth's form; POSTs tested in tests/accounts/test_signup_and_reauthentication.py",
    "tili/2fa/": "two-factor overview",
    "moderointi/": "the moderation queue; decisions post to their own URLs",
    "yhdistykset/<slug:slug>/": "a listing; claims and reports post to their own URLs",
    "yhdistykset/<slug:slug>/historia/": "the listing's history; reverting posts to the version URL",
    "yhdistykset/vienti/<str:format>/": "exports are GET only (require_GET)",
    "kunnat/yhteyshenkilot/": "public list of municipal contacts",
    "tapahtumat/kuukausi/": "calendar month",
    "tapahtumat/kuukausi/<int:year>/<int:month>/": "calendar month",
    "tapahtumat/arkisto/": "past events",
    "tapahtumat/moderointi/": "the events' moderation queue; decisions post to their own URLs",
    "tapahtumat/<slug:slug>/kalenteri.ics": "calendar file",
    "tapahtumat/<slug:slug>/osallistujat/": "participant list; cancellations post to their own URL",
    "tapahtumat/<slug:slug>/osallistujat.csv": "participant list as CSV",
    "uutiskirje/tilattu/": "static notice after subscribing",
    "uutiskirje/arkisto/<int:pk>/": "a sent issue",
    "uutiskirje/hallinta/": "the secretary's issue list",
    "uutiskirje/hallinta/<int:pk>/": "an issue; its actions post to their own URLs",
    "uutiskirje/hallinta/<int:pk>/esikatselu/": "preview",
    "uutiskirje/hallinta/<int:pk>/esikatselu/sahkoposti/": "e-mail preview",
    "uutiskirje/hallinta/<int:pk>/tila/": "sending progress",
    "uutiskirje/hallinta/<int:pk>/tila.json": "sending progress as JSON",
}


class _Probe:
    """Stands in for a matrix world's object so a row's URL can be built without a database."""

    pk = 1
    slug = "koetin"
    token = "koetin"

    def __str__(self) -> str:
        return "1"

    def get_absolute_url(self) -> str:
        return reverse("newsletter:archive_detail", args=[1])

    def get_preferences_url(self) -> str:
        return reverse("newsletter:preferences", args=["koetin"])

    def get_unsubscribe_url(self) -> str:
        return reverse("newsletter:unsubscribe", args=["koetin"])


class _ProbeWorld(dict):
    def __missing__(self, key):
        return _Probe()


def _join_route(first: str, second: str) -> str:
    # As django.urls.resolvers.URLResolver._join_route, so walked routes equal ResolverMatch.route.
    return second if not first else first + second.removeprefix("^")


def url_pattern_routes() -> list[str]:
    """The route of every URL pattern (the admin as one), as ResolverMatch.route spells it."""
    from django.urls import URLPattern, get_resolver

    routes: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = _join_route(prefix, str(pattern.pattern))
            if route.startswith("admin/"):
                if "admin/" not in routes:
                    routes.append("admin/")
            elif isinstance(pattern, URLPattern):
                # accounts/allauth_urls.py overrides two of allauth's routes: list each once.
                if route not in routes:
                    routes.append(route)
            else:
                walk(pattern.url_patterns, route)

    walk(get_resolver().url_patterns, "")
    return routes


def matrix_rows() -> list[tuple[str, str, str]]:
    """(row id, method, path) of every row of the four matrices, built against a probe world."""
    import tests.council.test_permissions as council_matrix
    import tests.forums.test_permissions as forums_matrix
    import tests.newsletter.test_permissions as newsletter_matrix

    world = _ProbeWorld()
    rows = [(case.id, case.method, case.path(world)) for case in CASES]
    for case in council_matrix.CASES:
        rows += [(f"council {case.id}", "get", case.url(world)), (f"council {case.id}", "post", case.url(world))]
    for module in (forums_matrix, newsletter_matrix):
        rows += [(name, method, url(world)) for name, method, url, _expected in module.MATRIX]
    return rows


def route_of(path: str) -> str:
    from django.urls import resolve

    route = resolve(path.split("?")[0]).route
    return "admin/" if route.startswith("admin/") else route


def test_every_url_pattern_has_a_row_in_the_permission_matrix():
    from django.utils import translation

    with translation.override("fi"):
        covered = {(route_of(path), method) for _id, method, path in matrix_rows()}
        routes = url_pattern_routes()
    missing = []
    for route in routes:
        if route in PUBLIC or route in ALLAUTH_OWN_ACCOUNT:
            continue
        methods = {method for covered_route, method in covered if covered_route == route}
        if not methods:
            missing.append(f"{route!r}: no row (GET nor POST)")
        elif "post" not in methods and route not in NO_POST_ROW:
            missing.append(f"{route!r}: a GET row but no POST row (or a NO_POST_ROW entry)")
    assert not missing, "URL patterns without a row in the permission matrix:\n" + "\n".join(missing)
    # An entry for a URL that no longer exists is a stale claim about who may use it.
    listed = {**PUBLIC, **ALLAUTH_OWN_ACCOUNT, **NO_POST_ROW}
    assert not set(listed) - set(routes), f"entries for URLs the project no longer has: {set(listed) - set(routes)}"
