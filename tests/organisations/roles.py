"""Accounts in each role of the portal, for the self-service tests."""

from django.contrib.auth.models import Group

from organisations.models import Editorship, MunicipalContact, Municipality, Organisation
from portal.permissions import COUNCIL_SECRETARIES_GROUP, MODERATORS_GROUP

from .factories import UserFactory


def make_editor(organisation: Organisation, **kwargs):
    user = UserFactory(**kwargs)
    Editorship.objects.create(organisation=organisation, user=user)
    return user


def make_moderator(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


def make_council_secretary(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=COUNCIL_SECRETARIES_GROUP))
    return user


def make_municipal_contact(municipality_code: str = "297", **kwargs):
    user = UserFactory(**kwargs)
    contact = MunicipalContact.objects.create(name="Testi Yhteyshenkilö", user=user)
    contact.municipalities.add(Municipality.objects.get(code=municipality_code))
    return user


def make_staff(**kwargs):
    return UserFactory(is_staff=True, **kwargs)
