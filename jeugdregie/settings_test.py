"""The test settings: production's, with the few differences a test run needs (pyproject.toml).

The test client speaks plain HTTP and logs in without a phone; tests/security turns 2FA and the
login throttle back on where it asserts them.
"""

import os

# Production refuses to start without a key; the tests have their own, never used elsewhere.
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-server")

from .settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
TWO_FACTOR_REQUIRED = False
AXES_ENABLED = False
# django-axes needs the request in authenticate(); the test client's login() does not pass one.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# Each test empties the cache (tests/conftest.py); on the shared Redis that would flush the broker's
# database too. The tests run in one process, so memory does; tests/reports/test_shared_cache.py
# exercises the Redis cache itself, up and down.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
