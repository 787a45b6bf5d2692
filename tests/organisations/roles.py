"""Accounts for the self-service service tests (tests/roles.py has one per role, signed in)."""

from django.contrib.auth.models import Group

from organisations.models import Editorship, Organisation
from portal.permissions import MODERATORS_GROUP

from .factories import UserFactory


def make_editor(organisation: Organisation, **kwargs):
    user = UserFactory(**kwargs)
    Editorship.objects.create(organisation=organisation, user=user)
    return user


def make_moderator(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


def make_staff(**kwargs):
    return UserFactory(is_staff=True, **kwargs)
