"""Felles settings: every value comes from the environment (see .env.example).

Defaults suit a developer's machine. With DEBUG off the process refuses to start
without a real SECRET_KEY, and cookies, HSTS and redirects turn strict.
"""

import ipaddress
import sys
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(env("ENV_FILE", default=str(BASE_DIR / ".env")))

# Where a node keeps its local files (the embedded database, the demo's keys); one per checkout by default.
VAR_DIR = Path(env("FELLES_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)

DEVELOPMENT_SECRET_KEY = "felles-development-only-not-a-secret"
SECRET_KEY = env("SECRET_KEY", default="") or DEVELOPMENT_SECRET_KEY
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    sys.exit(
        "Felles refuses to start: DEBUG is off and SECRET_KEY is missing or the "
        "development default; set SECRET_KEY in the environment or .env."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "core",
    "folkeregister",
    "virksomheter",
    "minid",
    "idporten",
    "maskinporten",
    "kontaktregister",
    "postkasse",
    "saksarkiv",
    "smartkort",
    "signering",
    "eformidling",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "idporten.frontchannel.FrontchannelLogoutMiddleware",  # CSP frame-src for owed logout frames
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.felles",
                "idporten.frontchannel.owed_frontchannel_logout",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'felles.sqlite3'}"),
}
# Keep connections between requests and between a worker's tasks (checked before reuse).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the task worker share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "core.hashers.Argon2PasswordHasher",  # Django's, with the cost below
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Argon2id's cost per password check (Django's defaults); a change rehashes each password at its next login.
ARGON2_TIME_COST = env.int("ARGON2_TIME_COST", default=2)
ARGON2_MEMORY_COST = env.int("ARGON2_MEMORY_COST", default=102400)  # KiB
ARGON2_PARALLELISM = env.int("ARGON2_PARALLELISM", default=8)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language: Norwegian Bokmål unless the citizen picks Nynorsk or English.
LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "felles_language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Never served over HTTP: letters with one-time codes and other personal documents.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")),
            "base_url": None,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# Front-end and data packages installed by npm (see package.json).
NODE_MODULES_DIR = Path(env("NODE_MODULES_DIR", default=str(BASE_DIR / "node_modules")))

# Security defaults: strict outside development.
SESSION_ENGINE = "core.sessions"  # the database store, with fewer statements per login
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies (addresses or networks) whose X-Forwarded-For is believed: without them every citizen
# behind the TLS proxy would share the proxy's address, and the limits per address with it.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
try:
    [ipaddress.ip_network(value, strict=False) for value in TRUSTED_PROXIES]
except ValueError as error:
    sys.exit(f"Felles refuses to start: TRUSTED_PROXIES holds something that is not an address: {error}")
X_FRAME_OPTIONS = "DENY"
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

# Background work: the Django tasks API with the database backend, so every
# worker (`manage.py db_worker`) on every machine shares one queue.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}
# `manage.py purge_expired` deletes finished task results older than this.
TASK_RESULTS_KEPT_DAYS = env.int("TASK_RESULTS_KEPT_DAYS", default=14)

# Outbound messages.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Felles <ikke-svar@felles.localhost>")
SMS_BACKEND = env("SMS_BACKEND", default="core.sms.backends.database.OutboxBackend")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER = env("SMS_SENDER", default="Felles")
PHONE_DEFAULT_REGION = "NO"

# The organisation that runs this Felles installation: it owns Felles' own ID-porten clients
# (the contact register's self-service, the digital mailbox).
FELLES_OPERATOR = {
    "organisasjonsnummer": env("FELLES_OPERATOR_ORGANISASJONSNUMMER", default="991825827"),
    "name": env("FELLES_OPERATOR_NAME", default="Digitaliseringsdirektoratet"),
    # Named as data controller on MinID's consent page and the privacy statement, and as the
    # citizens' support on the help pages.
    "address": env("FELLES_OPERATOR_ADDRESS", default="Postboks 1382 Vika, 0114 Oslo"),
    "support_phone": env("FELLES_OPERATOR_SUPPORT_PHONE", default="800 30 300"),
    "support_email": env("FELLES_OPERATOR_SUPPORT_EMAIL", default="servicedesk@digdir.no"),
}

# Kontaktregisteret: how long contact information counts as confirmed before the citizen is
# asked to confirm it again (the real register: 18 months), and how long a change code lives.
KRR_CONFIRM_AFTER_DAYS = env.int("KRR_CONFIRM_AFTER_DAYS", default=548)
KRR_CODE_TTL_SECONDS = 900
KRR_CODE_MAX_ATTEMPTS = 5
KRR_CODES_PER_HOUR = 5  # codes sent to one person, mobile and e-mail together

