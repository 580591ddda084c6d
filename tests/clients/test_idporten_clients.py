"""ID-porten driven over HTTP by two relying-party libraries Felles did not write: node openid-client 6
(npm, tests/clients/idporten_rp.mjs) and Authlib's OAuth2Session (PyPI). Each logs a MinID citizen in
through the live server with discovery, PKCE, state, nonce, PAR and private_key_jwt (or openid-client's
documented defaults where ID-porten's profile allows them), checks the answer as its library does
(RFC 9207 iss, the ID token against the JWKS), then uses userinfo, refresh, introspection, revocation
and logout. The set-up registers the client and the citizen through Felles' services; the citizen's
part is a browser (requests.Session) that follows the pages as they come."""

import json
import secrets
import select
import shutil
import subprocess
import time
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7523.assertion import private_key_jwt_sign
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from idporten.models import LOA_SUBSTANTIAL, SsoSession
from minid.models import MinidUser
from tests.idporten.factories import REDIRECT_URI, client
from tests.minid.factories import PASSWORD, last_code_sent, registered_user

pytestmark = pytest.mark.django_db(transaction=True)

RP_SCRIPT = Path(__file__).with_name("idporten_rp.mjs")
POST_LOGOUT_REDIRECT_URI = "https://tjeneste.example.no/logged-out"
NODE = shutil.which("node")


# The citizen's browser -------------------------------------------------------------------------------


class _Page(HTMLParser):
    """A page's POST forms (their action and the values of their inputs and buttons) and links."""

    def __init__(self, text: str):
        super().__init__()
        self.forms: list[dict] = []
        self.links: dict[str, str] = {}  # text -> href
        self._link: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("method", "get").lower() == "post":
            self.forms.append({"action": attributes.get("action") or "", "fields": {}})
        elif tag in ("input", "button") and self.forms and attributes.get("name"):
            self.forms[-1]["fields"].setdefault(attributes["name"], attributes.get("value") or "")
        elif tag == "a":
            self._link = attributes.get("href")

    def handle_data(self, data):
        if self._link is not None and data.strip():
            self.links.setdefault(data.strip(), self._link)

    def handle_endtag(self, tag):
        if tag == "a":
            self._link = None


class Citizen:
    """A MinID user's browser: follows redirects one by one, answers the pages ID-porten and MinID
    show (picker, password, SMS code, consent) as the citizen would, and stops at the first redirect
    to the client's redirect_uri (which need not be served)."""

    def __init__(self, user: MinidUser):
        self.user = user
        self.session = requests.Session()
        self.pages: list[str] = []  # the paths of the pages the citizen saw

    def close(self):
        self.session.close()

    def _submit(self, page: requests.Response, field: str, values: dict) -> requests.Response:
        form = next(f for f in _Page(page.text).forms if field in f["fields"])
        data = {**form["fields"], **values}
        return self.session.post(urljoin(page.url, form["action"]), data=data, allow_redirects=False)

    def _answer(self, page: requests.Response) -> requests.Response:
        path = urlsplit(page.url).path
        self.pages.append(path)
        if "/idporten/velg/" in path:  # the picker: the citizen chooses MinID
            return self.session.get(urljoin(page.url, _Page(page.text).links["MinID"]), allow_redirects=False)
        if 'name="password"' in page.text:
            fields = {"fodselsnummer": self.user.person.identity_number, "password": PASSWORD}
            return self._submit(page, "password", fields)
        if 'name="code"' in page.text:
            return self._submit(page, "code", {"code": last_code_sent(self.user, "mobile")})
        if "/idporten/samtykke/" in path:
            return self._submit(page, "answer", {"answer": "yes"})
        raise AssertionError(f"unexpected page {path} ({page.status_code}): {page.text[:500]}")

    def log_in(self, authorization_url: str, redirect_uri: str = REDIRECT_URI) -> str:
        """The URL the browser is sent back to the client with."""
        response = self.session.get(authorization_url, allow_redirects=False)
        for _step in range(20):
            if response.is_redirect:
                location = urljoin(response.url, response.headers["Location"])
                if location.startswith(redirect_uri):
                    return location
                response = self.session.get(location, allow_redirects=False)
            else:
                assert response.status_code == 200, (response.status_code, response.text[:500])
                response = self._answer(response)
        raise AssertionError("the login did not come back to the client")

    def log_out(self, end_session_url: str) -> str:
        """Follow the end-session URL, saying yes if asked; the logout page's way on (after the
        front-channel frames)."""
        page = self.session.get(end_session_url, allow_redirects=False)
        assert page.status_code == 200, (page.status_code, page.text[:500])
        if 'name="answer"' in page.text:
            self.pages.append(urlsplit(page.url).path)
            page = self._submit(page, "answer", {"answer": "yes"})
            assert page.status_code == 200, (page.status_code, page.text[:500])
        marker = 'data-logout-destination="'
        assert marker in page.text, page.text[:500]
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)].replace("&amp;", "&")


