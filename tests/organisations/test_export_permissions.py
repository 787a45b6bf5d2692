"""Exports, saved filters and imports against every role, for what the shared matrix (GET only,
tests/test_permission_matrix.py) does not cover: writes, another account's objects, and the
promise that a refused export leaves no trace in the log.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from organisations.models import ExportLog, ImportBatch, SavedFilter
from portal.permissions import can_export
from tests.roles import ROLES, add_totp, login_with_totp, verified_user

from .factories import municipal_contact_user

pytestmark = pytest.mark.django_db

LOGIN = "login"


@pytest.fixture
def objects(role_user):
    saved_filter = SavedFilter.objects.create(user=role_user("municipal_contact"), name="Kulttuuri")
    batch = ImportBatch.objects.create(uploaded_by=role_user("staff"), file_name="lista.csv", content=b"nimi\n")
    return {"saved_filter": saved_filter, "batch": batch}


CASES = [
    (
        "GET",
        lambda o: reverse("organisations:export", args=["csv"]) + "?toimiala=kulttuuri",
        {"municipal_contact": 200},
    ),
    ("GET", lambda o: reverse("organisations:export", args=["emails"]) + "?kunta=297", {"municipal_contact": 200}),
    ("GET", lambda o: reverse("organisations:export", args=["xlsx"]) + "?kunta=297&kunta=140", {}),
    ("POST", lambda o: reverse("organisations:saved_filter_create"), {"municipal_contact": 302}),
    (
        "POST",
        lambda o: reverse("organisations:saved_filter_remove", args=[o["saved_filter"].pk]),
        {"municipal_contact": 302},
    ),
    ("GET", lambda o: reverse("organisations:import_batch", args=[o["batch"].pk]), {"staff": 200}),
    ("POST", lambda o: reverse("organisations:import"), {"staff": 200}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "expect"), CASES)
def test_who_may_export_keep_filters_and_import(client, login_as, objects, role, method, url, expect):
    login_as(client, role)
    path = url(objects)
    response = client.post(path, {"name": "Uusi", "query_string": ""}) if method == "POST" else client.get(path)
    expected = LOGIN if role == "anonymous" else expect.get(role, 403)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert response.status_code == expected, (role, response.status_code)
    if "vienti" in path and expected != 200:
        assert ExportLog.objects.count() == 0


def test_only_an_account_with_a_municipal_scope_may_export(role_user):
    assert [role for role in ROLES[1:] if can_export(role_user(role))] == ["municipal_contact"]


def test_a_contact_without_municipalities_or_an_inactive_account_cannot_export(client):
    client.force_login(municipal_contact_user())
    assert client.get(reverse("organisations:export", args=["csv"])).status_code == 403
    inactive = municipal_contact_user("297")
    inactive.is_active = False
    inactive.save()
    assert not can_export(inactive)


def test_another_accounts_saved_filter_is_not_found(client, objects):
    client.force_login(municipal_contact_user("140"))
    response = client.post(reverse("organisations:saved_filter_remove", args=[objects["saved_filter"].pk]))
    assert response.status_code == 404
    assert SavedFilter.objects.filter(pk=objects["saved_filter"].pk).exists()


def test_another_staff_members_import_is_not_found(client, objects):
    other = verified_user(is_staff=True)
    login_with_totp(client, other, add_totp(other))
    assert client.get(reverse("organisations:import_batch", args=[objects["batch"].pk])).status_code == 404
    assert client.post(reverse("organisations:import_batch", args=[objects["batch"].pk])).status_code == 404
    objects["batch"].refresh_from_db()
    assert objects["batch"].status == ImportBatch.Status.CHECKED


def test_staff_without_the_second_factor_reach_no_import_page(client, role_user):
    client.force_login(role_user("staff"))
    response = client.get(reverse("organisations:import"))
    assert response.status_code == 302
    assert "next=" in response["Location"]
