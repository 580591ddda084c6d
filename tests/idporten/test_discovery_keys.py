"""OpenID Provider discovery, the published JWKS, and the signing keys at rest."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone
from jose import jwt

from idporten import keys
from idporten.models import LOA_HIGH, LOA_SUBSTANTIAL, SigningKey
from tests.idporten.factories import Browser

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"
PRIVATE_JWK_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


@pytest.fixture
def discovery():
    return Browser().get("/.well-known/openid-configuration").json()


def published_kids() -> set[str]:
    return {key["kid"] for key in Browser().get("/idporten/jwks").json()["keys"]}


def test_discovery_names_the_issuer(discovery):
    assert discovery["issuer"] == ISSUER


def test_discovery_names_every_endpoint(discovery):
    assert discovery["authorization_endpoint"] == ISSUER + "/idporten/authorize"
    assert discovery["pushed_authorization_request_endpoint"] == ISSUER + "/idporten/par"
    # Request objects are refused (request_not_supported), and only PAR's request URIs are read.
    assert discovery["request_parameter_supported"] is False
    assert discovery["request_uri_parameter_supported"] is False
    assert discovery["token_endpoint"] == ISSUER + "/idporten/token"
    assert discovery["userinfo_endpoint"] == ISSUER + "/idporten/userinfo"
    assert discovery["end_session_endpoint"] == ISSUER + "/idporten/endsession"
    assert discovery["revocation_endpoint"] == ISSUER + "/idporten/revoke"
    assert discovery["introspection_endpoint"] == ISSUER + "/idporten/introspect"
    assert discovery["jwks_uri"] == ISSUER + "/idporten/jwks"


def test_discovered_endpoints_answer(discovery):
    browser = Browser()
    assert browser.get(discovery["jwks_uri"]).status_code == 200
    assert browser.post(discovery["token_endpoint"]).status_code == 401
    assert browser.get(discovery["userinfo_endpoint"]).status_code == 401


def test_discovery_offers_only_pkce_s256(discovery):
    assert discovery["code_challenge_methods_supported"] == ["S256"]


def test_discovery_says_authorization_responses_carry_iss(discovery):
    assert discovery["authorization_response_iss_parameter_supported"] is True


def test_discovery_lists_the_security_levels(discovery):
    assert discovery["acr_values_supported"] == [LOA_SUBSTANTIAL, LOA_HIGH]
    assert discovery["amr_values_supported"] == ["Minid-OTC", "Minid-PIN", "Buypass", "Commfides"]


def test_discovery_lists_rs256_and_es256_for_id_tokens(discovery):
    assert {"RS256", "ES256"} <= set(discovery["id_token_signing_alg_values_supported"])


def test_discovery_offers_only_the_code_flow(discovery):
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["grant_types_supported"] == ["authorization_code", "refresh_token"]


def test_jwks_has_an_rs256_and_an_es256_key_with_kid():
    jwks = Browser().get("/idporten/jwks").json()
    by_alg = {key["alg"]: key for key in jwks["keys"]}
    assert by_alg["RS256"]["kty"] == "RSA"
    assert by_alg["ES256"]["kty"] == "EC"
    assert all(key["kid"] and key["use"] == "sig" for key in jwks["keys"])


def test_jwks_has_no_private_parts():
    for key in Browser().get("/idporten/jwks").json()["keys"]:
        assert not PRIVATE_JWK_MEMBERS & key.keys()


def test_private_key_is_not_stored_in_clear():
    keys.jwks()
    for key in SigningKey.objects.all():
        assert b"PRIVATE KEY" not in bytes(key.encrypted_private_pem)


def test_signing_with_another_encryption_key_fails_clearly(settings):
    keys.active_key("RS256")
    settings.IDPORTEN_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(keys.SigningError):
        keys.sign({"iss": ISSUER})


def test_signing_with_the_configured_encryption_key_works(settings):
    settings.IDPORTEN_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    token = keys.sign({"iss": ISSUER})
    assert keys.verify(token, issuer=ISSUER)["iss"] == ISSUER


def test_token_signed_with_es256_verifies():
    token = keys.sign({"iss": ISSUER}, algorithm="ES256")
    assert keys.verify(token, issuer=ISSUER)["iss"] == ISSUER


def test_rotated_key_stays_published_for_tokens_it_signed():
    token = keys.sign({"iss": ISSUER})
    old = keys.active_key("RS256")
    new = keys.rotate("RS256")
    assert {old.kid, new.kid} <= published_kids()
    assert keys.verify(token, issuer=ISSUER)["iss"] == ISSUER


def test_new_tokens_are_signed_with_the_rotated_key():
    keys.active_key("RS256")
    new = keys.rotate("RS256")
    assert jwt.get_unverified_header(keys.sign({"iss": ISSUER}))["kid"] == new.kid


def test_key_retired_long_ago_is_no_longer_published_or_trusted():
    token = keys.sign({"iss": ISSUER})
    old = keys.active_key("RS256")
    keys.rotate("RS256")
    SigningKey.objects.filter(pk=old.pk).update(
        retired_at=timezone.now() - keys.RETIRED_KEY_KEPT - timedelta(seconds=1)
    )
    assert old.kid not in published_kids()
    with pytest.raises(keys.SigningError):
        keys.verify(token, issuer=ISSUER)
