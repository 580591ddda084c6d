import time
from datetime import timedelta

import pytest
from django.urls import path
from django.utils import timezone
from jose import jwt
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns
from core.models import AuditEvent
from idporten import keys
from maskinporten.drf import HasScope, MaskinportenAuthentication
from maskinporten.services import GRANT_TYPE
from tests.idporten import factories
from tests.idporten.factories import Browser as Client
from tests.virksomheter import pki
from tests.virksomheter.factories import new_organisation
from virksomheter import services
from virksomheter.models import RevokedCertificate, TrustedIssuer, UsedGrantJti

# The DRF classes are tried on test-only views beside the project's own urls.
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

TOKEN_URL = "/api/token"


class ContactView(APIView):
    authentication_classes = [MaskinportenAuthentication]
    permission_classes = [HasScope]
    required_scopes = ["krr:kontaktinformasjon"]

    def get(self, request):
        return Response({"organisation": request.user.organisation_number, "scope": request.auth["scope"]})


class MailboxView(ContactView):
    required_scopes = ["krr:digitalpost"]


urlpatterns = [
    path("test/kontakt", ContactView.as_view()),
    path("test/postkasse", MailboxView.as_view()),
    *project_urlpatterns,
]


@pytest.fixture
def organisation():
    organisation = services.save_organisation(new_organisation(), changed_by="test")
    services.grant_scope(organisation, "krr:kontaktinformasjon", granted_by="test")
    services.accept_terms(organisation, accepted_by="test")
    return organisation


@pytest.fixture
def ca():
    root = pki.make_ca()
    pki.trust(root)
    return root


@pytest.fixture
def leaf(ca, organisation):
    return pki.make_leaf(ca)


def request_token(browser, assertion, grant_type=GRANT_TYPE):
    return browser.post(TOKEN_URL, {"grant_type": grant_type, "assertion": assertion})


def refused(browser, assertion, error="invalid_grant", **extra):
    response = request_token(browser, assertion, **extra)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == error
    assert response["Cache-Control"] == "no-store"
    return response.json()


