"""Hostile input at Maskinporten's /api/token and ID-porten's OIDC endpoints: JWTs with claims of
the wrong type or absurd dates, crit headers, repeated or NUL-laden parameters, wrong content types,
huge bodies and scopes. Every answer is an OAuth error, never a 500, and nothing is stored."""

import base64
import json
import secrets
import time
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jws

from core.models import AuditEvent
from idporten import keys
from idporten.models import Authorization, PushedRequest, UsedAssertion
from idporten.services.clients import ASSERTION_TYPE
from maskinporten import services as maskinporten
from maskinporten.services import GRANT_TYPE
from tests.idporten.factories import (
    FORM,
    REDIRECT_URI,
    Browser,
    authorize_code,
    authorize_params,
    basic_auth,
    logged_in,
    pkce,
    tokens,
)
from tests.idporten.factories import client as new_client
from tests.virksomheter import pki
from tests.virksomheter.factories import new_organisation
from virksomheter import services as virksomheter
from virksomheter.models import UsedGrantJti

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"
TOKEN_ENDPOINT = "http://testserver/idporten/token"
OAUTH_POST_ENDPOINTS = [
    "/api/token",
    "/idporten/token",
    "/idporten/par",
    "/idporten/revoke",
    "/idporten/introspect",
]


@pytest.fixture
def organisation():
    organisation = virksomheter.save_organisation(new_organisation(), changed_by="test")
    for scope in ("krr:kontaktinformasjon", "krr:digitalpost"):
        virksomheter.grant_scope(organisation, scope, granted_by="test")
    virksomheter.accept_terms(organisation, accepted_by="test")
    maskinporten.register_client(
        organisation,
        name="Hardening",
        scopes=["krr:kontaktinformasjon", "krr:digitalpost"],
        registered_by="test",
        client_id="974312344",
    )
    return organisation


@pytest.fixture
def leaf(organisation):
    root = pki.make_ca()
    pki.trust(root)
    return pki.make_leaf(root)


def raw_jwt(payload: str, key_pem: str, headers: dict, algorithm: str = "RS256") -> str:
    """A JWT whose claims are exactly `payload`, for JSON no well-behaved library would write."""
    return jws.sign(payload.encode(), key_pem, headers=headers, algorithm=algorithm)


def grant_claims(**changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": "974312344",
        "aud": ISSUER,
        "scope": "krr:kontaktinformasjon",
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(16),
    }
    return {**claims, **changes}


def raw_grant(leaf, payload: str, *, headers: dict | None = None) -> str:
    x5c = [base64.b64encode(leaf.der).decode()]
    return raw_jwt(payload, leaf.key_pem, {"x5c": x5c, **(headers or {})})


def with_raw_claim(claims: dict, name: str, raw: str) -> str:
    """The claims as JSON with one claim's value written as raw JSON text (NaN, 1e400, ...)."""
    marker = "__raw__"
    return json.dumps({**claims, name: marker}).replace(json.dumps(marker), raw)


def post_form(browser, path: str, form: dict | list, **extra):
    return browser.post(path, urlencode(form, doseq=True), content_type=FORM, **extra)


def token_response(browser, assertion: str):
    return post_form(browser, "/api/token", {"grant_type": GRANT_TYPE, "assertion": assertion})


