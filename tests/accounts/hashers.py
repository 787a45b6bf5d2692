"""A password hasher that counts its work, registered in settings by the tests that need it."""

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingPasswordHasher(MD5PasswordHasher):
    """Django's MD5 hasher (fast), counting every hash it computes: making one or checking one."""

    algorithm = "counting_md5"
    computed = 0

    def encode(self, password, salt):
        type(self).computed += 1
        return super().encode(password, salt)
