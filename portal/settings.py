"""Settings for Järjestötori, read from the environment.

Unset variables fall back to an embedded default that is safe to run on a laptop: SQLite,
Celery tasks executed eagerly, e-mail printed to the console, DEBUG off.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from portal.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The insecure key only ever serves a DEBUG laptop; production refuses to start without one.
SECRET_KEY = os.environ.get("SECRET_KEY") or ("insecure-development-key" if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_filters",
    "csp",
    "simple_history",
    # Static files of the rich-text editor (portal/richtext.py); its own widget is not used.
    "django_prose_editor",
    "portal",
    "accounts",
    "organisations",
    "forums",
    "newsletter",
    "council",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
]

MIDDLEWARE = [
    # First: every later line, including the other middleware's log records, carries the id.
    "portal.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything that reads the database with the request's values (session, views).
    "portal.middleware.RejectNulCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PrivateCacheControlMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    # Axes last: it turns a lockout noticed during authentication into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL"):
    # psycopg's pool replaces persistent connections; the two cannot be combined.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN", "2")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX", "10")),
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that drops packets must not hold a request until the kernel gives up: the
    # page answers 503 instead (portal.views.server_error) and readiness reports it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Finnish first; Swedish is the other national language, English for newcomers.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Helsinki"
# Dates in Swedish and English as written in Finland (day first), not Sweden's ISO or US order.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Production serves hashed, compressed files collected by `collectstatic`; development and tests
# serve straight from the source folders.
STATIC_FROM_SOURCE = env_bool("STATIC_FROM_SOURCE", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if STATIC_FROM_SOURCE
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = STATIC_FROM_SOURCE
WHITENOISE_AUTOREFRESH = STATIC_FROM_SOURCE
# Files served at the site's root: browsers and feed readers ask for /favicon.ico regardless.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
# Reject oversized uploads before they reach a form (a logo is at most a few megabytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Which regions (maakunta codes) this deployment serves: its directory, municipality pages and
# sitemap cover these. Pohjois-Savo (11) and Etelä-Savo (10) by default.
PORTAL_REGIONS = env_list("PORTAL_REGIONS", "11,10")
PORTAL_NAME = os.environ.get("PORTAL_NAME", "Järjestötori")
# Finnish base forms and compound parts in search (Debian's voikko-fi); off or missing: prefix matching.
SEARCH_USE_VOIKKO = env_bool("SEARCH_USE_VOIKKO", True)
# A search that finds at least this many associations has its matches kept from then on
# (organisations/search/tracked.py); at most TRACKED_SEARCHES_MAX such searches, each dropped
# after TRACKED_SEARCH_UNUSED_DAYS without use.
TRACKED_SEARCH_MIN_MATCHES = int(os.environ.get("TRACKED_SEARCH_MIN_MATCHES", "1000"))
TRACKED_SEARCHES_MAX = int(os.environ.get("TRACKED_SEARCHES_MAX", "200"))
TRACKED_SEARCH_UNUSED_DAYS = int(os.environ.get("TRACKED_SEARCH_UNUSED_DAYS", "30"))

REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache is an accelerator: with Redis unreachable pages compute what they would have read
# (portal/cache.py). Sessions live in the database (Django's default engine), not in Redis.
CACHES = {
    "default": (
        {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A worker that dies mid-task must not lose it: acknowledge only after the task finished.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Publishing a task happens inside requests: with Redis unreachable give up within about a second
# (the outbox keeps the message and its sweep sends it later) instead of retrying for ever.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
}
# The worker logs through LOGGING below (JSON when asked, with the request id), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Readiness asks the workers for a ping and waits this long for the first answer.
READINESS_WORKER_PING_TIMEOUT = float(os.environ.get("READINESS_WORKER_PING_TIMEOUT", "1.0"))
CELERY_BEAT_SCHEDULE: dict = {
    "purge-sign-in-records": {"task": "accounts.tasks.purge_sign_in_records_task", "schedule": 24 * 60 * 60},
    "organisations-confirmation-reminders": {
        "task": "organisations.tasks.send_confirmation_reminders_task",
        # Once a day, in the morning: the task itself decides which listings are due.
        "schedule": crontab(hour=7, minute=30),
    },
    # The directory's search index: repair entries a write outside the services left out of step.
    "organisations-repair-search-index": {
        "task": "organisations.tasks.repair_search_index_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # The outbox: send what the immediate task did not (lost Celery message, broker down, retries
    # due) and flag rows a dead worker left in flight; purge old sent rows nightly.
    "outbox-sweep": {"task": "portal.tasks.outbox_sweep_task", "schedule": 60},
    "outbox-purge": {"task": "portal.tasks.outbox_purge_task", "schedule": crontab(hour=3, minute=40)},
    "forums-event-reminders": {
        "task": "forums.tasks.send_event_reminders_task",
        # Hourly: each confirmed registrant is reminded once, EVENT_REMINDER_HOURS before the start.
        "schedule": crontab(minute=5),
    },
    "forums-purge-registration-needs": {
        "task": "forums.tasks.purge_registration_needs_task",
        "schedule": crontab(hour=3, minute=50),
    },
    # The newsletter: start scheduled issues that are due, recover what a dead worker left, finish.
    "newsletter-sweep": {"task": "newsletter.tasks.newsletter_sweep_task", "schedule": 60},
    "newsletter-bounces": {"task": "newsletter.tasks.newsletter_read_bounces_task", "schedule": 5 * 60},
    # Staff imports: queue again the jobs whose Celery message was lost (broker down or restarted).
    "organisations-import-jobs-requeue": {"task": "organisations.tasks.import_jobs_requeue_task", "schedule": 60},
}

# Events: reminders go out this many hours before the start; registrants' needs (diet,
# accessibility) are deleted this many days after the end; registrations per client address and hour.
EVENT_REMINDER_HOURS = int(os.environ.get("EVENT_REMINDER_HOURS", "48"))
EVENT_NEEDS_RETENTION_DAYS = int(os.environ.get("EVENT_NEEDS_RETENTION_DAYS", "30"))
EVENT_REGISTRATIONS_PER_HOUR = int(os.environ.get("EVENT_REGISTRATIONS_PER_HOUR", "20"))
EVENT_CANCELLATION_LINK_MAX_AGE_DAYS = int(os.environ.get("EVENT_CANCELLATION_LINK_MAX_AGE_DAYS", "400"))

# Keeping listings current: editors are asked to confirm their listing this often, reminded after
# the given numbers of days, and a listing unconfirmed for longer than the stale limit is flagged.
ORGANISATION_CONFIRMATION_INTERVAL_DAYS = int(os.environ.get("ORGANISATION_CONFIRMATION_INTERVAL_DAYS", "365"))
ORGANISATION_CONFIRMATION_REMINDER_DAYS = [
    int(day) for day in env_list("ORGANISATION_CONFIRMATION_REMINDER_DAYS", "0,14,30")
]
ORGANISATION_CONFIRMATION_LINK_MAX_AGE_DAYS = int(os.environ.get("ORGANISATION_CONFIRMATION_LINK_MAX_AGE_DAYS", "60"))
ORGANISATION_STALE_AFTER_DAYS = int(os.environ.get("ORGANISATION_STALE_AFTER_DAYS", "730"))
ORGANISATION_INVITATION_VALID_DAYS = int(os.environ.get("ORGANISATION_INVITATION_VALID_DAYS", "14"))
# Residents' reports of outdated listings, per client address and hour.
ORGANISATION_REPORTS_PER_HOUR = int(os.environ.get("ORGANISATION_REPORTS_PER_HOUR", "5"))

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
# The e-mail outbox (portal/outbox.py): a queued message not sent by its immediate task is sent by
# the sweep after OUTBOX_SWEEP_AFTER_SECONDS; temporary failures retry with a back-off starting at
# OUTBOX_RETRY_BACKOFF_SECONDS (doubling, at most an hour) up to OUTBOX_MAX_ATTEMPTS; a row left
# "sending" for OUTBOX_SENDING_TIMEOUT_MINUTES becomes "unknown"; sent rows are kept
# OUTBOX_RETENTION_DAYS.
OUTBOX_SWEEP_AFTER_SECONDS = int(os.environ.get("OUTBOX_SWEEP_AFTER_SECONDS", "120"))
OUTBOX_RETRY_BACKOFF_SECONDS = int(os.environ.get("OUTBOX_RETRY_BACKOFF_SECONDS", "60"))
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "10"))
OUTBOX_SENDING_TIMEOUT_MINUTES = int(os.environ.get("OUTBOX_SENDING_TIMEOUT_MINUTES", "10"))
OUTBOX_BATCH_SIZE = int(os.environ.get("OUTBOX_BATCH_SIZE", "100"))
OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "30"))
# Staff imports (organisations/services/imports.py) run in a Celery worker that reports progress
# every few hundred rows; a running job silent for IMPORT_STALLED_AFTER_SECONDS is shown as stalled
# with a retry button (its worker died: its transaction was rolled back, nothing was written).
IMPORT_STALLED_AFTER_SECONDS = int(os.environ.get("IMPORT_STALLED_AFTER_SECONDS", "300"))
# A job still queued this long after it was created lost its Celery message: beat queues it again.
IMPORT_REQUEUE_AFTER_SECONDS = int(os.environ.get("IMPORT_REQUEUE_AFTER_SECONDS", "120"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Järjestötori <noreply@jarjestotori.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The newsletter (newsletter/services_sending.py): messages per Celery batch (one SMTP connection
# each), an optional rate limit of batches per worker ("10/s", "600/m"), when a claimed but untried
# row of a dead worker is taken back, and how many permanent failures suspend a subscription.
NEWSLETTER_FROM_EMAIL = os.environ.get("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
NEWSLETTER_LIST_NAME = os.environ.get("NEWSLETTER_LIST_NAME", "Jarjestotori newsletter")
NEWSLETTER_LIST_ID = os.environ.get("NEWSLETTER_LIST_ID", "newsletter.jarjestotori.example")
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", "200"))
NEWSLETTER_BATCH_RATE_LIMIT = os.environ.get("NEWSLETTER_BATCH_RATE_LIMIT", "")
NEWSLETTER_CLAIM_TIMEOUT_SECONDS = int(os.environ.get("NEWSLETTER_CLAIM_TIMEOUT_SECONDS", "300"))
NEWSLETTER_SUSPEND_AFTER_HARD_FAILURES = int(os.environ.get("NEWSLETTER_SUSPEND_AFTER_HARD_FAILURES", "3"))
NEWSLETTER_CONFIRMATION_MAX_AGE_DAYS = int(os.environ.get("NEWSLETTER_CONFIRMATION_MAX_AGE_DAYS", "7"))
NEWSLETTER_SUBSCRIBE_PER_HOUR = int(os.environ.get("NEWSLETTER_SUBSCRIBE_PER_HOUR", "10"))
# The bounce mailbox (delivery status notifications), read every five minutes: a Maildir on this
# machine, or an IMAP folder over TLS. Neither set: bounces are not read.
# NEWSLETTER_BOUNCE_ADDRESS (e.g. bounces@jarjestotori.example, its domain's mail delivered to that
# mailbox with "+" addresses): each message's envelope sender becomes bounces+<id>-<signature>@….
NEWSLETTER_BOUNCE_ADDRESS = os.environ.get("NEWSLETTER_BOUNCE_ADDRESS", "")
NEWSLETTER_BOUNCE_MAILDIR = os.environ.get("NEWSLETTER_BOUNCE_MAILDIR", "")
NEWSLETTER_BOUNCE_IMAP_HOST = os.environ.get("NEWSLETTER_BOUNCE_IMAP_HOST", "")
NEWSLETTER_BOUNCE_IMAP_PORT = int(os.environ.get("NEWSLETTER_BOUNCE_IMAP_PORT", "993"))
NEWSLETTER_BOUNCE_IMAP_USER = os.environ.get("NEWSLETTER_BOUNCE_IMAP_USER", "")
NEWSLETTER_BOUNCE_IMAP_PASSWORD = os.environ.get("NEWSLETTER_BOUNCE_IMAP_PASSWORD", "")
NEWSLETTER_BOUNCE_IMAP_FOLDER = os.environ.get("NEWSLETTER_BOUNCE_IMAP_FOLDER", "INBOX")

# Behind a TLS-terminating proxy (or a chain of them, e.g. a CDN and a load balancer) the socket's
# address is the nearest proxy's: the visitor's address is read from X-Forwarded-For, counting this
# many trusted proxies from its right end (portal.client_address). Not behind a proxy, the header
# is a client's claim and is never read.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if BEHIND_PROXY else "0"))

# Security: production defaults are strict; DEBUG or an explicit variable relaxes them.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = []

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# One line per request and per task; LOG_FORMAT=json for a log collector, readable text otherwise.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = logging_config(log_format=LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "WARNING"))

# Optional error reporting. Personal data (addresses, cookies, user ids) stays out of the reports.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

# Accounts (django-allauth): e-mail only, verified before the first login, never revealing whether
# an address is registered.
AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out client is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:overview"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    # Sign-up does the same work for a registered address as for a new one; password re-checks
    # (e-mail change, password change, account deletion) are throttled like login.
    "signup": "accounts.forms.SignupForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
    "change_password": "accounts.forms.ChangePasswordForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Opening the verification link in the browser that signed up signs the new user in (allauth
# checks the sign-up is pending in that same session); from any other browser, they log in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# One address per account; changing it asks for the password again and notifies the old address.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# allauth's own rate limits (login failures, sign-ups, reset mails per address) stay at their
# defaults; django-axes adds a lockout that survives restarts and is shared by all workers.
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = PORTAL_NAME
# Accept the neighbouring 30-second code too (RFC 6238 recommends one step): phone clocks drift,
# and a code typed as the window turns must not fail.
MFA_TOTP_TOLERANCE = 1

# Brute-force protection (django-axes): five wrong passwords for one address from one client lock
# that pair out for 30 minutes. allauth's login form authenticates with an ``email`` credential.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "email"
# Sign-in records are personal data: purged nightly after this many days (accounts.tasks).
SIGN_IN_RECORD_RETENTION_DAYS = int(os.environ.get("SIGN_IN_RECORD_RETENTION_DAYS", "90"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# One derivation of the visitor's address for the lockout, the rate limits and the audit log.
AXES_CLIENT_IP_CALLABLE = "portal.client_address.client_address"

# The association council: meeting attachments' size limit, and how few voters in a seat make the
# results page warn that totals can reveal individual choices.
COUNCIL_ATTACHMENT_MAX_BYTES = int(os.environ.get("COUNCIL_ATTACHMENT_MAX_MB", "10")) * 1024 * 1024
COUNCIL_SMALL_SEAT_VOTERS = int(os.environ.get("COUNCIL_SMALL_SEAT_VOTERS", "5"))
