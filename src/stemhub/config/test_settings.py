"""Settings for the test suite: the real settings with a test secret and a fast password hash."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

from stemhub.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each test process keeps its own cache (the shared file cache would carry counts from one run
# to the next); the tests of the worker and of Redis choose theirs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
