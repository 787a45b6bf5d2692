import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Finnish: a request to /sv/… leaves Swedish active in the test's thread."""
    from django.utils import translation

    translation.activate("fi")
    yield
    translation.activate("fi")
