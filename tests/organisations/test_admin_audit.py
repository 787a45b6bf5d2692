"""Role and scope changes made in the admin write one audit entry each; a save that changes none, none."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from organisations.models import MunicipalContact, Municipality
from portal.models import AuditEntry
from portal.permissions import MODERATORS_GROUP
from tests.roles import add_totp, login_with_totp, verified_user

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(client):
    staff = verified_user(email="yllapito@example.org", is_staff=True, is_superuser=True)
    login_with_totp(client, staff, add_totp(staff))
    client.staff = staff
    return client


def contact_data(contact_user, *codes):
    return {
        "name": "Kunnan Yhteyshenkilö",
        "title": "",
        "email": "",
        "phone": "",
        "user": contact_user.pk if contact_user else "",
        "municipalities": [Municipality.objects.get(code=code).pk for code in codes],
    }


def test_a_municipal_contact_linked_and_given_municipalities_in_the_admin(staff_admin):
    account = UserFactory()
    contact = MunicipalContact.objects.create(name="Kunnan Yhteyshenkilö")
    url = reverse("admin:organisations_municipalcontact_change", args=[contact.pk])
    before = AuditEntry.objects.count()
    response = staff_admin.post(url, contact_data(account, "297", "140"))
    assert response.status_code == 302
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == "organisations.municipal_contact.changed"
    assert entry.actor == staff_admin.staff
    assert entry.target == contact
    assert entry.details["user_after"] == account.pk
    assert entry.details["municipalities_added"] == ["140", "297"]
    # Saving again without a change records nothing.
    count = AuditEntry.objects.count()
    assert staff_admin.post(url, contact_data(account, "297", "140")).status_code == 302
    assert AuditEntry.objects.count() == count
    assert staff_admin.post(url, contact_data(None, "297")).status_code == 302
    last = AuditEntry.objects.latest("pk")
    assert AuditEntry.objects.count() == count + 1
    assert (last.details["user_before"], last.details["user_after"]) == (account.pk, None)
    assert last.details["municipalities_removed"] == ["140"]


def test_a_group_given_in_the_admin_is_recorded(staff_admin):
    account = UserFactory(email="tuleva.moderaattori@example.org")
    url = reverse("admin:accounts_user_change", args=[account.pk])
    form = staff_admin.get(url).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and key != "password"}
    data.pop("groups", None)
    data.pop("user_permissions", None)
    joined = account.date_joined
    data.update(
        date_joined_0=joined.strftime("%Y-%m-%d"),
        date_joined_1=joined.strftime("%H:%M:%S"),
        groups=[Group.objects.get(name=MODERATORS_GROUP).pk],
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    count = AuditEntry.objects.count()
    response = staff_admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert account.groups.filter(name=MODERATORS_GROUP).exists()
    assert AuditEntry.objects.count() == count + 1
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == "accounts.roles.changed"
    assert entry.actor == staff_admin.staff
    assert entry.target == account
    assert entry.details["groups_added"] == [MODERATORS_GROUP]
