import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from organisations.models import Editorship
from portal.permissions import (
    handles_personal_data,
    organisations_needing_another_editor,
    requires_capability,
)
from tests.organisations.factories import OrganisationFactory
from tests.roles import verified_user

pytestmark = pytest.mark.django_db


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
