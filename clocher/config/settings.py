"""Settings for Clocher, read from the environment (12-factor) with safe embedded defaults.

Everything a deployment changes comes from an environment variable; nothing here is meant to be
edited by hand. Without any variable, Clocher runs on an embedded SQLite database in ``var/`` with
in-process background workers, and generates its secrets in ``var/secrets/`` on first start.
See ``docs/configuration.md`` for the full list.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from clocher.config.environment import env_bool, env_list, env_str, local_secret

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("CLOCHER_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()

DEBUG = env_bool("CLOCHER_DEBUG", False)
TESTING = env_bool("CLOCHER_TESTING", False)

SECRET_KEY = env_str("CLOCHER_SECRET_KEY", "") or local_secret(DATA_DIR, "secret_key")
ALLOWED_HOSTS = env_list("CLOCHER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CLOCHER_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("CLOCHER_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "clocher.core",
    "clocher.tenancy",
    "clocher.accounts",
    "clocher.portal",
    "clocher.backoffice",
    "clocher.console",
    "clocher.demarches",
    "clocher.iot",
    "clocher.cimetiere",
    "clocher.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clocher.core.context.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clocher.core.security_headers.SecurityHeadersMiddleware",
    "clocher.tenancy.middleware.CommuneScopeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clocher.config.urls"
WSGI_APPLICATION = "clocher.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clocher.tenancy.context_processors.commune",
                "clocher.backoffice.context_processors.staff_modules",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
DATA_DIR.mkdir(parents=True, exist_ok=True)
_default_sqlite = f"sqlite:///{DATA_DIR / 'clocher.sqlite3'}"
# Seconds a web or worker thread keeps its database connection between requests. Opening a
# PostgreSQL connection costs more than a simple request: keep them (checked before reuse).
_conn_max_age = int(env_str("CLOCHER_DATABASE_CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_sqlite),
        conn_max_age=_conn_max_age,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-clocher.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:after-login"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10
SESSION_COOKIE_SECURE = env_bool("CLOCHER_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
OTP_TOTP_ISSUER = env_str("CLOCHER_OTP_ISSUER", "Clocher")

# Brute-force lockout (django-axes): after 5 failures for one account from one address,
# the account is locked for that address for 15 minutes.
AXES_FAILURE_LIMIT = int(env_str("CLOCHER_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(env_str("CLOCHER_LOCKOUT_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "clocher.accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("CLOCHER_LOCKOUT_ENABLED", True)

# Citizen magic links.
MAGIC_LINK_MAX_AGE = int(env_str("CLOCHER_MAGIC_LINK_MINUTES", "20")) * 60
# At most this many links per address and commune in an hour (counted in the default cache).
MAGIC_LINK_RATE_LIMIT = int(env_str("CLOCHER_MAGIC_LINK_PER_HOUR", "5"))

# OpenID Connect (FranceConnect for citizens, ProConnect for staff). A provider is enabled when
# its discovery URL is set. See docs/configuration.md.
OIDC_PROVIDERS: dict[str, dict[str, str]] = {}
for _name, _label in (("proconnect", "ProConnect"), ("franceconnect", "FranceConnect")):
    _prefix = f"CLOCHER_OIDC_{_name.upper()}_"
    if env_str(_prefix + "DISCOVERY_URL", ""):
        OIDC_PROVIDERS[_name] = {
            "label": env_str(_prefix + "LABEL", _label),
            "discovery_url": env_str(_prefix + "DISCOVERY_URL", ""),
            "client_id": env_str(_prefix + "CLIENT_ID", ""),
            "client_secret": env_str(_prefix + "CLIENT_SECRET", ""),
            "scope": env_str(_prefix + "SCOPE", "openid email given_name usual_name"),
            "audience": "staff" if _name == "proconnect" else "citizen",
        }

# --- Vault (per-commune envelope encryption) ----------------------------------------------------
# The key-encryption keys (KEK) never live in the database. CLOCHER_KEK_FILE points to a key ring
# file (one "key-id:base64-key" per line, the first line is the active key); CLOCHER_KEK holds
# the same content inline. Without either, a key ring is generated in var/secrets/ on first use.
VAULT_KEK = env_str("CLOCHER_KEK", "")
VAULT_KEK_FILE = env_str("CLOCHER_KEK_FILE", str(DATA_DIR / "secrets" / "kek.keyring"))

# --- Files ------------------------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("CLOCHER_MEDIA_ROOT", str(DATA_DIR / "files")))
MEDIA_URL = "/files/"
UPLOAD_MAX_BYTES = int(env_str("CLOCHER_UPLOAD_MAX_MB", "20")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from it after `collectstatic`
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
BACKUP_DIR = Path(env_str("CLOCHER_BACKUP_DIR", str(DATA_DIR / "backups")))
# Backups are encrypted with a key derived from the active KEK, or from this key when set
# (any long random string; keep it with the key ring, outside the backups).
BACKUP_KEY = env_str("CLOCHER_BACKUP_KEY", "")

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Mail -------------------------------------------------------------------------------------
_email_url = env_str("CLOCHER_EMAIL_URL", "")
DEFAULT_FROM_EMAIL = env_str(
    "CLOCHER_DEFAULT_FROM_EMAIL", "Clocher <ne-pas-repondre@clocher.localhost>"
)
if _email_url:
    from urllib.parse import unquote, urlparse

    _mail = urlparse(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp+starttls"
    EMAIL_USE_SSL = _mail.scheme == "smtps"
else:
    # No mail server configured: messages are written as files the operator can read.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "outbox")

# --- API --------------------------------------------------------------------------------------
# Requests allowed per API key, and per address for calls without a key ("N/s|min|hour|day").
API_RATE_LIMIT_KEY = env_str("CLOCHER_API_RATE_LIMIT_KEY", "600/min")
API_RATE_LIMIT_ANONYMOUS = env_str("CLOCHER_API_RATE_LIMIT_ANONYMOUS", "120/min")

# --- Background work --------------------------------------------------------------------------
# Embedded default: tasks are stored in the database and run by `clocher worker` (started by
# `clocher run`). CLOCHER_TASKS_BACKEND=rq with CLOCHER_REDIS_URL runs them on Redis instead.
_tasks_backend = env_str("CLOCHER_TASKS_BACKEND", "database")
if _tasks_backend == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]  # django_rq brings `clocher rqworker`
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": env_str("CLOCHER_REDIS_URL", "redis://127.0.0.1:6379/0")}}
elif _tasks_backend == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_HEARTBEAT_SECONDS = int(env_str("CLOCHER_WORKER_HEARTBEAT_SECONDS", "10"))
# SMS provider of the IoT alerts: dotted path of a class with send_messages(messages) (see
# clocher/iot/services/notifications.py). Default: messages written to <data dir>/sms-outbox/.
SMS_BACKEND = env_str("CLOCHER_SMS_BACKEND", "clocher.iot.services.notifications.OutboxSmsBackend")
# Broker of `clocher iot-ingest` (mqtt://user:pass@host:1883, mqtts://…); empty: not used.
IOT_MQTT_URL = env_str("CLOCHER_IOT_MQTT_URL", "")
# Raw uplinks (and rejected messages) are removed after this many days; measurements and
# roll-ups stay. On PostgreSQL whole monthly partitions are dropped (docs/operations.md).
IOT_RAW_RETENTION_DAYS = int(env_str("CLOCHER_IOT_RAW_RETENTION_DAYS", "90"))
# Bodies of requests whose integration token was refused (anyone can send them) kept over the
# last hour, per client network (/24, /48) and in all; beyond, they are only counted.
IOT_REFUSED_BODIES_PER_SOURCE_PER_HOUR = int(
    env_str("CLOCHER_IOT_REFUSED_BODIES_PER_SOURCE_PER_HOUR", "20")
)
IOT_REFUSED_BODIES_PER_HOUR = int(env_str("CLOCHER_IOT_REFUSED_BODIES_PER_HOUR", "100"))
# Remote control (downlinks): the broker commands are published to (default: the ingestion
# broker), another one for The Things Stack if it differs, and the safety limits.
IOT_DOWNLINK_MQTT_URL = env_str("CLOCHER_IOT_DOWNLINK_MQTT_URL", "")
IOT_TTS_DOWNLINK_MQTT_URL = env_str("CLOCHER_IOT_TTS_DOWNLINK_MQTT_URL", "")
IOT_COMMANDS_PER_DEVICE_PER_MINUTE = int(env_str("CLOCHER_IOT_COMMANDS_PER_DEVICE_PER_MINUTE", "3"))
IOT_COMMANDS_PER_USER_PER_MINUTE = int(env_str("CLOCHER_IOT_COMMANDS_PER_USER_PER_MINUTE", "20"))
IOT_COMMAND_MAX_ATTEMPTS = int(env_str("CLOCHER_IOT_COMMAND_MAX_ATTEMPTS", "5"))
IOT_COMMAND_LIFETIME_MINUTES = int(env_str("CLOCHER_IOT_COMMAND_LIFETIME_MINUTES", "15"))

# --- Security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("CLOCHER_BEHIND_TLS_PROXY", False) else None
)

# --- Logging (structured JSON lines on stderr) ------------------------------------------------
LOG_FORMAT = env_str("CLOCHER_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "clocher.core.context.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["stderr"], "level": env_str("CLOCHER_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

os.environ.setdefault("NINJA_SKIP_REGISTRY", "1")
