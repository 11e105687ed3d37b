"""Settings for the test suite: the real settings, with a fixed test key ring and fast hashing.

``make test`` runs the suite once on SQLite and, when ``CLOCHER_TEST_DATABASE_URL`` is set, once
more on that PostgreSQL database (``CLOCHER_TEST_BACKEND=postgres``).
"""

import os
from pathlib import Path

_root = Path(__file__).resolve().parent.parent.parent
os.environ.setdefault("CLOCHER_TESTING", "1")
os.environ.setdefault("CLOCHER_DATA_DIR", str(_root / "var" / "test"))
os.environ.setdefault("CLOCHER_LOG_LEVEL", "WARNING")
# Many tests call the API from one address: rate limits are tested with override_settings.
os.environ.setdefault("CLOCHER_API_RATE_LIMIT_ANONYMOUS", "100000/min")
os.environ.setdefault("CLOCHER_API_RATE_LIMIT_KEY", "100000/min")
# A fixed, test-only key ring (never used outside tests).
os.environ.setdefault("CLOCHER_KEK", "test-kek-1:dGVzdC1vbmx5LWtlay0xLS0tLS0tLS0tLS0tLS0tLS0=")
if os.environ.get("CLOCHER_TEST_BACKEND") == "postgres":
    os.environ["DATABASE_URL"] = os.environ["CLOCHER_TEST_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)

from clocher.config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Each pytest-xdist worker keeps its files apart (its own database already): a test comparing the
# files on disk before and after an operation must not see another worker's, nor a restore test
# replace them. Subprocesses started by tests receive the folder in CLOCHER_MEDIA_ROOT.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _xdist_worker and "CLOCHER_MEDIA_ROOT" not in os.environ:
    MEDIA_ROOT = MEDIA_ROOT / _xdist_worker  # noqa: F405