def assert_oauth_error(response, error: str, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == error, body
    return body


# Maskinporten grants: every claim of the wrong type or out of range is invalid_grant.

ABSURD_DATES = {
    "null": "null",
    "string": '"1700000000"',
    "boolean": "true",
    "list": "[1700000000]",
    "infinite": "1e400",
    "Infinity": "Infinity",
    "NaN": "NaN",
    "negative": "-1",
    "after_year_9999": "253402300800",
    "huge": "1" + "0" * 30,
    "over_4300_digits": "9" * 5000,
}


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", ABSURD_DATES.values(), ids=ABSURD_DATES.keys())
def test_grant_with_absurd_date_is_invalid_grant(client, leaf, claim, value):
    payload = with_raw_claim(grant_claims(), claim, value)
    body = assert_oauth_error(token_response(client, raw_grant(leaf, payload)), "invalid_grant")
    assert claim in body["error_description"] or "JSON" in body["error_description"]
    assert not UsedGrantJti.objects.exists()


WRONG_TYPES = {
    "aud_number": ("aud", 5),
    "aud_object": ("aud", {"url": ISSUER}),
    "aud_list_with_number": ("aud", [ISSUER, 5]),
    "aud_list_of_lists": ("aud", [[ISSUER]]),
    "aud_empty_list": ("aud", []),
    "aud_null": ("aud", None),
    "aud_eleven": ("aud", [ISSUER] * 11),
    "iss_number": ("iss", 974312344),
    "iss_list": ("iss", ["974312344"]),
    "sub_object": ("sub", {"id": 1}),
    "jti_number": ("jti", 12345),
    "jti_list": ("jti", ["a"]),
    "jti_nul": ("jti", "abc\x00def"),
}


@pytest.mark.parametrize(("claim", "value"), WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_grant_with_claim_of_wrong_type_is_invalid_grant(client, leaf, claim, value):
    response = token_response(client, raw_grant(leaf, json.dumps(grant_claims(**{claim: value}))))
    assert claim in assert_oauth_error(response, "invalid_grant")["error_description"]
    assert not UsedGrantJti.objects.exists()


@pytest.mark.parametrize("value", [["krr:kontaktinformasjon"], 5, None, {"a": 1}])
def test_grant_with_scope_not_a_string_is_invalid_scope(client, leaf, value):
    response = token_response(client, raw_grant(leaf, json.dumps(grant_claims(scope=value))))
    assert_oauth_error(response, "invalid_scope")
    assert not UsedGrantJti.objects.exists()


def test_grant_living_backwards_is_invalid_grant(client, leaf):
    now = int(time.time())
    payload = json.dumps(grant_claims(iat=now + 5, exp=now + 3))
    assert_oauth_error(token_response(client, raw_grant(leaf, payload)), "invalid_grant")


def test_grant_not_valid_before_a_future_nbf_is_invalid_grant(client, leaf):
    payload = json.dumps(grant_claims(nbf=int(time.time()) + 60))
    body = assert_oauth_error(token_response(client, raw_grant(leaf, payload)), "invalid_grant")
    assert "nbf" in body["error_description"]


def test_grant_with_a_fractional_date_is_accepted(client, leaf):
    now = time.time()
    payload = json.dumps(grant_claims(iat=now, exp=now + 60.5))
    assert token_response(client, raw_grant(leaf, payload)).status_code == 200


@pytest.mark.parametrize("crit", [["exp"], ["http://example.com/unknown"], [], "b64"])
def test_grant_with_a_crit_header_is_invalid_grant(client, leaf, crit):
    payload = json.dumps(grant_claims())
    body = assert_oauth_error(
        token_response(client, raw_grant(leaf, payload, headers={"crit": crit, "exp": 1})), "invalid_grant"
    )
    assert "crit" in body["error_description"]
    assert not UsedGrantJti.objects.exists()


# Scopes in a grant: each once, and a bounded number.


def test_repeated_scope_is_granted_once(client, leaf):
    scope = " ".join(["krr:kontaktinformasjon", "krr:digitalpost"] * 20)
    response = token_response(client, pki.grant(leaf, scope=scope))
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "krr:kontaktinformasjon krr:digitalpost"
    event = AuditEvent.objects.get(action="maskinporten.token_issued")
    assert event.details["scope"] == "krr:kontaktinformasjon krr:digitalpost"


def test_scope_string_over_the_cap_is_invalid_scope(client, leaf):
    scope = " ".join(["krr:kontaktinformasjon"] * 200)
    body = assert_oauth_error(token_response(client, pki.grant(leaf, scope=scope)), "invalid_scope")
    assert "2000" in body["error_description"]
    assert not UsedGrantJti.objects.exists()
    event = AuditEvent.objects.get(action="maskinporten.token_refused")
    assert len(json.dumps(event.details)) < 500


def test_more_than_50_distinct_scopes_is_invalid_scope(client, leaf):
    scope = " ".join(f"s{number}" for number in range(51))
    body = assert_oauth_error(token_response(client, pki.grant(leaf, scope=scope)), "invalid_scope")
    assert "at most 50" in body["error_description"]


# private_key_jwt client assertions: the same rules answer invalid_client.


@pytest.fixture(scope="module")
def assertion_key_pem() -> str:
    from tests.idporten.test_client_auth import private_pem

    return private_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture
def jwt_client(assertion_key_pem):
    public = {**jwk.construct(assertion_key_pem, "RS256").public_key().to_dict(), "kid": "key-1"}
    oidc_client, _secret = new_client(auth_method="private_key_jwt", jwks={"keys": [public]})
    return oidc_client


def assertion_claims(oidc_client, **changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": oidc_client.client_id,
        "sub": oidc_client.client_id,
        "aud": TOKEN_ENDPOINT,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(16),
    }
    return {**claims, **changes}


def authenticate_with(browser, client_assertion: str, path: str = "/idporten/token"):
    form = {
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion,
        "grant_type": "refresh_token",
        "refresh_token": "unknown",
        "token": "unknown",
    }
    return post_form(browser, path, form)


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", ABSURD_DATES.values(), ids=ABSURD_DATES.keys())
def test_client_assertion_with_absurd_date_is_invalid_client(jwt_client, assertion_key_pem, claim, value):
    payload = with_raw_claim(assertion_claims(jwt_client), claim, value)
    token = raw_jwt(payload, assertion_key_pem, {"kid": "key-1"})
    assert_oauth_error(authenticate_with(Browser(), token), "invalid_client", status=401)
    assert not UsedAssertion.objects.exists()


ASSERTION_WRONG_TYPES = {
    "aud_number": ("aud", 5),
    "aud_unhashable": ("aud", [{"url": TOKEN_ENDPOINT}]),
    "aud_list_of_lists": ("aud", [[TOKEN_ENDPOINT]]),
    "sub_number": ("sub", 5),
    "sub_list": ("sub", ["x"]),
    "jti_number": ("jti", 5),
    "jti_object": ("jti", {"a": 1}),
    "jti_too_long": ("jti", "j" * 201),
    "jti_nul": ("jti", "abc\x00"),
}


@pytest.mark.parametrize(
    "path", ["/idporten/token", "/idporten/par", "/idporten/revoke", "/idporten/introspect"]
)
@pytest.mark.parametrize(("claim", "value"), ASSERTION_WRONG_TYPES.values(), ids=ASSERTION_WRONG_TYPES.keys())
def test_client_assertion_with_claim_of_wrong_type_is_invalid_client(
    jwt_client, assertion_key_pem, path, claim, value
):
    token = raw_jwt(
        json.dumps(assertion_claims(jwt_client, **{claim: value})), assertion_key_pem, {"kid": "key-1"}
    )
    body = assert_oauth_error(authenticate_with(Browser(), token, path), "invalid_client", status=401)
    assert claim in body["error_description"]
    assert not UsedAssertion.objects.exists()


@pytest.mark.parametrize("issuer", [5, ["x"], "abc\x00def"])
def test_client_assertion_with_odd_issuer_is_invalid_client(jwt_client, assertion_key_pem, issuer):
    token = raw_jwt(json.dumps(assertion_claims(jwt_client, iss=issuer)), assertion_key_pem, {"kid": "key-1"})
    assert_oauth_error(authenticate_with(Browser(), token), "invalid_client", status=401)
    event = AuditEvent.objects.get(action="idporten.client_authentication_failed")
    assert "\x00" not in event.actor


def test_client_assertion_with_crit_header_is_invalid_client(jwt_client, assertion_key_pem):
    headers = {"kid": "key-1", "crit": ["urn:example:unknown"], "urn:example:unknown": True}
    token = raw_jwt(json.dumps(assertion_claims(jwt_client)), assertion_key_pem, headers)
    body = assert_oauth_error(authenticate_with(Browser(), token), "invalid_client", status=401)
    assert "crit" in body["error_description"]
    assert not UsedAssertion.objects.exists()


def test_valid_client_assertion_still_authenticates(jwt_client, assertion_key_pem):
    token = raw_jwt(json.dumps(assertion_claims(jwt_client)), assertion_key_pem, {"kid": "key-1"})
    # Authenticated, so the refresh token is what fails.
    assert_oauth_error(authenticate_with(Browser(), token), "invalid_grant")
    assert UsedAssertion.objects.count() == 1


# Form parameters: urlencoded, each once, no NUL, a bounded body.


@pytest.mark.parametrize("path", OAUTH_POST_ENDPOINTS)
@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x", ""]
)
def test_wrong_content_type_is_invalid_request_naming_the_form_type(client, path, content_type):
    response = client.post(path, b'{"grant_type": "x"}', content_type=content_type)
    body = assert_oauth_error(response, "invalid_request")
    assert "application/x-www-form-urlencoded" in body["error_description"]


@pytest.mark.parametrize("path", OAUTH_POST_ENDPOINTS)
def test_body_larger_than_django_accepts_is_an_oauth_error(client, path):
    response = post_form(client, path, {"grant_type": "x", "assertion": "a" * 3_000_000})
    assert_oauth_error(response, "invalid_request")


@pytest.mark.parametrize("path", OAUTH_POST_ENDPOINTS)
def test_body_over_the_oauth_cap_is_an_oauth_error(client, path):
    response = post_form(client, path, {"grant_type": "x", "assertion": "a" * 70_000})
    assert "bytes" in assert_oauth_error(response, "invalid_request")["error_description"]


@pytest.mark.parametrize("path", OAUTH_POST_ENDPOINTS)
def test_more_than_a_thousand_fields_is_an_oauth_error(client, path):
    response = post_form(client, path, [(f"f{number}", "1") for number in range(1200)])
    assert_oauth_error(response, "invalid_request")


def test_repeated_parameter_at_maskinporten_is_invalid_request(client, leaf):
    form = [("grant_type", GRANT_TYPE), ("assertion", pki.grant(leaf)), ("assertion", pki.grant(leaf))]
    body = assert_oauth_error(post_form(client, "/api/token", form), "invalid_request")
    assert "assertion" in body["error_description"]
    assert not UsedGrantJti.objects.exists()


@pytest.mark.parametrize("path", ["/idporten/token", "/idporten/revoke", "/idporten/introspect"])
def test_repeated_parameter_at_the_oidc_endpoints_is_invalid_request(client, path):
    oidc_client, secret = new_client()
    form = [("grant_type", "refresh_token"), ("token", "a"), ("token", "b"), ("refresh_token", "x")]
    response = post_form(client, path, form, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret))
    assert "token" in assert_oauth_error(response, "invalid_request")["error_description"]


