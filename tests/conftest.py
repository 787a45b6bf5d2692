import pytest

from tests.mail.fixtures import celery_worker, smtp_sink  # noqa: F401  (fixtures for the whole suite)
from tests.roles import association, login_as, other_association, role_user  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