def test_grant_gives_token_that_opens_a_scoped_endpoint(client, leaf):
    response = request_token(client, pki.grant(leaf))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 120
    assert body["scope"] == "krr:kontaktinformasjon"
    claims = keys.verify(body["access_token"], issuer="http://testserver", audience="http://testserver")
    assert claims["consumer"] == {"authority": "iso6523-actorid-upis", "ID": "0192:974312344"}
    assert claims["client_amr"] == "virksomhetssertifikat" and claims["token_type"] == "maskinporten"
    assert claims["exp"] - claims["iat"] == 120
    api = client.get("/test/kontakt", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert api.status_code == 200
    assert api.json() == {"organisation": "974312344", "scope": "krr:kontaktinformasjon"}
    event = AuditEvent.objects.get(action="maskinporten.token_issued")
    assert event.actor == "974312344"


def test_es256_grant_through_intermediate_is_accepted(client, organisation):
    root = pki.make_ca(kind="ec")
    pki.trust(root)
    intermediate = pki.make_intermediate(root, kind="ec")
    leaf = pki.make_leaf(intermediate, kind="ec")
    response = request_token(client, pki.grant(leaf, chain=[intermediate]))
    assert response.status_code == 200, response.content


def test_two_scopes_in_one_grant(client, organisation, leaf):
    services.grant_scope(organisation, "krr:digitalpost", granted_by="test")
    response = request_token(client, pki.grant(leaf, scope="krr:kontaktinformasjon krr:digitalpost"))
    assert response.json()["scope"] == "krr:kontaktinformasjon krr:digitalpost"


def test_expired_certificate_is_invalid_grant(client, ca, organisation):
    now = timezone.now()
    leaf = pki.make_leaf(ca, not_before=now - timedelta(days=9), not_after=now - timedelta(days=1))
    assert "utløpt" in refused(client, pki.grant(leaf))["error_description"]


def test_not_yet_valid_certificate_is_invalid_grant(client, ca, organisation):
    now = timezone.now()
    leaf = pki.make_leaf(ca, not_before=now + timedelta(days=1), not_after=now + timedelta(days=9))
    assert "ikke gyldig ennå" in refused(client, pki.grant(leaf))["error_description"]


def test_revoked_certificate_is_invalid_grant(client, leaf):
    RevokedCertificate.objects.create(
        issuer=TrustedIssuer.objects.get(),
        serial=format(leaf.certificate.serial_number, "x"),
        revoked_at=timezone.now(),
    )
    assert "tilbakekalt" in refused(client, pki.grant(leaf))["error_description"]


def test_self_signed_certificate_is_invalid_grant(client, organisation):
    assert "selvsignert" in refused(client, pki.grant(pki.make_leaf(None)))["error_description"]


def test_untrusted_issuer_is_invalid_grant(client, organisation, ca):
    leaf = pki.make_leaf(pki.make_ca("Someone Else CA"))
    assert "godkjent utsteder" in refused(client, pki.grant(leaf))["error_description"]


def test_unregistered_organisation_is_invalid_grant(client, organisation, ca):
    leaf = pki.make_leaf(ca, "964201013")
    assert "964201013" in refused(client, pki.grant(leaf))["error_description"]


def test_wrong_audience_is_invalid_grant(client, leaf):
    body = refused(client, pki.grant(leaf, audience="https://maskinporten.no/"))
    assert "aud" in body["error_description"]


def test_assertion_living_longer_than_120_seconds_is_invalid_grant(client, leaf):
    assert "120" in refused(client, pki.grant(leaf, lifetime=121))["error_description"]


def test_expired_assertion_is_invalid_grant(client, leaf):
    old = int(time.time()) - 300
    assert "expired" in refused(client, pki.grant(leaf, iat=old))["error_description"]


@pytest.mark.parametrize("claim", ["iss", "jti", "iat"])
def test_assertion_without_required_claim_is_invalid_grant(client, leaf, claim):
    refused(client, pki.grant(leaf, without=(claim,)))
    assert not UsedGrantJti.objects.exists()


def test_replayed_jti_is_invalid_grant(client, leaf):
    assertion = pki.grant(leaf)
    assert request_token(client, assertion).status_code == 200
    assert "allerede brukt" in refused(client, assertion)["error_description"]
    assert UsedGrantJti.objects.count() == 1


def test_unknown_scope_is_invalid_scope(client, leaf):
    refused(client, pki.grant(leaf, scope="krr:alt"), error="invalid_scope")


def test_scope_not_granted_is_invalid_scope(client, leaf):
    refused(client, pki.grant(leaf, scope="krr:digitalpost"), error="invalid_scope")


def test_terms_not_accepted_is_invalid_scope(client, leaf, organisation):
    organisation.terms_acceptances.all().delete()
    body = refused(client, pki.grant(leaf), error="invalid_scope")
    assert "bruksvilkårene" in body["error_description"]


def test_grant_signed_with_another_key_is_invalid_grant(client, leaf):
    body = refused(client, pki.grant(leaf, signing_key=pki.new_key()))
    assert "signature" in body["error_description"]
    assert not UsedGrantJti.objects.exists()


def test_grant_without_x5c_is_invalid_grant(client, leaf):
    assert "x5c" in refused(client, pki.grant(leaf, headers={}))["error_description"]


def test_hs256_grant_is_invalid_grant(client, leaf):
    x5c = jwt.get_unverified_header(pki.grant(leaf))["x5c"]
    assertion = jwt.encode({"aud": "http://testserver"}, "secret", algorithm="HS256", headers={"x5c": x5c})
    refused(client, assertion)


def test_unsupported_grant_type(client, leaf):
    refused(client, pki.grant(leaf), error="unsupported_grant_type", grant_type="client_credentials")


def test_refusals_are_in_the_audit_trail(client, leaf):
    refused(client, pki.grant(leaf, audience="https://elsewhere.example.no"))
    refused(client, pki.grant(pki.make_leaf(None)))
    refused(client, pki.grant(leaf, scope="krr:digitalpost"), error="invalid_scope")
    events = AuditEvent.objects.filter(action="maskinporten.token_refused").order_by("pk")
    assert [(event.actor, event.outcome, event.details["error"]) for event in events] == [
        ("974312344", "denied", "invalid_grant"),
        ("unknown", "denied", "invalid_grant"),
        ("974312344", "denied", "invalid_scope"),
    ]
    assert "aud" in events[0].details["reason"]
    assert not AuditEvent.objects.filter(action="maskinporten.token_issued").exists()


# The DRF classes, on a test-only view.


def test_missing_token_is_401(client):
    response = client.get("/test/kontakt")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_garbage_token_is_401_invalid_token(client):
    response = client.get("/test/kontakt", HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert response.json()["error"] == "invalid_token"


def test_expired_token_is_401(client):
    now = int(time.time()) - 600
    token = keys.sign(
        {
            "iss": "http://testserver",
            "aud": "http://testserver",
            "consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:974312344"},
            "scope": "krr:kontaktinformasjon",
            "token_type": "maskinporten",
            "iat": now,
            "exp": now + 120,
        },
        token_type="at+jwt",
    )
    response = client.get("/test/kontakt", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_token_without_required_scope_is_403(client, leaf):
    token = request_token(client, pki.grant(leaf)).json()["access_token"]
    response = client.get("/test/postkasse", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"


def test_id_porten_access_token_is_not_a_maskinporten_token(client):
    oidc_client, secret = factories.client()
    browser = Client()
    factories.logged_in(browser)
    access_token = factories.tokens(browser, oidc_client, secret)["access_token"]
    response = browser.get("/test/kontakt", HTTP_AUTHORIZATION=f"Bearer {access_token}")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
