"""Settings for the test suite: fast hashing, local caches, no outside effects."""

import atexit
import shutil
import tempfile
from pathlib import Path

from histsite.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The API's rate limit is tested on its own (tests/test_api.py); the fuzz and
# schema tests send hundreds of requests a minute from one address.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"},
}
# Files written by tests (pictures, and the ones loadcontent installs from
# fixtures/media/) go to a directory of the run's own, removed at the end.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="histsite-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
