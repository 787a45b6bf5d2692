"""Who may export, keep saved filters and import: every role against every new view.

The role list follows the portal's roles (portal/permissions.py). LOGIN means a redirect to the
login page; a municipal contact is an account linked to a MunicipalContact (here: Kuopio).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.shortcuts import resolve_url
from django.urls import reverse

from organisations.models import ExportLog, ImportBatch, Municipality, SavedFilter
from portal.permissions import COUNCIL_SECRETARIES_GROUP, MODERATORS_GROUP, can_export

from .factories import OrganisationFactory, UserFactory, municipal_contact_user

pytestmark = pytest.mark.django_db

LOGIN = "login"
ROLES = [
    "anonymous",
    "editor of another association",
    "editor",
    "moderator",
    "council secretary",
    "municipal contact",
    "staff",
]


@pytest.fixture
def accounts():
    kuopio_association = OrganisationFactory(name="Kuopion Testiseura ry")
    iisalmi_association = OrganisationFactory(
        name="Iisalmen Testiseura ry", home_municipality=Municipality.objects.get(code="140")
    )
    editor = UserFactory()
    kuopio_association.editorships.create(user=editor)
    other_editor = UserFactory()
    iisalmi_association.editorships.create(user=other_editor)
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    secretary = UserFactory()
    secretary.groups.add(Group.objects.get(name=COUNCIL_SECRETARIES_GROUP))
    staff = UserFactory(is_staff=True)
    contact = municipal_contact_user("297")
    return {
        "anonymous": None,
        "editor of another association": other_editor,
        "editor": editor,
        "moderator": moderator,
        "council secretary": secretary,
        "municipal contact": contact,
        "staff": staff,
    }


ONLY_CONTACT = {"municipal contact": 200}
CASES = [
    ("export csv", "GET", lambda o: reverse("organisations:export", args=["csv"]), 403, ONLY_CONTACT),
    ("export xlsx", "GET", lambda o: reverse("organisations:export", args=["xlsx"]), 403, ONLY_CONTACT),
    ("export e-mails", "GET", lambda o: reverse("organisations:export", args=["emails"]), 403, ONLY_CONTACT),
    (
        "export with another municipality",
        "GET",
        lambda o: reverse("organisations:export", args=["csv"]) + "?kunta=140",
        403,
        {},
    ),
    ("contact's page", "GET", lambda o: reverse("organisations:contact_home"), 403, ONLY_CONTACT),
    (
        "save a filter",
        "POST",
        lambda o: reverse("organisations:saved_filter_create"),
        403,
        {"municipal contact": 302},
    ),
    (
        "remove the contact's filter",
        "POST",
        lambda o: reverse("organisations:saved_filter_remove", args=[o["saved_filter"].pk]),
        403,
        {"municipal contact": 302},
    ),
    ("import", "GET", lambda o: reverse("organisations:import"), 403, {"staff": 200}),
    (
        "import report",
        "GET",
        lambda o: reverse("organisations:import_batch", args=[o["batch"].pk]),
        403,
        {"staff": 200},
    ),
    ("public municipal contacts", "GET", lambda o: reverse("organisations:municipal_contacts"), 200, {}),
]


@pytest.fixture
def objects(accounts):
    saved_filter = SavedFilter.objects.create(user=accounts["municipal contact"], name="Kulttuuri", query_string="")
    batch = ImportBatch.objects.create(
        uploaded_by=accounts["staff"], file_name="lista.csv", content=b"nimi;kotikunta\n", report={}
    )
    return {"saved_filter": saved_filter, "batch": batch}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "default", "expect"), CASES, ids=[case[0] for case in CASES])
def test_permission_matrix(client, accounts, objects, role, name, method, url, default, expect):
    user = accounts[role]
    if user is not None:
        client.force_login(user)
    path = url(objects)
    response = client.post(path, {"name": "Uusi", "query_string": ""}) if method == "POST" else client.get(path)
    expected = LOGIN if role == "anonymous" and default != 200 else expect.get(role, default)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert response.status_code == expected
    if name.startswith("export") and expected != 200:
        assert ExportLog.objects.count() == 0


def test_can_export_only_with_a_municipal_scope(accounts):
    assert [role for role in ROLES[1:] if can_export(accounts[role])] == ["municipal contact"]


def test_a_contact_without_municipalities_or_an_inactive_account_cannot_export(client):
    user = municipal_contact_user()
    client.force_login(user)
    assert client.get(reverse("organisations:export", args=["csv"])).status_code == 403
    active = municipal_contact_user("297")
    active.is_active = False
    active.save()
    assert not can_export(active)


def test_another_accounts_saved_filter_is_not_found(client, accounts, objects):
    intruder = municipal_contact_user("140")
    client.force_login(intruder)
    response = client.post(reverse("organisations:saved_filter_remove", args=[objects["saved_filter"].pk]))
    assert response.status_code == 404
    assert SavedFilter.objects.filter(pk=objects["saved_filter"].pk).exists()


def test_another_staff_members_import_is_not_found(client, objects):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("organisations:import_batch", args=[objects["batch"].pk])).status_code == 404
    assert client.post(reverse("organisations:import_batch", args=[objects["batch"].pk])).status_code == 404
