"""The process-level promises: refusing to start without a secret, strict security
headers, the health check, error pages and the language switcher."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.logging import MaskIdentityNumbersFilter

BASE_DIR = Path(__file__).resolve().parents[2]


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "ENV_FILE": "/nonexistent",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION_CLIENT = """
import json, django
django.setup()
from django.test import Client
from django.conf import settings
response = Client().get("/healthz", secure=True, HTTP_HOST="felles.example.no")
print(json.dumps({"status": response.status_code, "headers": dict(response.headers),
                  "session_secure": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE}))
"""


@pytest.mark.parametrize("secret", ["", "felles-development-only-not-a-secret"])
def test_refuses_to_start_without_a_secret_key_when_debug_is_off(secret):
    result = run_python("import django; django.setup()", DEBUG="false", SECRET_KEY=secret)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_are_strict():
    result = run_python(
        PRODUCTION_CLIENT,
        DEBUG="false",
        SECRET_KEY="a-real-secret-for-this-test-only-0123456789",
        ALLOWED_HOSTS="felles.example.no",
        DATABASE_URL="sqlite:///:memory:",
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert seen["session_secure"] and seen["csrf_secure"]


def test_plain_http_is_redirected_to_https_in_production():
    code = PRODUCTION_CLIENT.replace("secure=True", "secure=False")
    result = run_python(
        code,
        DEBUG="false",
        SECRET_KEY="a-real-secret-for-this-test-only-0123456789",
        ALLOWED_HOSTS="felles.example.no",
        DATABASE_URL="sqlite:///:memory:",
    )
    assert json.loads(result.stdout.strip().splitlines()[-1])["status"] == 301


def test_health_check_is_unavailable_without_a_database():
    code = PRODUCTION_CLIENT.replace("secure=True", "secure=False")
    result = run_python(
        code,
        DEBUG="true",
        ALLOWED_HOSTS="felles.example.no",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/felles",
    )
    assert json.loads(result.stdout.strip().splitlines()[-1])["status"] == 503


@pytest.mark.django_db
def test_health_check_answers_with_the_database_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_email_is_configured_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)"
    result = run_python(code, DEBUG="true", EMAIL_URL="smtp+tls://felles:hemmelig@smtp.example.no:587")
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.no",
        "587",
        "True",
    ]


def test_argon2_is_the_first_password_hasher():
    from config import settings as project_settings  # the configured list, not the tests' cheaper one

    # Django's Argon2 hasher with its cost from settings (core.hashers)
    assert project_settings.PASSWORD_HASHERS[0] == "core.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "<script" not in response.content.decode()


@pytest.mark.django_db
def test_language_switcher_needs_a_csrf_token():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/sprak/", {"language": "en", "next": "/"})
    assert response.status_code == 403
    assert "Skjemaet er utløpt" in response.content.decode()
    assert "Hopp til hovedinnhold" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("nb", "Felles offentlige digitale tjenester"),
        ("nn", "Felles offentlege digitale tenester"),
        ("en", "Common public digital services"),
    ],
)
def test_front_page_in_each_language(client, language, heading):
    client.post("/sprak/", {"language": language, "next": "/"})
    response = client.get("/")
    assert response["Content-Language"] == language
    assert heading in response.content.decode()


@pytest.mark.django_db
def test_browser_language_does_not_override_bokmal(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "nb"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "text"),
    [("/finnes-ikke/", 404, "Fant ikke siden"), ("/healthz?x=1", 200, "ok")],
)
def test_error_pages_use_the_site_layout(client, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    assert text in response.content.decode()


@pytest.mark.django_db
def test_server_error_page_uses_the_site_layout(rf):
    from core.views import server_error

    request = rf.get("/")
    response = server_error(request)
    assert response.status_code == 500
    assert "Noe gikk galt" in response.content.decode()
    assert "Hopp til hovedinnhold" in response.content.decode()


def test_identity_numbers_are_masked_in_logs(caplog):
    record = logging.LogRecord(
        "felles", logging.INFO, __file__, 1, "Oppslag på %s ga treff", ("01818012345",), None
    )
    MaskIdentityNumbersFilter().filter(record)
    assert record.getMessage() == "Oppslag på 018180***** ga treff"