# Sikker digital post: Felles' intake key pair (letters are encrypted to it from acceptance until
# routing). Kept in the database for every node, the private key encrypted with
# POSTKASSE_KEY_ENCRYPTION_KEY (Fernet; derived from SECRET_KEY when empty); from these files instead
# when both are set (made there on first use when neither exists). Size limits and delivery retries.
POSTKASSE_INTAKE_CERTIFICATE_FILE = env("POSTKASSE_INTAKE_CERTIFICATE_FILE", default="")
POSTKASSE_INTAKE_KEY_FILE = env("POSTKASSE_INTAKE_KEY_FILE", default="")
POSTKASSE_KEY_ENCRYPTION_KEY = env("POSTKASSE_KEY_ENCRYPTION_KEY", default="")
POSTKASSE_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
POSTKASSE_MAX_LETTER_BYTES = 30 * 1024 * 1024
POSTKASSE_MAX_DOCUMENTS = 20
POSTKASSE_DELIVERY_ATTEMPTS = env.int("POSTKASSE_DELIVERY_ATTEMPTS", default=6)
# Where citizens read their letters, as written in notifications.
POSTKASSE_URL = env("POSTKASSE_URL", default="http://127.0.0.1:8000/postkasse/")

# The font letters are set in (core/templates/core/letter.html), for text stamped into shared letters.
STAMP_FONT_FILE = env.path("STAMP_FONT_FILE", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# What one check of an uploaded PDF (core.pdf.validate_pdf) may cost: pages, objects walked (about a
# second of CPU at the most), and bytes its streams other than images may unpack to. Each is far beyond
# a real letter or case document: a 74-page letter has under 1,000 objects.
PDF_MAX_PAGES = env.int("PDF_MAX_PAGES", default=2000)
PDF_MAX_OBJECTS = env.int("PDF_MAX_OBJECTS", default=50_000)
PDF_MAX_UNPACKED_BYTES = env.int("PDF_MAX_UNPACKED_BYTES", default=64 * 1024 * 1024)

# The case archive: the largest document file a case handler may upload.
SAKSARKIV_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# From this many recipients a dispatch (masseutsendelse) runs as a background task.
SAKSARKIV_BACKGROUND_DISPATCH_FROM = 50

# MinID
MINID_PIN_CODES_PER_LETTER = 25
MINID_MAX_FAILED_ATTEMPTS = env.int("MINID_MAX_FAILED_ATTEMPTS", default=5)
MINID_CODE_TTL_SECONDS = env.int("MINID_CODE_TTL_SECONDS", default=300)
MINID_LOGIN_TTL_SECONDS = 900
# Self-service ends after this long without a request, like ID-porten's SSO session.
MINID_SESSION_IDLE_SECONDS = env.int("MINID_SESSION_IDLE_SECONDS", default=1800)
# Deleting the user or changing its mobile or e-mail asks for the password again unless it was given
# within this many seconds.
MINID_REAUTH_SECONDS = env.int("MINID_REAUTH_SECONDS", default=300)
# The same security notice (a login on a locked user, a registration attempt on an existing one) goes
# to a person's registered mobile and e-mail at most once in this many seconds.
MINID_NOTICE_INTERVAL_SECONDS = env.int("MINID_NOTICE_INTERVAL_SECONDS", default=3600)
# Failed attempts (wrong passwords and codes) allowed within the window: per fødselsnummer first,
# per client address second (TRUSTED_PROXIES decides what the address is).
MINID_FAILURE_WINDOW_SECONDS = 900
MINID_PERSON_MAX_FAILURES = env.int("MINID_PERSON_MAX_FAILURES", default=10)
MINID_IP_MAX_FAILURES = env.int("MINID_IP_MAX_FAILURES", default=20)
# SMS and e-mail (codes and notices) MinID sends one person in an hour.
MINID_MESSAGES_PER_HOUR = env.int("MINID_MESSAGES_PER_HOUR", default=10)
# PIN letters one person can be sent in a day, and PIN-letter orders one client address can make in a day.
MINID_LETTERS_PER_PERSON_PER_DAY = env.int("MINID_LETTERS_PER_PERSON_PER_DAY", default=3)
MINID_LETTER_ORDERS_PER_ADDRESS_PER_DAY = env.int("MINID_LETTER_ORDERS_PER_ADDRESS_PER_DAY", default=5)
# Starts of registration and of forgotten password per fødselsnummer in a day.
MINID_STARTS_PER_PERSON_PER_DAY = env.int("MINID_STARTS_PER_PERSON_PER_DAY", default=10)
# Wrong codes on the public page that blocks a PIN letter, per fødselsnummer in a day.
MINID_BLOCK_ATTEMPTS_PER_PERSON_PER_DAY = env.int("MINID_BLOCK_ATTEMPTS_PER_PERSON_PER_DAY", default=5)
MINID_LETTER_SENDER = {
    "name": env("MINID_LETTER_SENDER_NAME", default="MinID"),
    "address_lines": env.list("MINID_LETTER_SENDER_ADDRESS", default=["Postboks 1", "0101 OSLO"]),
}

# Maskinporten (its own issuer, as https://maskinporten.no/)
# The issuer URL, ending in /; empty means the scheme and host the request came to + /maskinporten/.
MASKINPORTEN_ISSUER = env("MASKINPORTEN_ISSUER", default="")
# How long a process trusts its last answer to "is this token still in force" (revocation).
MASKINPORTEN_REVOCATION_CHECK_SECONDS = env.float("MASKINPORTEN_REVOCATION_CHECK_SECONDS", default=2.0)

# ID-porten (OpenID Connect provider)
# The issuer URL; empty means the scheme and host the request came to (development and tests).
IDPORTEN_ISSUER = env("IDPORTEN_ISSUER", default="")
# Fernet key (urlsafe base64, 32 bytes) for the signing keys at rest; derived from SECRET_KEY when empty.
IDPORTEN_KEY_ENCRYPTION_KEY = env("IDPORTEN_KEY_ENCRYPTION_KEY", default="")
# How long `rotate_signing_keys` publishes the next signing key in the JWKS before it signs: at least
# as long as relying parties cache the JWKS.
IDPORTEN_KEY_PREPUBLISH_SECONDS = env.int("IDPORTEN_KEY_PREPUBLISH_SECONDS", default=3600)
IDPORTEN_CODE_TTL_SECONDS = 60
IDPORTEN_ACCESS_TOKEN_TTL_SECONDS = 120
IDPORTEN_ID_TOKEN_TTL_SECONDS = 120
IDPORTEN_REFRESH_IDLE_SECONDS = 600
IDPORTEN_AUTHORIZATION_TTL_SECONDS = 7200
IDPORTEN_SESSION_IDLE_SECONDS = 1800
IDPORTEN_SESSION_MAX_SECONDS = 7200
IDPORTEN_PAR_TTL_SECONDS = 60
# Back-channel logout: how long one POST may take, and the waits between attempts (then given up).
IDPORTEN_BACKCHANNEL_LOGOUT_TIMEOUT_SECONDS = 10
IDPORTEN_BACKCHANNEL_LOGOUT_BACKOFF_SECONDS = (10, 60, 300, 1800, 7200)
# With DEBUG off, back-channel logout URIs that resolve to loopback, private, link-local or other
# non-public addresses are refused (at registration and at each delivery) unless this allows them.
IDPORTEN_BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "IDPORTEN_BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES", default=False
)
# Delivered and failed back-channel logouts are kept this long for the operator (purge_expired).
IDPORTEN_BACKCHANNEL_DELIVERIES_KEPT_DAYS = 30
IDPORTEN_TOKEN_REQUESTS_PER_MINUTE = env.int("IDPORTEN_TOKEN_REQUESTS_PER_MINUTE", default=600)
# Persons one organisation may look up a minute through the integrasjonspunkt's GET /api/capabilities.
EFORMIDLING_CAPABILITY_LOOKUPS_PER_MINUTE = env.int("EFORMIDLING_CAPABILITY_LOOKUPS_PER_MINUTE", default=600)

# Smartcards (level 4): the card agent the citizen runs on their own machine. Only the smartcard
# pages may connect to it (their Content-Security-Policy adds it to connect-src).
SMARTCARD_AGENT_URL = env("SMARTCARD_AGENT_URL", default="http://127.0.0.1:24727")

REST_FRAMEWORK = {
    # Adds the refusals every operation can give (400, 401, 403, 404, 415) to the schema.
    "DEFAULT_SCHEMA_CLASS": "core.openapi.ProblemAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only, read up to each view's body limit, never deeper than 1024 levels, never a NUL.
    "DEFAULT_PARSER_CLASSES": ["core.api_parsers.JSONParser"],
    # Every refusal of every API as a problem {"code", "detail"}, Django's own included.
    "EXCEPTION_HANDLER": "core.api.handle_exception",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Felles API",
    "DESCRIPTION": "APIs for agencies and service owners.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components, where a required string says minLength 1.
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_identity_numbers": {"()": "core.logging.MaskIdentityNumbersFilter"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_identity_numbers"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's own console handler, so that messages print once and masked.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