def test_repeated_state_in_a_pushed_request_is_invalid_request(client):
    oidc_client, secret = new_client()
    form = list(authorize_params(oidc_client, pkce()[1]).items()) + [("state", "second")]
    response = post_form(client, "/idporten/par", form, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret))
    assert "state" in assert_oauth_error(response, "invalid_request")["error_description"]
    assert not PushedRequest.objects.exists()


def test_repeated_parameter_at_authorize_is_refused_on_our_own_page(client):
    oidc_client, _secret = new_client()
    query = urlencode(
        [*authorize_params(oidc_client, pkce()[1]).items(), ("redirect_uri", "https://evil.example/")]
    )
    response = client.get(f"/idporten/authorize?{query}")
    assert response.status_code == 400
    assert "redirect_uri" in response.content.decode()
    assert not PushedRequest.objects.exists()


def test_repeated_parameter_at_endsession_is_refused(client):
    response = client.get("/idporten/endsession?state=a&state=b")
    assert response.status_code == 400
    assert "state" in response.content.decode()


@pytest.mark.parametrize("name", ["state", "nonce", "code_challenge", "scope"])
def test_nul_in_a_pushed_request_value_is_invalid_request(client, name):
    oidc_client, secret = new_client()
    params = authorize_params(oidc_client, pkce()[1])
    params[name] = params[name] + "\x00"
    response = post_form(client, "/idporten/par", params, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret))
    assert_oauth_error(response, "invalid_request")
    assert not PushedRequest.objects.exists()


