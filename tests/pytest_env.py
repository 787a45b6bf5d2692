"""Loaded by pytest before Django (``-p tests.pytest_env``): the environment tests run in.

Tests run against the real PostgreSQL on the machine; CI (``.ci/run``) and the README's test
command both go through here. Variables already set in the environment win.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jarjestotori")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("STATIC_FROM_SOURCE", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
