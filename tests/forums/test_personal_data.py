import pytest

from accounts.personal_data import personal_data_collect
from tests.organisations.factories import UserFactory

from .factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_download_my_data_lists_the_accounts_registrations_and_nobody_elses():
    user = UserFactory(email="oma@example.org")
    RegistrationFactory(email="OMA@example.org", needs="Kasvisruoka")
    RegistrationFactory(user=user, email="toinen.osoite@example.org")
    RegistrationFactory(email="vieras@example.org")
    section = personal_data_collect(user)["event_registrations"]
    assert sorted(row["email"] for row in section) == ["OMA@example.org", "toinen.osoite@example.org"]
    assert {row["needs"] for row in section} == {"Kasvisruoka", ""}