@pytest.mark.parametrize("name", ["state", "client_id", "request_uri", "redirect_uri"])
def test_nul_at_authorize_is_refused_on_our_own_page(client, name):
    oidc_client, _secret = new_client()
    params = authorize_params(oidc_client, pkce()[1])
    params[name] = params.get(name, "urn:x") + "\x00"
    response = client.get("/idporten/authorize", params)
    assert response.status_code == 400
    assert not PushedRequest.objects.exists()


def test_nul_in_the_grant_is_invalid_request(client, leaf):
    response = post_form(
        client, "/api/token", {"grant_type": GRANT_TYPE, "assertion": pki.grant(leaf) + "\x00"}
    )
    assert_oauth_error(response, "invalid_request")


def test_nul_in_a_parameter_name_is_invalid_request(client):
    response = post_form(client, "/api/token", {"grant_type": GRANT_TYPE, "a\x00b": "x"})
    assert_oauth_error(response, "invalid_request")


def test_nul_in_basic_credentials_is_invalid_client(client):
    header = "Basic " + base64.b64encode(b"abc\x00def:secret").decode()
    response = post_form(
        client, "/idporten/token", {"grant_type": "refresh_token"}, HTTP_AUTHORIZATION=header
    )
    assert_oauth_error(response, "invalid_client", status=401)


