"""One account per role, for permission tests across the portal (imported by tests/conftest.py).

``role_user(role)`` gives the account, ``login_as(client, role)`` signs a test client in as it.
Staff sign in through allauth's real login and TOTP step (a staff session without the second
factor reaches no staff page); every other role uses ``force_login``.
"""

from __future__ import annotations

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth.models import Group
from django.urls import reverse

from organisations.models import Editorship, MunicipalContact, Municipality, Organisation
from portal.permissions import COUNCIL_SECRETARIES_GROUP, MODERATORS_GROUP, MUNICIPAL_CONTACTS_GROUP
from tests.organisations.factories import OrganisationFactory, UserFactory

PASSWORD = "correct-horse-battery"
ROLES = [
    "anonymous",
    "account",
    "other_editor",
    "editor",
    "moderator",
    "council_secretary",
    "municipal_contact",
    "staff",
]


def expect(anonymous, other_editor, editor, moderator, council_secretary, municipal_contact, staff, *, account=None):
    """A matrix row's statuses by role, in the column order the apps' matrices write them.

    A signed-in account without an association meets what another association's editor meets,
    unless the row says otherwise.
    """
    statuses = {
        "anonymous": anonymous,
        "account": other_editor if account is None else account,
        "other_editor": other_editor,
        "editor": editor,
        "moderator": moderator,
        "council_secretary": council_secretary,
        "municipal_contact": municipal_contact,
        "staff": staff,
    }
    assert set(statuses) == set(ROLES)
    return statuses


def verified_user(**kwargs):
    """An account as sign-up leaves it: a verified, primary e-mail address."""
    user = UserFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def totp_code(secret: str) -> str:
    from allauth.mfa import app_settings

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def add_totp(user) -> str:
    """Give ``user`` an authenticator app through allauth's own API; returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def login_with_totp(client, user, secret: str, password: str = PASSWORD) -> None:
    """Sign in as a real person would: e-mail and password, then the authenticator code."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"), response
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def association(db):
    """The editor's association, as a draft: only the people who look after it may see it."""
    return OrganisationFactory(name="Kallaveden Melojat ry", status=Organisation.Status.DRAFT)


@pytest.fixture
def other_association(db):
    return OrganisationFactory(name="Puijon Lintuharrastajat ry", status=Organisation.Status.DRAFT)


@pytest.fixture
def role_user(db, association, other_association):
    """``role_user("editor")`` → that role's account (created once per test); None for anonymous."""
    created: dict[str, object] = {}

    def make(role: str):
        if role in created:
            return created[role]
        if role == "anonymous":
            user = None
        elif role == "account":
            # Signed in and verified, nothing more: what anybody gets by signing up.
            user = verified_user(email="account@example.org")
        elif role == "editor":
            user = verified_user(email="editor@example.org")
            Editorship.objects.create(organisation=association, user=user)
        elif role == "other_editor":
            user = verified_user(email="other.editor@example.org")
            Editorship.objects.create(organisation=other_association, user=user)
        elif role == "moderator":
            user = verified_user(email="moderator@example.org")
            user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
        elif role == "council_secretary":
            user = verified_user(email="secretary@example.org")
            user.groups.add(Group.objects.get(name=COUNCIL_SECRETARIES_GROUP))
        elif role == "municipal_contact":
            user = verified_user(email="municipal.contact@example.org")
            user.groups.add(Group.objects.get(name=MUNICIPAL_CONTACTS_GROUP))
            contact = MunicipalContact.objects.create(name="Kunnan yhteyshenkilö", user=user)
            contact.municipalities.set([Municipality.objects.get(code="297")])
        elif role == "staff":
            user = verified_user(email="staff@example.org", is_staff=True)
            user.totp_secret = add_totp(user)
        else:
            raise ValueError(role)
        created[role] = user
        return user

    return make


@pytest.fixture
def login_as(role_user):
    def login(client, role: str):
        user = role_user(role)
        if user is None:
            return None
        if role == "staff":
            login_with_totp(client, user, user.totp_secret)
        else:
            client.force_login(user)
        return user

    return login
