import pytest

from accounts.personal_data import personal_data_collect
from tests.roles import verified_user

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_download_my_data_includes_the_subscription_and_its_consent():
    user = verified_user(email="lukija@example.org")
    assert personal_data_collect(user)["newsletter"] is None
    SubscriberFactory(email="Lukija@example.org", language="sv")
    section = personal_data_collect(user)["newsletter"]
    assert section["email"] == "lukija@example.org" and section["language"] == "sv"
    assert section["status"] == "confirmed" and section["consent_confirmed_at"]
    assert "unsubscribe" in section["consent_wording"]