def test_nul_in_client_id_for_client_secret_post_is_invalid_request(client):
    response = post_form(client, "/idporten/token", {"client_id": "a\x00", "client_secret": "s"})
    assert_oauth_error(response, "invalid_request")


def test_nul_in_a_pending_login_reference_is_the_expired_page(client):
    assert client.get("/idporten/velg/abc%00def/").status_code == 400
    assert client.get("/idporten/samtykke/abc%00def/").status_code == 400


def test_well_formed_code_exchange_still_works(client):
    oidc_client, secret = new_client()
    logged_in(client)
    verifier, challenge = pkce()
    code = authorize_code(client, oidc_client, challenge)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    response = post_form(client, "/idporten/token", form, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret))
    assert response.status_code == 200, response.content


# End session: only an ID token this issuer gave a registered client, for this session, logs out at once.

POST_LOGOUT = "https://tjeneste.example.no/logged-out"


def end_session(browser, **query):
    return browser.get("/idporten/endsession", query)


def still_logged_in(session) -> bool:
    session.refresh_from_db()
    return session.ended_at is None


def assert_asks_first(response, session):
    assert response.status_code == 200, response.content
    assert 'action="/idporten/logg-ut/"' in response.content.decode()
    assert still_logged_in(session)


def maskinporten_token(browser, leaf) -> str:
    response = token_response(browser, pki.grant(leaf))
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def test_maskinporten_token_as_hint_asks_the_citizen_first(client, leaf):
    session = logged_in(client)
    assert_asks_first(end_session(client, id_token_hint=maskinporten_token(client, leaf)), session)
    event = AuditEvent.objects.get(action="idporten.logout_hint_refused")
    assert event.outcome == AuditEvent.Outcome.DENIED


def test_maskinporten_token_as_hint_never_redirects(client, leaf):
    session = logged_in(client)
    hint = maskinporten_token(client, leaf)
    response = end_session(client, id_token_hint=hint, post_logout_redirect_uri=POST_LOGOUT)
    assert response.status_code == 400
    assert POST_LOGOUT not in response.content.decode()
    assert still_logged_in(session)


