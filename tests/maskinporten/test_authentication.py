"""MaskinportenAuthentication and HasScope on agency APIs: the token must still be in force, and a
revocation bites within MASKINPORTEN_REVOCATION_CHECK_SECONDS."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone
from jose import jwt
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns
from idporten import keys
from maskinporten import services
from maskinporten.drf import HasScope, MaskinportenAuthentication, token_has_scope
from tests.maskinporten import factories
from tests.maskinporten.factories import GRANT_TYPE, ISSUER, KeyPair, grant
from tests.virksomheter import pki
from virksomheter import services as virksomheter

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

KONTAKT = "krr:global/kontaktinformasjon.read"


class ContactView(APIView):
    authentication_classes = [MaskinportenAuthentication]
    permission_classes = [HasScope]
    required_scopes = [KONTAKT]

    def get(self, request):
        return Response(
            {
                "organisation": request.user.organisation_number,
                "supplier": request.user.supplier_number,
                "old_name": token_has_scope(request, "krr:kontaktinformasjon"),
                "mailbox": token_has_scope(request, "krr:global/digitalpost.read"),
            }
        )


class OldNameView(ContactView):
    required_scopes = ["krr:kontaktinformasjon"]


urlpatterns = [
    path("test/kontakt", ContactView.as_view()),
    path("test/gammel", OldNameView.as_view()),
    *project_urlpatterns,
]


@pytest.fixture
def agency():
    return factories.organisation(scopes=[KONTAKT])


@pytest.fixture
def key():
    return KeyPair()


@pytest.fixture
def registered(agency, key):
    return factories.client(agency, keys=[key])


def token_for(browser, assertion) -> str:
    response = browser.post("/maskinporten/token", {"grant_type": GRANT_TYPE, "assertion": assertion})
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def call(browser, token, url="/test/kontakt"):
    return browser.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def assert_refused(response):
    assert response.status_code == 401, response.content
    assert response.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_token_works_and_names_its_organisation(client, registered, key):
    answer = call(client, token_for(client, grant(registered.client_id, key))).json()
    assert answer == {
        "organisation": "974312344",
        "supplier": "974312344",
        "old_name": True,
        "mailbox": False,
    }


def test_a_token_asked_with_the_old_name_passes_a_view_requiring_the_real_one(client, registered, key):
    token = token_for(client, grant(registered.client_id, key, scope="krr:kontaktinformasjon"))
    assert call(client, token).status_code == 200
    assert call(client, token, "/test/gammel").status_code == 200


def test_a_token_without_the_scope_is_403(client, agency):
    virksomheter.grant_scope(agency, "digitalpostinnbygger:send", granted_by="test")
    sender_key = KeyPair()
    other = factories.client(agency, scopes=["digitalpostinnbygger:send"], keys=[sender_key])
    token = token_for(client, grant(other.client_id, sender_key, scope="digitalpostinnbygger:send"))
    response = call(client, token)
    assert response.status_code == 403 and response.json()["error"] == "insufficient_scope"


def test_a_delegated_token_names_customer_and_supplier(client, agency, registered, key):
    customer = factories.organisation("923609016", scopes=[KONTAKT], name="Kunde")
    services.delegate_scope(customer=customer, supplier=agency, scope=KONTAKT, granted_by="kunde-admin")
    token = token_for(client, grant(registered.client_id, key, consumer_org="923609016"))
    answer = call(client, token).json()
    assert answer["organisation"] == "923609016" and answer["supplier"] == "974312344"


def test_a_token_signed_by_the_issuer_but_never_issued_is_refused(client, registered):
    now = int(time.time())
    forged = keys.sign(
        {"iss": ISSUER, "client_id": registered.client_id, "consumer": {"authority": "iso6523-actorid-upis",
         "ID": "0192:974312344"}, "scope": KONTAKT, "token_type": "Bearer", "iat": now, "exp": now + 60,
         "jti": "never-issued"},
        token_type="at+jwt",
    )  # fmt: skip
    assert_refused(call(client, forged))


def test_an_id_porten_style_token_with_another_issuer_is_refused(client, registered, key):
    token = token_for(client, grant(registered.client_id, key))
    claims = jwt.get_unverified_claims(token)
    other = keys.sign({**claims, "iss": "http://testserver"}, token_type="at+jwt")
    assert_refused(call(client, other))


def test_deactivated_client_stops_its_tokens(client, registered, key):
    token = token_for(client, grant(registered.client_id, key))
    assert call(client, token).status_code == 200
    services.change_client(registered, scopes=registered.scopes, active=False, changed_by="test")
    assert_refused(call(client, token))


def test_revoked_key_stops_its_tokens(client, registered, key):
    token = token_for(client, grant(registered.client_id, key))
    services.revoke_client_key(registered, key.kid, revoked_by="test")
    assert_refused(call(client, token))


def test_revoked_certificate_stops_its_tokens(client, registered):
    root = pki.make_ca()
    trusted = pki.trust(root)
    leaf = pki.make_leaf(root)
    token = token_for(client, grant(registered.client_id, leaf.key, x5c=factories.x5c(leaf)))
    assert call(client, token).status_code == 200
    virksomheter.revoke_certificate(
        trusted, format(leaf.certificate.serial_number, "x"), revoked_at=timezone.now(), revoked_by="test"
    )
    assert_refused(call(client, token))


def test_withdrawn_scope_grant_stops_its_tokens(client, agency, registered, key):
    token = token_for(client, grant(registered.client_id, key))
    virksomheter.withdraw_scope(agency, KONTAKT, withdrawn_by="test")
    assert_refused(call(client, token))


def test_revoked_delegation_stops_its_tokens(client, agency, registered, key):
    customer = factories.organisation("923609016", scopes=[KONTAKT], name="Kunde")
    delegation = services.delegate_scope(
        customer=customer, supplier=agency, scope=KONTAKT, granted_by="kunde"
    )
    token = token_for(client, grant(registered.client_id, key, consumer_org="923609016"))
    assert call(client, token).status_code == 200
    services.revoke_delegation(delegation, revoked_by="kunde")
    assert_refused(call(client, token))


def test_revocation_bites_at_a_felles_api(client, agency, key):
    virksomheter.grant_scope(agency, "felles:signering/oppdrag", granted_by="test")
    registered = factories.client(agency, scopes=["felles:signering/oppdrag"], keys=[key])
    token = token_for(client, grant(registered.client_id, key, scope="felles:signering/oppdrag"))
    url = "/api/signering/v1/oppdrag"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    services.revoke_client_key(registered, key.kid, revoked_by="test")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_scope_removed_from_the_client_stops_its_tokens_at_a_felles_api(client, agency, key):
    virksomheter.grant_scope(agency, "felles:signering/oppdrag", granted_by="test")
    registered = factories.client(agency, scopes=[KONTAKT, "felles:signering/oppdrag"], keys=[key])
    token = token_for(client, grant(registered.client_id, key, scope="felles:signering/oppdrag"))
    url = "/api/signering/v1/oppdrag"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    services.change_client(registered, scopes=[KONTAKT], active=True, changed_by="test")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_token_with_an_old_scope_name_stays_in_force_while_the_client_has_the_scope(
    client, registered, key
):
    token = token_for(client, grant(registered.client_id, key, scope="krr:kontaktinformasjon"))
    assert call(client, token).status_code == 200


def test_a_switched_off_trusted_issuer_stops_the_certificate_tokens_it_backed(client, registered):
    root = pki.make_ca()
    trusted = pki.trust(root)
    leaf = pki.make_leaf(root)
    token = token_for(client, grant(registered.client_id, leaf.key, x5c=factories.x5c(leaf)))
    assert call(client, token).status_code == 200
    trusted.active = False
    virksomheter.save_trusted_issuer(trusted, changed_by="test")
    assert_refused(call(client, token))


def test_the_revocation_check_is_one_query(registered, key):
    body = services.issue_token(
        grant_type=GRANT_TYPE, assertion=grant(registered.client_id, key), issuer=ISSUER
    )
    jti = jwt.get_unverified_claims(body["access_token"])["jti"]
    with CaptureQueriesContext(connection) as queries:
        assert services.in_force(jti, [KONTAKT])
    assert len(queries.captured_queries) == 1


def test_within_the_check_time_a_token_used_again_costs_no_query(client, settings, registered, key):
    settings.MASKINPORTEN_REVOCATION_CHECK_SECONDS = 2
    token = token_for(client, grant(registered.client_id, key))
    assert call(client, token).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert call(client, token).status_code == 200
    assert [query["sql"] for query in queries.captured_queries] == []


def test_after_the_check_time_a_revocation_bites(client, settings, registered, key, monkeypatch):
    settings.MASKINPORTEN_REVOCATION_CHECK_SECONDS = 2
    token = token_for(client, grant(registered.client_id, key))
    assert call(client, token).status_code == 200
    services.revoke_client_key(registered, key.kid, revoked_by="test")
    clock = time.monotonic() + 2.5
    monkeypatch.setattr("maskinporten.services.revocation.time.monotonic", lambda: clock)
    assert_refused(call(client, token))


def test_an_expired_token_is_refused(client, registered, key):
    token = token_for(client, grant(registered.client_id, key))
    claims = jwt.get_unverified_claims(token)
    expired = keys.sign({**claims, "exp": int(time.time()) - 1}, token_type="at+jwt")
    assert_refused(call(client, expired))


@pytest.mark.parametrize("header", ["Bearer ", "Bearer x.y.z", "Bearer " + "a" * 5000])
def test_garbage_tokens_are_401(client, header):
    assert call(client, header.removeprefix("Bearer ")).status_code == 401


def test_purge_expired_removes_records_of_expired_tokens(client, registered, key):
    from maskinporten.models import IssuedToken

    token_for(client, grant(registered.client_id, key))
    assert services.purge_expired(timezone.now()) == {}
    assert services.purge_expired(timezone.now() + timedelta(seconds=121)) == {"maskinporten.IssuedToken": 1}
    assert not IssuedToken.objects.exists()
