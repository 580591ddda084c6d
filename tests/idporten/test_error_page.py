"""The page a citizen sees when a service's login request cannot be answered at the service's
address (RFC 6749 section 4.1.2.1: never redirect to an unregistered address; tell the user)."""

import pytest
from django.conf import settings

from core.models import AuditEvent
from idporten.models import Authorization, PushedRequest
from tests.idporten.factories import Browser, authorize_params, client, pkce

pytestmark = pytest.mark.django_db

EVIL = "https://evil.example/callback"


def authorize(language: str, oidc_client, **extra):
    browser = Browser()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1], **extra))


def test_an_unregistered_redirect_address_is_explained_to_the_citizen_not_followed():
    oidc_client, _secret = client(name="Velferdsetaten Min side")

    response = authorize("en", oidc_client, redirect_uri=EVIL)

    assert response.status_code == 400
    assert "Location" not in response
    page = response.content.decode()
    assert '<html lang="en"' in page
    assert (
        "Velferdsetaten Min side asked us to send you back to an address it has not registered with ID-porten"
        in page
    )
    assert "you have not been logged in" in page
    assert EVIL not in page  # the page links nowhere the service did not register
    assert not Authorization.objects.exists()
    assert not PushedRequest.objects.exists()
    assert (
        AuditEvent.objects.get(action="idporten.authorization_refused").outcome == AuditEvent.Outcome.DENIED
    )


@pytest.mark.parametrize(
    ("language", "heading"), [("nb", "Innloggingen kan ikke starte"), ("nn", "Innlogginga kan ikkje starte")]
)
def test_the_error_page_speaks_the_citizens_language(language, heading):
    oidc_client, _secret = client()

    response = authorize(language, oidc_client, redirect_uri=EVIL)

    page = response.content.decode()
    assert f'<html lang="{language}"' in page
    assert heading in page


def test_an_unknown_service_is_named_as_such():
    oidc_client, _secret = client()

    response = authorize("en", oidc_client, client_id="no-such-client")

    assert response.status_code == 400
    assert "is not registered with ID-porten, so you cannot log in to it here" in response.content.decode()


def test_a_used_pushed_request_asks_the_citizen_to_start_again():
    oidc_client, _secret = client()
    browser = Browser()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = browser.get(
        "/idporten/authorize",
        {"client_id": oidc_client.client_id, "request_uri": "urn:ietf:params:oauth:request_uri:gone"},
    )

    assert response.status_code == 400
    assert "Go back to the service and log in again" in response.content.decode()