def test_access_token_as_hint_asks_the_citizen_first(client):
    oidc_client, secret = new_client()
    session = logged_in(client)
    access_token = tokens(client, oidc_client, secret)["access_token"]
    assert_asks_first(end_session(client, id_token_hint=access_token), session)
    assert not Authorization.objects.filter(revoked_at__isnull=False).exists()


def test_logout_token_as_hint_asks_the_citizen_first(client):
    oidc_client, _secret = new_client()
    session = logged_in(client)
    now = int(time.time())
    logout_token = keys.sign(
        {
            "iss": ISSUER,
            "aud": oidc_client.client_id,
            "iat": now,
            "exp": now + 120,
            "jti": "j",
            "sid": session.sid,
            "sub": "s",
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
        },
        token_type="logout+jwt",
    )
    assert_asks_first(end_session(client, id_token_hint=logout_token), session)


def test_id_token_shaped_token_for_no_registered_client_asks_first(client):
    session = logged_in(client)
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "no-such-client",
        "sid": session.sid,
        "nonce": "n",
        "iat": now,
        "exp": now + 60,
    }
    assert_asks_first(end_session(client, id_token_hint=keys.sign(claims)), session)


def test_id_token_from_another_issuer_asks_first(client):
    oidc_client, _secret = new_client()
    session = logged_in(client)
    now = int(time.time())
    claims = {
        "iss": "https://elsewhere.example.no",
        "aud": oidc_client.client_id,
        "sid": session.sid,
        "nonce": "n",
        "iat": now,
        "exp": now + 60,
    }
    assert_asks_first(end_session(client, id_token_hint=keys.sign(claims)), session)


def test_id_token_for_another_client_than_client_id_asks_first(client):
    oidc_client, secret = new_client()
    other, _other_secret = new_client(name="Skatteetaten")
    session = logged_in(client)
    id_token = tokens(client, oidc_client, secret)["id_token"]
    assert_asks_first(end_session(client, id_token_hint=id_token, client_id=other.client_id), session)


def test_garbage_hint_asks_the_citizen_first(client):
    session = logged_in(client)
    assert_asks_first(end_session(client, id_token_hint="not-a-jwt"), session)


def test_hint_with_a_nul_in_its_key_id_asks_first(client):
    session = logged_in(client)
    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": "a\x00"}).encode()).decode()
    assert_asks_first(end_session(client, id_token_hint=f"{header}.e30.c2ln"), session)


def test_expired_id_token_as_hint_logs_out(client, settings):
    settings.IDPORTEN_ID_TOKEN_TTL_SECONDS = -60  # issued already expired
    oidc_client, secret = new_client()
    session = logged_in(client)
    id_token = tokens(client, oidc_client, secret)["id_token"]
    response = end_session(
        client, id_token_hint=id_token, client_id=oidc_client.client_id, post_logout_redirect_uri=POST_LOGOUT
    )
    assert response.status_code == 200
    assert f'href="{POST_LOGOUT}"' in response.content.decode()
    assert not still_logged_in(session)


def test_valid_id_token_of_an_earlier_session_asks_first(client):
    oidc_client, secret = new_client()
    earlier = Browser()
    logged_in(earlier)
    old_id_token = tokens(earlier, oidc_client, secret)["id_token"]
    session = logged_in(client)
    assert_asks_first(end_session(client, id_token_hint=old_id_token), session)


# Enterprise certificates at /api/token: the leaf's key must be strong and fit the grant's algorithm.


@pytest.fixture
def root(organisation):
    root = pki.make_ca()
    pki.trust(root)
    return root


