"""ID-porten test helpers: clients, PKCE pairs, and a citizen logged in through MinID."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from django import test

from idporten import services
from minid.models import Login
from tests.minid.factories import PASSWORD, last_code_sent, registered_user
from virksomheter.models import Organisation

REDIRECT_URI = "https://tjeneste.example.no/callback"
FORM = "application/x-www-form-urlencoded"


class Browser(test.Client):
    """The test client posting forms as browsers and OAuth clients do, urlencoded (RFC 6749 section
    3.2 requires it at the token endpoint), rather than as multipart."""

    def post(self, path, data=None, content_type=FORM, **extra):
        if content_type == FORM and isinstance(data, dict):
            data = urlencode(data, doseq=True)
        return super().post(path, data, content_type=content_type, **extra)


def organisation(number="974312344", name="Velferdsetaten"):
    return Organisation.objects.get_or_create(
        organisasjonsnummer=number, defaults={"name_nb": name, "kind": Organisation.Kind.STATE_AGENCY}
    )[0]


def client(**fields):
    """A registered client and its secret."""
    values = {
        "organisation": organisation(),
        "name": "Velferdsetaten Min side",
        "redirect_uris": [REDIRECT_URI],
        "post_logout_redirect_uris": ["https://tjeneste.example.no/logged-out"],
        "scopes": ["openid", "profile"],
        "created_by": "test",
        **fields,
    }
    return services.create_client(**values)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(oidc_client, challenge, **extra) -> dict:
    return {
        "response_type": "code",
        "client_id": oidc_client.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": "state-123",
        "nonce": secrets.token_urlsafe(16),  # a new one each time, as a client must
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


def query(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def minid_login(browser_client, next_url: str, user=None):
    """Log in with MinID through its pages (SMS code from the outbox); returns the final redirect."""
    user = user or registered_user()[0]
    response = browser_client.post(
        f"/minid/logg-inn/?next={next_url}",
        {"fodselsnummer": user.person.identity_number, "password": PASSWORD},
    )
    attempt = Login.objects.filter(user=user).order_by("-started_at").first()
    assert attempt.method == Login.Method.SMS
    return browser_client.post(response.url, {"code": last_code_sent(user, "mobile")}), user


def basic_auth(oidc_client, secret) -> str:
    """The Authorization header for client_secret_basic."""
    return "Basic " + base64.b64encode(f"{oidc_client.client_id}:{secret}".encode()).decode()


def logged_in(browser, *, acr=None, consent=True, identity_number=None):
    """A citizen already logged in to ID-porten in this browser, as right after a MinID login
    (the SSO session is in the browser's session); with consent to common login unless told."""
    from django.utils import timezone

    from idporten.models import LOA_SUBSTANTIAL, SsoSession
    from idporten.services.sso import SESSION_KEY
    from tests.folkeregister.factories import unique_identity_number

    now = timezone.now()
    sso = SsoSession.objects.create(
        sid=secrets.token_urlsafe(24),
        identity_number=identity_number or unique_identity_number(),
        acr=acr or LOA_SUBSTANTIAL,
        amr="Minid-OTC",
        auth_time=now.replace(microsecond=0),
        last_seen=now,
    )
    session = browser.session
    session[SESSION_KEY] = sso.sid
    session.save()
    if consent:
        services.give_consent(sso.identity_number)
    return sso


def login_with_minid(browser, oidc_client, challenge, *, user=None, **extra):
    """Authorize, choose MinID in the picker, log in with an SMS code and consent if asked.
    Returns the redirect back to the client and the MinID user."""
    response = browser.get("/idporten/authorize", authorize_params(oidc_client, challenge, **extra))
    assert "/idporten/velg/" in response.url, response.url
    to_minid = browser.get(response.url + "minid/")
    final, user = minid_login(browser, query(to_minid.url)["next"], user=user)
    response = browser.get(final.url)
    if "/idporten/samtykke/" in response.url:
        response = browser.post(response.url, {"answer": "yes"})
    return response, user


def authorize_code(browser, oidc_client, challenge, **extra) -> str:
    """The code of an authorization request answered at once (the browser has an SSO session)."""
    response = browser.get("/idporten/authorize", authorize_params(oidc_client, challenge, **extra))
    assert response.status_code == 302 and response.url.startswith(REDIRECT_URI), response.url
    return query(response.url)["code"]


def token_request(browser, oidc_client, secret, **form):
    return browser.post(
        "/idporten/token",
        urlencode(form),
        content_type=FORM,
        HTTP_AUTHORIZATION=basic_auth(oidc_client, secret),
    )


def exchange(browser, oidc_client, secret, code, verifier, **overrides):
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    return token_request(browser, oidc_client, secret, **{**form, **overrides})


def tokens(browser, oidc_client, secret, **extra) -> dict:
    """Access, ID and refresh token for the browser's logged-in citizen."""
    verifier, challenge = pkce()
    code = authorize_code(browser, oidc_client, challenge, **extra)
    response = exchange(browser, oidc_client, secret, code, verifier)
    assert response.status_code == 200, response.content
    return response.json()


def verified_claims(browser, token: str, **options) -> dict:
    """A token's claims, its signature checked with the published key its kid names, with that
    key's algorithm only."""
    from jose import jwt

    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in browser.get("/idporten/jwks").json()["keys"] if k["kid"] == kid)
    return jwt.decode(token, key, algorithms=[key["alg"]], **options)