@pytest.fixture
def citizen():
    user = registered_user()[0]
    browser = Citizen(user)
    yield browser
    browser.close()


@pytest.fixture
def issuer(live_server) -> str:
    return live_server.url


def rsa_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})


def key_client(key, **fields):
    """A client with private_key_jwt and the public half of `key` registered (as in Samarbeidsportalen)."""
    registered, _secret = client(
        auth_method="private_key_jwt",
        jwks={"keys": [key.as_dict(private=False)]},
        may_receive_pid=True,
        **fields,
    )
    return registered


def live_session(user: MinidUser) -> SsoSession:
    return SsoSession.objects.get(identity_number=user.person.identity_number, ended_at__isnull=True)


# node openid-client 6 --------------------------------------------------------------------------------


class RelyingParty:
    """tests/clients/idporten_rp.mjs: prints the authorization URL, is given the callback URL, then
    finishes the login with openid-client and prints what it saw."""

    def __init__(self, **settings):
        if NODE is None or not (RP_SCRIPT.parents[2] / "node_modules/openid-client").is_dir():
            pytest.fail("node and `npm ci` (openid-client) are needed for the relying-party tests")
        self.process = subprocess.Popen(
            [NODE, str(RP_SCRIPT), json.dumps(settings)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def _line(self) -> dict:
        # The script prints one line and waits, so nothing is left in the pipe's buffer to miss.
        ready, _w, _x = select.select([self.process.stdout], [], [], 60)
        assert ready, "openid-client did not answer within 60 s"
        line = self.process.stdout.readline()
        assert line, self.process.stderr.read()
        answer = json.loads(line)
        assert "error" not in answer, answer
        return answer

    def first_answer(self) -> dict:
        """The authorization URL, or what openid-client saw when the request was refused already."""
        return self._line()

    def authorization_url(self) -> str:
        return self.first_answer()["authorization_url"]

    def finish(self, callback_url: str) -> dict:
        self.process.stdin.write(callback_url + "\n")
        self.process.stdin.flush()
        result = self._line()
        assert self.process.wait(timeout=30) == 0, self.process.stderr.read()
        return result

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()


@pytest.fixture
def relying_party():
    started = []

    def start(**settings):
        started.append(RelyingParty(**settings))
        return started[-1]

    yield start
    for rp in started:
        rp.close()


def openid_client_login(relying_party, citizen, issuer, **settings) -> dict:
    rp = relying_party(
        issuer=issuer,
        redirect_uri=REDIRECT_URI,
        post_logout_redirect_uri=POST_LOGOUT_REDIRECT_URI,
        scope="openid profile",
        **settings,
    )
    url = rp.authorization_url()
    return {"authorization_url": url, **rp.finish(citizen.log_in(url))}


def assert_full_login(result: dict, citizen: Citizen, issuer: str, client_id: str):
    """What openid-client saw: a login checked by the library, then each back-channel endpoint."""
    claims = result["id_token_claims"]
    assert result["issuer"] == issuer and result["callback_iss"] == issuer
    assert result["token_type"].lower() == "bearer" and result["expires_in"] > 0
    assert claims["iss"] == issuer and claims["aud"] in (client_id, [client_id])
    assert claims["acr"] == LOA_SUBSTANTIAL and claims["amr"] == ["Minid-OTC"]
    assert claims["pid"] == citizen.user.person.identity_number
    session = live_session(citizen.user)
    assert claims["sid"] == session.sid and claims["auth_time"] == int(session.auth_time.timestamp())
    assert result["userinfo"]["sub"] == claims["sub"]
    assert result["userinfo"]["pid"] == citizen.user.person.identity_number
    assert result["introspected"]["active"] is True and result["introspected"]["client_id"] == client_id
    assert result["refreshed"]["has_access_token"] and result["refreshed"]["new_refresh_token"]
    if result["refreshed"]["id_token_claims"]:
        assert result["refreshed"]["id_token_claims"]["sub"] == claims["sub"]
    assert result["refreshed_userinfo"]["sub"] == claims["sub"]
    assert result["refresh_introspected"]["active"] is True
    # RFC 7009 section 2.1: revoking the refresh token also ends the access tokens of its grant.
    revoked = result["after_revocation"]
    assert revoked["refresh_token"] == {"active": False}
    assert revoked["access_token"] == {"active": False}
    assert revoked["refresh"]["error"] == "invalid_grant"


def assert_logged_out(citizen: Citizen, end_session_url: str, issuer: str, client_id: str):
    end_session = urlsplit(end_session_url)
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == f"{issuer}/idporten/endsession"
    assert parse_qs(end_session.query)["client_id"] == [client_id]
    session = live_session(citizen.user)
    destination = citizen.log_out(end_session_url)
    assert destination.startswith(POST_LOGOUT_REDIRECT_URI + "?state=")
    session.refresh_from_db()
    assert session.ended_at is not None


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_openid_client_logs_in_with_par_and_private_key_jwt(relying_party, citizen, issuer, algorithm):
    """RS256: the client's assertions and its ID tokens; ES256: both with P-256 keys, the client
    registered (and openid-client told) id_token_signed_response_alg ES256."""
    parameters = {"kid": "tjeneste-2026", "alg": algorithm, "use": "sig"}
    key = rsa_key("tjeneste-2026") if algorithm == "RS256" else ECKey.generate_key("P-256", parameters)
    registered = key_client(key, id_token_signed_response_alg=algorithm)

    result = openid_client_login(
        relying_party,
        citizen,
        issuer,
        mode="par",
        client_id=registered.client_id,
        private_jwk=key.as_dict(private=True),
        kid="tjeneste-2026",
        id_token_signed_response_alg=algorithm,
    )

    assert result["pushed_authorization_request_endpoint"] == f"{issuer}/idporten/par"
    pushed = parse_qs(urlsplit(result["authorization_url"]).query)
    assert set(pushed) == {"client_id", "request_uri"}  # everything else went over the back channel
    assert citizen.pages[-1].startswith("/idporten/samtykke/")
    assert_full_login(result, citizen, issuer, registered.client_id)
    assert result["id_token_header"]["alg"] == algorithm
    assert_logged_out(citizen, result["end_session_url"], issuer, registered.client_id)


def test_openid_client_with_its_documented_defaults(relying_party, citizen, issuer):
    """No PAR (buildAuthorizationUrl) and openid-client's default client authentication,
    client_secret_post; ID-porten's profile allows both (it requires state and nonce, which are sent)."""
    registered, secret = client(auth_method="client_secret_post", may_receive_pid=True)

    result = openid_client_login(
        relying_party, citizen, issuer, mode="defaults", client_id=registered.client_id, client_secret=secret
    )

    query = parse_qs(urlsplit(result["authorization_url"]).query)
    assert query["code_challenge_method"] == ["S256"] and "request_uri" not in query
    assert_full_login(result, citizen, issuer, registered.client_id)
    # Without id_token_hint the citizen is asked, then logged out and sent back to the client.
    citizen.pages.clear()
    assert_logged_out(citizen, result["end_session_url_without_hint"], issuer, registered.client_id)
    assert citizen.pages == ["/idporten/endsession"]


def test_openid_client_as_a_public_client(relying_party, citizen, issuer):
    """A single-page or mobile app: openid-client's None() client authentication with PKCE; as in
    ID-porten, it logs in and gets no refresh token."""
    registered, _secret = client(auth_method="none", may_receive_pid=True)

    result = openid_client_login(
        relying_party, citizen, issuer, mode="public", client_id=registered.client_id
    )

    assert result["callback_iss"] == issuer
    assert result["id_token_claims"]["pid"] == citizen.user.person.identity_number
    assert result["userinfo"]["sub"] == result["id_token_claims"]["sub"]
    assert result["refresh_token_issued"] is False
    refused = result["userinfo_after_revocation"]
    assert refused["code"] == "OAUTH_WWW_AUTHENTICATE_CHALLENGE" and refused["error"] == "invalid_token"


def test_openid_client_quick_start_without_state_and_nonce_is_refused(relying_party, citizen, issuer):
    """openid-client's quick start sends state and nonce only when the server lacks PKCE; ID-porten's
    profile requires both, so the request is refused before any login, and openid-client says why."""
    registered, secret = client(auth_method="client_secret_post")

    result = openid_client_login(
        relying_party,
        citizen,
        issuer,
        mode="quickstart",
        client_id=registered.client_id,
        client_secret=secret,
    )

    query = parse_qs(urlsplit(result["authorization_url"]).query)
    assert "state" not in query and "nonce" not in query
    assert citizen.pages == []
    assert result["refused"]["code"] == "OAUTH_AUTHORIZATION_RESPONSE_ERROR"
    assert result["refused"]["error"] == "invalid_request"
    assert result["refused"]["error_description"] == "state is required."


def test_openid_client_request_object_pushed_is_refused_as_not_supported(relying_party, issuer):
    """openid-client's documented JAR with PAR: the pushed request is only client_id and a signed
    request object. Felles does not read request objects, and says so (request_not_supported,
    OIDC Core 6.1), rather than that redirect_uri is missing."""
    key = rsa_key("tjeneste-2026")
    registered = key_client(key)
    rp = relying_party(
        issuer=issuer,
        mode="par",
        request_object="pushed",
        client_id=registered.client_id,
        private_jwk=key.as_dict(private=True),
        kid="tjeneste-2026",
        redirect_uri=REDIRECT_URI,
        scope="openid profile",
    )

    refused = rp.first_answer()["refused"]

    assert refused["code"] == "OAUTH_RESPONSE_BODY_ERROR" and refused["error"] == "request_not_supported"


def test_openid_client_request_object_by_value_is_refused_on_a_page(relying_party, citizen, issuer):
    """The same request object sent by value: redirect_uri is inside it, so the refusal cannot go
    back to the client and is shown to the citizen, naming request_not_supported for the developers."""
    key = rsa_key("tjeneste-2026")
    registered = key_client(key)
    rp = relying_party(
        issuer=issuer,
        mode="par",
        request_object="by_value",
        client_id=registered.client_id,
        private_jwk=key.as_dict(private=True),
        kid="tjeneste-2026",
        redirect_uri=REDIRECT_URI,
        scope="openid profile",
    )
    url = rp.authorization_url()
    assert set(parse_qs(urlsplit(url).query)) == {"client_id", "request"}

    page = citizen.session.get(url, allow_redirects=False)

    assert page.status_code == 400 and "<code>request_not_supported</code>" in page.text


def test_openid_client_max_age_makes_an_old_login_be_made_again(relying_party, citizen, issuer):
    """OIDC Core 3.1.2.1: with max_age the citizen whose login is older logs in again, and openid-client
    checks the ID token's auth_time against max_age."""
    key = rsa_key("tjeneste-2026")
    registered = key_client(key)
    settings = {
        "mode": "par",
        "client_id": registered.client_id,
        "private_jwk": key.as_dict(private=True),
        "kid": "tjeneste-2026",
    }
    openid_client_login(relying_party, citizen, issuer, **settings)
    first = live_session(citizen.user)
    SsoSession.objects.filter(pk=first.pk).update(auth_time=first.auth_time - timedelta(minutes=10))
    citizen.pages.clear()

    result = openid_client_login(relying_party, citizen, issuer, max_age=120, **settings)

    assert any("/idporten/velg/" in page for page in citizen.pages), citizen.pages  # asked to log in again
    assert time.time() - result["id_token_claims"]["auth_time"] < 120
    assert result["id_token_claims"]["auth_time"] == int(live_session(citizen.user).auth_time.timestamp())


# Authlib (PyPI) ---------------------------------------------------------------------------------------


class ProfilePrivateKeyJWT(PrivateKeyJWT):
    """Authlib's private_key_jwt with an assertion that lives 60 s: ID-porten refuses assertions that
    live longer than 120 s, and Authlib's default is an hour (see the test of that below)."""

    def sign(self, auth, token_endpoint):
        return private_key_jwt_sign(
            auth.client_secret,
            client_id=auth.client_id,
            token_endpoint=token_endpoint,
            alg=self.alg,
            expires_in=60,
        )


def discovered(issuer: str) -> dict:
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert metadata["issuer"] == issuer
    return metadata


def verified_id_token(metadata: dict, id_token: str, client_id: str, nonce: str) -> dict:
    """The ID token's signature checked with joserfc against the issuer's JWKS, then its claims."""
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    token = jwt.decode(id_token, keys, algorithms=metadata["id_token_signing_alg_values_supported"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        auth_time={"essential": True},
    ).validate(token.claims)
    return token.claims


def authlib_session(metadata: dict, client_id: str, key: RSAKey, auth=ProfilePrivateKeyJWT) -> OAuth2Session:
    """Authlib's documented set-up for private_key_jwt, at the token, revocation and introspection endpoints."""
    session = OAuth2Session(
        client_id,
        key,
        token_endpoint_auth_method="private_key_jwt",
        revocation_endpoint_auth_method="private_key_jwt",
        scope="openid profile",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    session.register_client_auth_method(auth(metadata["token_endpoint"]))
    return session


def authlib_login(
    session: OAuth2Session, metadata: dict, citizen: Citizen, *, par: bool
) -> tuple[dict, dict]:
    """The code flow with PKCE, state and nonce; with `par`, the request is pushed (RFC 9126: Authlib
    builds it, the client pushes it with its own authentication). The tokens and the ID token's claims."""
    verifier, nonce = generate_token(48), generate_token(24)
    url, state = session.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    if par:
        pushed = session.post(
            metadata["pushed_authorization_request_endpoint"],
            data={k: v[0] for k, v in parse_qs(urlsplit(url).query).items()},
            auth=session.client_auth(session.token_endpoint_auth_method),
            withhold_token=True,
            timeout=10,
        )
        assert pushed.status_code == 201, pushed.text
        url = f"{metadata['authorization_endpoint']}?" + urlencode(
            {"client_id": session.client_id, "request_uri": pushed.json()["request_uri"]}
        )
    callback = citizen.log_in(url)

    # RFC 9207: Authlib does not check iss in the authorization response, so the client does.
    assert parse_qs(urlsplit(callback).query)["iss"] == [metadata["issuer"]]
    # Authlib checks state against the callback, and sends the PKCE verifier.
    tokens = session.fetch_token(
        metadata["token_endpoint"], authorization_response=callback, state=state, code_verifier=verifier
    )
    claims = verified_id_token(metadata, tokens["id_token"], session.client_id, nonce)
    assert claims["pid"] == citizen.user.person.identity_number and claims["acr"] == LOA_SUBSTANTIAL
    assert claims["sid"] == live_session(citizen.user).sid
    return tokens, claims


def authlib_uses_the_tokens(session: OAuth2Session, metadata: dict, tokens: dict, claims: dict):
    """Userinfo, introspection, refresh and revocation with Authlib's own calls."""
    userinfo = session.get(metadata["userinfo_endpoint"], timeout=10)
    assert userinfo.status_code == 200 and userinfo.json()["sub"] == claims["sub"]
    introspected = session.introspect_token(metadata["introspection_endpoint"], token=tokens["access_token"])
    assert introspected.status_code == 200 and introspected.json()["active"] is True
    assert introspected.json()["client_id"] == session.client_id

    refreshed = session.refresh_token(metadata["token_endpoint"], refresh_token=tokens["refresh_token"])
    assert refreshed["refresh_token"] != tokens["refresh_token"]
    assert session.get(metadata["userinfo_endpoint"], timeout=10).json()["sub"] == claims["sub"]

    revoked = session.revoke_token(
        metadata["revocation_endpoint"], token=refreshed["refresh_token"], token_type_hint="refresh_token"
    )
    assert revoked.status_code == 200
    for token in (refreshed["refresh_token"], refreshed["access_token"]):
        answer = session.introspect_token(metadata["introspection_endpoint"], token=token)
        assert answer.json() == {"active": False}  # RFC 7009 2.1: the grant's access tokens go too


def authlib_logs_out(citizen: Citizen, metadata: dict, tokens: dict, client_id: str):
    end_session_url = f"{metadata['end_session_endpoint']}?" + urlencode(
        {
            "id_token_hint": tokens["id_token"],
            "client_id": client_id,
            "post_logout_redirect_uri": POST_LOGOUT_REDIRECT_URI,
            "state": secrets.token_urlsafe(16),
        }
    )
    assert_logged_out(citizen, end_session_url, metadata["issuer"], client_id)


def test_authlib_logs_in_with_par_and_private_key_jwt(citizen, issuer):
    key = rsa_key("authlib-2026")
    registered = key_client(key)
    metadata = discovered(issuer)

    with authlib_session(metadata, registered.client_id, key) as session:
        tokens, claims = authlib_login(session, metadata, citizen, par=True)
        authlib_uses_the_tokens(session, metadata, tokens, claims)

    authlib_logs_out(citizen, metadata, tokens, registered.client_id)


def test_authlib_with_its_defaults(citizen, issuer):
    """Authlib's OAuth2Session given only a client_id and secret: client_secret_basic at the token,
    revocation and introspection endpoints (Felles' default too); no PAR."""
    registered, secret = client(may_receive_pid=True)
    metadata = discovered(issuer)

    with OAuth2Session(
        registered.client_id,
        secret,
        scope="openid profile",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    ) as session:
        tokens, claims = authlib_login(session, metadata, citizen, par=False)
        authlib_uses_the_tokens(session, metadata, tokens, claims)

    authlib_logs_out(citizen, metadata, tokens, registered.client_id)


def test_authlib_default_assertion_lifetime_is_refused(issuer):
    """Authlib's PrivateKeyJWT signs assertions that live an hour; ID-porten's profile allows at most
    120 s, so Felles refuses them (hence ProfilePrivateKeyJWT above)."""
    key = rsa_key("authlib-2026")
    registered = key_client(key)
    metadata = discovered(issuer)
    default = authlib_session(metadata, registered.client_id, key, auth=PrivateKeyJWT)
    profile = authlib_session(metadata, registered.client_id, key)

    answer = default.introspect_token(metadata["introspection_endpoint"], token="anything")

    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    assert profile.introspect_token(metadata["introspection_endpoint"], token="anything").json() == {
        "active": False
    }
    default.close()
    profile.close()