@pytest.mark.parametrize(
    ("leaf_options", "code_word"),
    [({"kind": "ec384"}, "ES256"), ({"kind": "rsa1024"}, "1024"), ({"ca": True}, "CA")],
    ids=["p384_key_signing_es256", "rsa_1024", "leaf_is_a_ca"],
)
def test_grant_with_an_unfit_certificate_is_invalid_grant(client, root, leaf_options, code_word):
    leaf = pki.make_leaf(root, **leaf_options)
    body = assert_oauth_error(token_response(client, pki.grant(leaf)), "invalid_grant")
    assert code_word in body["error_description"]
    assert not UsedGrantJti.objects.exists()


def test_grant_from_a_certificate_with_a_spaced_organisation_identifier_is_accepted(client, root):
    numbers = [pki.x509.NameAttribute(pki.NameOID.ORGANIZATION_IDENTIFIER, "NTRNO-974 312 344")]
    response = token_response(client, pki.grant(pki.make_leaf(root, numbers=numbers)))
    assert response.status_code == 200, response.content
    assert AuditEvent.objects.get(action="maskinporten.token_issued").actor == "974312344"


def forged_token_with_key_id(kid) -> str:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": kid}).encode()).rstrip(b"=").decode()
    return f"{header}.e30.c2ln"


@pytest.mark.parametrize("kid", ["a\x00b", ["a"], {"a": 1}, "k" * 5000])
def test_userinfo_with_an_odd_key_id_is_invalid_token(client, kid):
    response = client.get("/idporten/userinfo", HTTP_AUTHORIZATION=f"Bearer {forged_token_with_key_id(kid)}")
    assert_oauth_error(response, "invalid_token", status=401)


@pytest.mark.parametrize("kid", ["a\x00b", ["a"]])
def test_agency_api_with_an_odd_key_id_is_invalid_token(client, kid):
    response = client.post(
        "/api/krr/v1/personer",
        {"personidentifikatorer": ["01813417266"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {forged_token_with_key_id(kid)}",
    )
    assert response.status_code == 401, response.content


def test_grant_whose_certificate_has_a_malformed_extension_is_invalid_grant(client, root):
    leaf = pki.make_leaf(root)
    broken = leaf.der.replace(
        bytes.fromhex("0603551d130101ff04023000"), bytes.fromhex("0603551d130101ff04023100")
    )
    grant = pki.grant(leaf, headers={"x5c": [base64.b64encode(broken).decode()]})
    assert_oauth_error(token_response(client, grant), "invalid_grant")
    assert not UsedGrantJti.objects.exists()


def deeply_nested_jwt(*, header: bytes = b'{"alg":"RS256"}', payload: bytes = b"{}") -> str:
    """A JWT whose header or claims are JSON nested thousands deep: Python's json overflows on it."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}.{part(b'signature')}"


DEEP = b"[" * 5000 + b"]" * 5000


@pytest.mark.parametrize(
    "path", ["/idporten/token", "/idporten/par", "/idporten/revoke", "/idporten/introspect"]
)
@pytest.mark.parametrize("where", ["header", "payload"])
def test_client_assertion_nested_thousands_deep_is_invalid_client(jwt_client, path, where):
    token = deeply_nested_jwt(**{where: DEEP})
    assert_oauth_error(authenticate_with(Browser(), token, path), "invalid_client", status=401)


def test_grant_with_a_header_nested_thousands_deep_is_invalid_grant():
    body = urlencode({"grant_type": GRANT_TYPE, "assertion": deeply_nested_jwt(header=DEEP)})
    response = Browser().post("/api/token", body, content_type="application/x-www-form-urlencoded")
    assert_oauth_error(response, "invalid_grant")


def test_bearer_token_with_a_header_nested_thousands_deep_is_invalid_token():
    response = Browser().get(
        "/idporten/userinfo", HTTP_AUTHORIZATION=f"Bearer {deeply_nested_jwt(header=DEEP)}"
    )
    assert response.status_code == 401
    response = Browser().post(
        "/api/krr/v1/personer",
        {"personidentifikatorer": ["01017012345"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {deeply_nested_jwt(header=DEEP)}",
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"
