"""Every protected URL against every role, with the answer each must get.

Add a row to CASES with each new view. ``url`` is a URL name (with ``args``) or a function of the
``objects`` fixture (the roles' associations, ...) returning a path. ``expect`` maps a role to the
status; roles left out get ``default``. LOGIN means a redirect to the login page. Another
association's object must answer exactly like a missing one: 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from tests.roles import ROLES

LOGIN = "login"


def strip_per_request(content: bytes) -> bytes:
    """Drop what differs per request anyway: the CSRF token and the language switcher's return path."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'name="next" type="hidden" value="[^"]+"', b"", content)


SIGNED_IN = {role: 200 for role in ROLES if role != "anonymous"}


@dataclass(frozen=True)
class Case:
    id: str
    url: str | Callable[[dict], str]
    default: int | str
    expect: dict[str, int | str] = field(default_factory=dict)
    args: tuple = ()

    def path(self, objects: dict) -> str:
        return self.url(objects) if callable(self.url) else reverse(self.url, args=self.args)

    def expected(self, role: str) -> int | str:
        return self.expect.get(role, self.default)


def account_page(case_id: str, url_name: str) -> Case:
    return Case(case_id, url_name, default=200, expect={"anonymous": LOGIN})


STAFF_ONLY = {"anonymous": LOGIN, "staff": 200}
LOOKS_AFTER_ASSOCIATION = {"editor": 200, "moderator": 200, "staff": 200}

CASES: list[Case] = [
    Case("privacy notice", "privacy", default=200),
    account_page("my account", "accounts:overview"),
    account_page("download my data", "accounts:personal_data"),
    account_page("delete account", "accounts:delete"),
    account_page("change e-mail", "account_email"),
    account_page("change password", "account_change_password"),
    account_page("two-factor settings", "mfa_index"),
    Case("admin index", "admin:index", default=403, expect=STAFF_ONLY),
    # is_staff opens the admin, not every model in it: the staff fixture has no model permissions.
    Case("admin users", "admin:accounts_user_changelist", default=403, expect={"anonymous": LOGIN}),
    Case(
        "own draft listing",
        lambda o: reverse("organisations:detail", args=[o["association"].slug]),
        default=404,
        expect=LOOKS_AFTER_ASSOCIATION,
    ),
    Case("missing listing", "organisations:detail", args=("ei-ole-olemassa",), default=404),
    # Self-service and moderation (POSTs: tests/organisations/test_selfservice_permissions.py).
    account_page("my associations", "organisations:my"),
    account_page("register an association", "organisations:register"),
    Case(
        "edit listing",
        lambda o: reverse("organisations:edit", args=[o["association"].slug]),
        default=404,
        expect={"anonymous": LOGIN, **LOOKS_AFTER_ASSOCIATION},
    ),
    Case(
        "listing's editors",
        lambda o: reverse("organisations:editors", args=[o["association"].slug]),
        default=404,
        expect={"anonymous": LOGIN, **LOOKS_AFTER_ASSOCIATION},
    ),
    Case(
        "listing's history",
        lambda o: reverse("organisations:history", args=[o["association"].slug]),
        default=404,
        expect={"anonymous": LOGIN, "editor": 403, "moderator": 200, "staff": 200},
    ),
    Case(
        "edit missing listing",
        "organisations:edit",
        args=("ei-ole-olemassa",),
        default=404,
        expect={"anonymous": LOGIN},
    ),
    Case(
        "moderation queue",
        "organisations:moderation",
        default=403,
        expect={"anonymous": LOGIN, "moderator": 200, "staff": 200},
    ),
    Case(
        "pending registration",
        lambda o: reverse("organisations:moderation_registration", args=[o["pending"].slug]),
        default=403,
        expect={"anonymous": LOGIN, "moderator": 200, "staff": 200},
    ),
]


@pytest.fixture
def objects(association, other_association):
    from organisations.models import Organisation
    from tests.organisations.factories import OrganisationFactory

    pending = OrganisationFactory(name="Odottava Kuoro ry", status=Organisation.Status.PENDING)
    return {"association": association, "other_association": other_association, "pending": pending}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_permission_matrix(client, login_as, objects, case: Case, role: str):
    login_as(client, role)
    response = client.get(case.path(objects))
    expected = case.expected(role)
    if expected == LOGIN:
        assert response.status_code == 302, (role, response.status_code)
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
    else:
        assert response.status_code == expected, (role, response.status_code, response.get("Location"))


@pytest.mark.django_db
def test_another_associations_draft_is_indistinguishable_from_a_missing_one(client, login_as, objects):
    login_as(client, "other_editor")
    guessed = client.get(reverse("organisations:detail", args=[objects["association"].slug]))
    missing = client.get(reverse("organisations:detail", args=["ei-ole-olemassa"]))
    assert guessed.status_code == missing.status_code == 404
    assert strip_per_request(guessed.content) == strip_per_request(missing.content)
