"""The citizen's language through a login: their own choice (the language cookie) stands unless
the client asks for a language with ui_locales, and the tokens' locale says which one they used."""

import pytest
from django.conf import settings

from idporten.models import Authorization
from tests.idporten.factories import (
    Browser,
    authorize_params,
    client,
    logged_in,
    pkce,
    tokens,
    verified_claims,
)

pytestmark = pytest.mark.django_db


def browser_in(language: str | None) -> Browser:
    browser = Browser()
    if language:
        browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return browser


def test_the_citizens_english_stays_through_the_picker_when_the_client_asks_for_no_language():
    oidc_client, _secret = client()
    browser = browser_in("en")
    response = browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1]))
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    picker = browser.get(response.url)
    assert picker["Content-Language"] == "en"
    assert '<html lang="en"' in picker.content.decode()
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_client_asking_for_nynorsk_gets_nynorsk_over_the_citizens_english():
    oidc_client, _secret = client()
    browser = browser_in("en")
    response = browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1], ui_locales="nn"))
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nn"
    assert browser.get(response.url)["Content-Language"] == "nn"


def test_a_language_we_do_not_offer_leaves_the_citizens_choice():
    oidc_client, _secret = client()
    browser = browser_in("nn")
    response = browser.get(
        "/idporten/authorize", authorize_params(oidc_client, pkce()[1], ui_locales="de sv")
    )
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert browser.get(response.url)["Content-Language"] == "nn"


@pytest.mark.parametrize(
    ("cookie", "ui_locales", "expected"),
    [
        ("en", None, "en"),
        ("nn", None, "nn"),
        (None, None, "nb"),
        ("en", "nn", "nn"),
        ("nb", "en nb", "en"),
    ],
)
def test_the_id_token_locale_is_the_language_the_citizen_used(cookie, ui_locales, expected):
    oidc_client, secret = client()
    browser = browser_in(cookie)
    logged_in(browser)
    extra = {"ui_locales": ui_locales} if ui_locales else {}
    answer = tokens(browser, oidc_client, secret, **extra)
    claims = verified_claims(browser, answer["id_token"], audience=oidc_client.client_id)
    assert claims["locale"] == expected
    assert Authorization.objects.get().locale == expected
    info = browser.get("/idporten/userinfo", HTTP_AUTHORIZATION=f"Bearer {answer['access_token']}").json()
    assert info["locale"] == expected
