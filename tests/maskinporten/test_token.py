"""The token endpoint, driven as Digdir documents it: a JWT grant with kid or x5c, form-posted."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from jose import jwt

from core.models import AuditEvent
from maskinporten import services
from maskinporten.models import IssuedToken
from tests.maskinporten import factories
from tests.maskinporten.factories import GRANT_TYPE, ISSUER, KeyPair, grant
from tests.virksomheter import pki
from virksomheter import services as virksomheter

pytestmark = pytest.mark.django_db

TOKEN_URL = "/maskinporten/token"
KONTAKT = "krr:global/kontaktinformasjon.read"
DIGITALPOST = "krr:global/digitalpost.read"


@pytest.fixture
def agency():
    return factories.organisation(scopes=[KONTAKT, DIGITALPOST])


@pytest.fixture
def key():
    return KeyPair()


@pytest.fixture
def registered(agency, key):
    return factories.client(agency, keys=[key])


@pytest.fixture
def ca():
    root = pki.make_ca()
    pki.trust(root)
    return root


@pytest.fixture
def leaf(ca, agency):
    return pki.make_leaf(ca)


def post(browser, assertion, url=TOKEN_URL):
    return browser.post(url, {"grant_type": GRANT_TYPE, "assertion": assertion})


def issued(browser, assertion, url=TOKEN_URL) -> dict:
    response = post(browser, assertion, url)
    assert response.status_code == 200, response.content
    body = response.json()
    return {**body, "claims": jwt.get_unverified_claims(body["access_token"])}


def refused(browser, assertion, error="invalid_grant", url=TOKEN_URL) -> dict:
    response = post(browser, assertion, url)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == error, response.json()
    assert response["Cache-Control"] == "no-store"
    return response.json()


def test_grant_with_registered_kid_gets_a_token_with_the_real_claims(client, registered, key):
    body = issued(client, grant(registered.client_id, key))
    claims = body["claims"]
    assert set(claims) == {
        "iss",
        "client_id",
        "client_amr",
        "consumer",
        "scope",
        "token_type",
        "iat",
        "exp",
        "jti",
    }
    assert claims["iss"] == ISSUER and claims["client_id"] == registered.client_id
    assert claims["client_amr"] == "private_key_jwt" and claims["token_type"] == "Bearer"
    assert claims["consumer"] == {"authority": "iso6523-actorid-upis", "ID": "0192:974312344"}
    assert claims["scope"] == KONTAKT and claims["exp"] - claims["iat"] == 120
    assert jwt.get_unverified_header(body["access_token"])["typ"] == "at+jwt"
    assert body["token_type"] == "Bearer" and body["expires_in"] == 120 and body["scope"] == KONTAKT


def test_the_token_verifies_against_the_published_jwk(client, registered, key):
    token = issued(client, grant(registered.client_id, key))["access_token"]
    jwks = client.get("/maskinporten/jwk").json()
    assert jwt.decode(token, jwks, algorithms=["RS256"], issuer=ISSUER)["client_id"] == registered.client_id


def test_grant_with_enterprise_certificate_gets_a_virksomhetssertifikat_token(client, registered, leaf):
    claims = issued(client, grant(registered.client_id, leaf.key, x5c=factories.x5c(leaf)))["claims"]
    assert claims["client_amr"] == "virksomhetssertifikat"
    assert claims["consumer"]["ID"] == "0192:974312344"


def test_certificate_of_another_organisation_is_refused(client, ca, registered):
    factories.organisation("923609016", name="Annen etat")
    other = pki.make_leaf(ca, "923609016")
    body = refused(client, grant(registered.client_id, other.key, x5c=factories.x5c(other)))
    assert "another organisation" in body["error_description"]


@pytest.mark.parametrize("audience", [ISSUER, ISSUER.rstrip("/")])
def test_aud_is_accepted_with_and_without_trailing_slash(client, registered, key, audience):
    assert issued(client, grant(registered.client_id, key, audience=audience))["claims"]["iss"] == ISSUER


@pytest.mark.parametrize(
    "audience", ["http://testserver", "https://maskinporten.no/", f"{ISSUER}token", [ISSUER, "https://x/"]]
)
def test_other_aud_is_refused(client, registered, key, audience):
    refused(client, grant(registered.client_id, key, audience=audience))


def test_old_api_token_is_an_alias_with_the_same_issuer(client, registered, key):
    claims = issued(client, grant(registered.client_id, key), url="/api/token")["claims"]
    assert claims["iss"] == ISSUER
    # Felles' first clients named the host alone as aud; the alias still takes it, the new path not.
    issued(client, grant(registered.client_id, key, audience="http://testserver"), url="/api/token")
    refused(client, grant(registered.client_id, key, audience="http://testserver"))


def test_unknown_client_is_refused(client, registered, key):
    body = refused(client, grant("974312344", key))
    assert "Client authentication failed" in body["error_description"]


def test_inactive_client_is_refused(client, registered, key):
    services.change_client(registered, scopes=registered.scopes, active=False, changed_by="test")
    refused(client, grant(registered.client_id, key))


def test_unknown_kid_is_refused(client, registered):
    body = refused(client, grant(registered.client_id, KeyPair()))
    assert "Unknown key identifier (kid)" in body["error_description"]


def test_another_clients_kid_is_refused(client, agency, registered):
    other_key = KeyPair()
    factories.client(agency, keys=[other_key])
    refused(client, grant(registered.client_id, other_key))


def test_revoked_key_is_refused(client, registered, key):
    services.revoke_client_key(registered, key.kid, revoked_by="test")
    refused(client, grant(registered.client_id, key))


def test_expired_key_is_refused(client, registered, key):
    registered.keys.update(
        added_at=timezone.now() - timedelta(days=400), expires_at=timezone.now() - timedelta(days=35)
    )
    refused(client, grant(registered.client_id, key))


def test_kid_with_a_signature_by_another_key_is_refused(client, registered, key):
    impostor = KeyPair(kid=key.kid)
    refused(client, grant(registered.client_id, impostor))


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_rsa_algorithms_are_accepted(client, registered, key, algorithm):
    issued(client, grant(registered.client_id, key, algorithm=algorithm))


def test_es256_with_a_registered_ec_key(client, agency):
    ec_key = KeyPair("ec")
    registered = factories.client(agency, keys=[ec_key])
    assert issued(client, grant(registered.client_id, ec_key))["claims"]["client_amr"] == "private_key_jwt"


def test_algorithm_must_fit_the_key(client, agency, registered, key):
    ec_key = KeyPair("ec")
    factories.client(agency, keys=[ec_key])
    # An RSA key named as a kid but the header says ES256: refused before any signature check.
    ec_registered = factories.client(agency, keys=[KeyPair("ec", kid="ec1")])
    forged = jwt.encode(
        {"aud": ISSUER, "iss": ec_registered.client_id, "scope": KONTAKT, "iat": int(time.time()),
         "exp": int(time.time()) + 60, "jti": "x1"},
        key.private_pem, algorithm="RS256", headers={"kid": "ec1"},
    )  # fmt: skip
    assert "cannot sign with RS256" in refused(client, forged)["error_description"]


def test_hs256_is_refused(client, registered):
    token = jwt.encode(
        {"aud": ISSUER, "iss": registered.client_id, "scope": KONTAKT, "iat": int(time.time()),
         "exp": int(time.time()) + 60, "jti": "x2"},
        "secret", algorithm="HS256", headers={"kid": "k"},
    )  # fmt: skip
    refused(client, token)


@pytest.fixture
def stopped_clock(monkeypatch):
    """Our clock stands still at a whole second, so that a slow machine cannot move the boundary."""
    now = int(time.time())
    monkeypatch.setattr(timezone, "now", lambda: datetime.fromtimestamp(now, UTC))
    return now


@pytest.mark.parametrize("offset", [-11, 11])
def test_iat_more_than_ten_seconds_off_is_refused(client, registered, key, offset, stopped_clock):
    refused(client, grant(registered.client_id, key, issued_at=stopped_clock + offset))


@pytest.mark.parametrize("offset", [-10, -8, 10])
def test_iat_within_ten_seconds_is_accepted(client, registered, key, offset, stopped_clock):
    issued(client, grant(registered.client_id, key, issued_at=stopped_clock + offset))


def test_exp_more_than_120_seconds_after_iat_is_refused(client, registered, key):
    refused(client, grant(registered.client_id, key, lifetime=121))
    issued(client, grant(registered.client_id, key, lifetime=120))


def test_a_grant_is_used_once(client, registered, key):
    assertion = grant(registered.client_id, key)
    issued(client, assertion)
    assert "jti" in refused(client, assertion)["error_description"]


@pytest.mark.parametrize("missing", ["aud", "iss", "iat", "exp", "jti"])
def test_required_claims(client, registered, key, missing):
    refused(client, grant(registered.client_id, key, without=(missing,)))


def test_scope_the_client_is_not_registered_for_is_invalid_scope(client, agency, key):
    narrow = factories.client(agency, scopes=[KONTAKT], keys=[key])
    refused(client, grant(narrow.client_id, key, scope=DIGITALPOST), error="invalid_scope")


def test_unknown_scope_is_invalid_scope(client, registered, key):
    refused(client, grant(registered.client_id, key, scope="skatt:inntekt"), error="invalid_scope")


def test_withdrawn_scope_grant_is_invalid_scope(client, agency, registered, key):
    virksomheter.withdraw_scope(agency, DIGITALPOST, withdrawn_by="test")
    refused(client, grant(registered.client_id, key, scope=DIGITALPOST), error="invalid_scope")


def test_old_scope_name_is_an_alias_and_the_token_carries_the_name_asked(client, registered, key):
    body = issued(client, grant(registered.client_id, key, scope="krr:kontaktinformasjon"))
    assert body["claims"]["scope"] == "krr:kontaktinformasjon" == body["scope"]


def test_resource_becomes_the_tokens_aud(client, registered, key):
    claims = issued(client, grant(registered.client_id, key, resource=["https://api.example.no/"]))["claims"]
    assert claims["aud"] == ["https://api.example.no/"]
    assert "aud" not in issued(client, grant(registered.client_id, key))["claims"]


def test_resource_of_the_wrong_shape_is_refused(client, registered, key):
    refused(client, grant(registered.client_id, key, resource={"a": 1}))


# Delegation (consumer_org)


@pytest.fixture
def customer():
    return factories.organisation("923609016", scopes=[KONTAKT, DIGITALPOST], name="Kunde kommune")


def test_consumer_org_without_delegation_is_refused(client, customer, registered, key):
    body = refused(client, grant(registered.client_id, key, consumer_org="923609016"))
    assert "923609016" in body["error_description"]
    assert not IssuedToken.objects.exists()


def test_consumer_org_with_delegation_names_customer_as_consumer_and_supplier(
    client, agency, customer, registered, key
):
    services.delegate_scope(customer=customer, supplier=agency, scope=KONTAKT, granted_by="kunde-admin")
    claims = issued(client, grant(registered.client_id, key, consumer_org="923609016"))["claims"]
    assert claims["consumer"] == {"authority": "iso6523-actorid-upis", "ID": "0192:923609016"}
    assert claims["supplier"] == {"authority": "iso6523-actorid-upis", "ID": "0192:974312344"}


def test_delegation_must_cover_every_scope_asked(client, agency, customer, registered, key):
    services.delegate_scope(customer=customer, supplier=agency, scope=KONTAKT, granted_by="kunde-admin")
    refused(
        client, grant(registered.client_id, key, consumer_org="923609016", scope=f"{KONTAKT} {DIGITALPOST}")
    )


def test_revoked_delegation_is_refused(client, agency, customer, registered, key):
    delegation = services.delegate_scope(
        customer=customer, supplier=agency, scope=KONTAKT, granted_by="kunde-admin"
    )
    services.revoke_delegation(delegation, revoked_by="kunde-admin")
    refused(client, grant(registered.client_id, key, consumer_org="923609016"))


def test_delegation_to_another_supplier_is_refused(client, agency, customer, registered, key):
    third = factories.organisation("991825827", scopes=[], name="Tredje")
    services.delegate_scope(customer=customer, supplier=third, scope=KONTAKT, granted_by="kunde-admin")
    refused(client, grant(registered.client_id, key, consumer_org="923609016"))


@pytest.mark.parametrize("value", ["92360901", 923609016, "", "0192:923609016"])
def test_malformed_consumer_org_is_refused(client, registered, key, value):
    refused(client, grant(registered.client_id, key, consumer_org=value))


# The audit trail


def test_issued_and_refused_tokens_are_in_the_audit_trail(client, registered, key):
    issued(client, grant(registered.client_id, key))
    event = AuditEvent.objects.get(action="maskinporten.token_issued")
    assert event.actor == "974312344" and event.object_id == registered.client_id
    assert event.details["kid"] == key.kid
    refused(client, grant(registered.client_id, key, lifetime=500))
    refusal = AuditEvent.objects.get(action="maskinporten.token_refused")
    assert refusal.outcome == "denied" and refusal.details["error"] == "invalid_grant"


# Hostile input never gives a 500


def test_deeply_nested_json_in_the_grant_is_refused(client):
    import base64

    deep = '{"alg": "RS256", "x": ' + "[" * 10_000 + "]" * 10_000 + "}"
    segment = base64.urlsafe_b64encode(deep.encode()).decode().rstrip("=")
    refused(client, f"{segment}.e30.c2ln")
    refused(client, f"e30.{segment}.c2ln")


def test_huge_x5c_is_refused(client, registered, leaf):
    assertion = grant(registered.client_id, leaf.key, x5c=["QUFB" * 10_000] * 5)
    response = post(client, assertion)
    assert response.status_code == 400


def test_two_megabyte_assertion_is_refused(client):
    response = post(client, "a" * 2_000_000)
    assert response.status_code in (400, 413) and response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "header",
    [{"kid": None}, {"kid": 5}, {"kid": "x" * 5000}, {"kid": "a\x00b"}, {"x5c": "nope"}, {"x5c": [1]}, {}],
)
def test_odd_headers_are_invalid_grant(client, registered, key, header):
    body = {"aud": ISSUER, "iss": registered.client_id, "scope": KONTAKT, "iat": int(time.time()),
            "exp": int(time.time()) + 60, "jti": "odd"}  # fmt: skip
    refused(client, jwt.encode(body, key.private_pem, algorithm="RS256", headers=header))


@pytest.mark.parametrize("iss", [None, 5, ["a"], "x" * 500, "a\x00b"])
def test_odd_iss_is_invalid_grant(client, registered, key, iss):
    refused(client, grant(iss, key))


@pytest.mark.parametrize("value", [None, "soon", 1e400, True, -1])
@pytest.mark.parametrize("name", ["iat", "exp", "nbf"])
def test_absurd_dates_are_invalid_grant(client, registered, key, name, value):
    refused(client, grant(registered.client_id, key, **{name: value}))


def test_nbf_in_the_future_is_refused(client, registered, key):
    refused(client, grant(registered.client_id, key, nbf=int(time.time()) + 30))


@pytest.mark.parametrize("sub", [5, "", "a\x00b"])
def test_odd_sub_is_refused(client, registered, key, sub):
    refused(client, grant(registered.client_id, key, sub=sub))


def test_delegated_scope_the_client_is_not_registered_for_is_invalid_scope(client, agency, customer, key):
    """Digdir: the client must have the scope registered, also when it asks on a customer's behalf."""
    narrow = factories.client(agency, scopes=[KONTAKT], keys=[key])
    services.delegate_scope(customer=customer, supplier=agency, scope=DIGITALPOST, granted_by="kunde-admin")
    body = refused(
        client,
        grant(narrow.client_id, key, scope=DIGITALPOST, consumer_org="923609016"),
        error="invalid_scope",
    )
    assert DIGITALPOST in body["error_description"]
    assert not IssuedToken.objects.exists()


def test_wrong_aud_at_the_old_endpoint_names_the_issuer(client, registered, key):
    body = refused(client, grant(registered.client_id, key, audience="https://x/"), url="/api/token")
    assert body["error_description"] == f"The assertion's aud must be the single value {ISSUER}."
