"""Key rotation as a relying party that Felles did not write sees it: PyJWT's PyJWKClient, with its
own JWKS cache and default settings (the JWKS kept 300 s, fetched again early only for a kid it does
not know), fetches the JWKS before the rotation and verifies every token Felles issues through the
whole schedule (published, signing, the old key retired) from what it had cached: never does a token
carry a kid it has not got.

Time passes by `elapse`: the keys' stored timestamps move into the past (which key signs and which
are published depends only on them against the clock, so this is the schedule as every node sees it
later), and the relying party's clock moves forward, so its cache expires as it would. The tokens'
own iat and exp stay true for the relying party's clock."""

import time
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import jwt as pyjwt
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from idporten import keys
from idporten.models import SigningKey
from tests.idporten.factories import Browser, client, logged_in, token_request, tokens

ISSUER = "http://testserver"
PREPUBLISH = 3600
_monotonic = time.monotonic


class RelyingParty(pyjwt.PyJWKClient):
    """PyJWKClient with its defaults, counting its fetches of the JWKS and the times a token named a
    kid its cached JWKS lacked; `clock` moves its time forward."""

    def __init__(self, uri):
        super().__init__(uri)
        self.fetches = self.unknown_kids = 0
        self.clock = 0.0

    @contextmanager
    def its_time(self):
        with mock.patch("time.monotonic", lambda: _monotonic() + self.clock):
            yield

    def fetch_data(self):
        self.fetches += 1
        return super().fetch_data()

    def get_signing_keys(self, refresh=False):
        self.unknown_kids += refresh  # PyJWKClient refreshes only when the kid is not in its cache
        return super().get_signing_keys(refresh)

    def cache_jwks(self) -> None:
        with self.its_time():
            self.get_jwk_set()

    def claims(self, token: str, *, audience: str) -> dict:
        with self.its_time():
            key = self.get_signing_key_from_jwt(token)
        return pyjwt.decode(token, key.key, algorithms=[key.algorithm_name], audience=audience, issuer=ISSUER)


def elapse(seconds: float, relying_party: RelyingParty | None = None) -> None:
    """Let `seconds` pass for the keys' schedule (and the relying party's clock)."""
    by = timedelta(seconds=seconds)
    SigningKey.objects.update(
        created=F("created") - by, signs_from=F("signs_from") - by, retired_at=F("retired_at") - by
    )
    keys.forget_cached_keys()  # this process' rows hold the timestamps before the move
    if relying_party is not None:
        relying_party.clock += seconds


def kid(token: str) -> str:
    return pyjwt.get_unverified_header(token)["kid"]


@pytest.fixture
def prepublish(settings):
    settings.IDPORTEN_KEY_PREPUBLISH_SECONDS = PREPUBLISH


@pytest.fixture
def relying_parties(live_server):
    """A logged-in citizen, a client per ID token algorithm, and a relying party that has cached the
    JWKS; `issued()` gets every kind of token Felles gives these clients, each verified by it."""
    browser = Browser()
    logged_in(browser)
    clients = [
        client(scopes=["openid", "profile"], id_token_signed_response_alg=algorithm)
        for algorithm in keys.ALGORITHMS
    ]
    relying_party = RelyingParty(live_server.url + "/idporten/jwks")
    relying_party.cache_jwks()

    def issued() -> set[str]:
        """The kids of the tokens, each verified by the relying party."""
        found = []
        for oidc_client, secret in clients:
            answer = tokens(browser, oidc_client, secret, scope="openid profile")
            assert relying_party.claims(answer["id_token"], audience=oidc_client.client_id)["aud"]
            assert relying_party.claims(answer["access_token"], audience=ISSUER)["client_id"]
            found += [answer["id_token"], answer["access_token"]]
            if "refresh_token" in answer:
                refreshed = token_request(
                    browser,
                    oidc_client,
                    secret,
                    grant_type="refresh_token",
                    refresh_token=answer["refresh_token"],
                ).json()
                assert relying_party.claims(refreshed["access_token"], audience=ISSUER)["sub"]
                found.append(refreshed["access_token"])
        return {kid(token) for token in found}

    return relying_party, issued


@pytest.mark.django_db(transaction=True)
def test_a_relying_party_that_cached_the_jwks_before_rotation_verifies_every_token_after(
    relying_parties, prepublish
):
    relying_party, issued = relying_parties
    old = issued()
    assert len(old) == 2  # one key per algorithm

    call_command("rotate_signing_keys", stdout=mock.Mock())
    new = {key.kid for key in SigningKey.objects.exclude(kid__in=old)}
    assert len(new) == 2 and issued() == old

    elapse(PREPUBLISH - 5, relying_party)  # just before the new keys sign
    assert issued() == old

    elapse(5, relying_party)  # signs_from: the new keys sign, on every node, without anyone telling them
    assert issued() == new

    elapse(keys.RETIRED_KEY_KEPT.total_seconds(), relying_party)  # the old keys' tokens have all expired
    assert issued() == new

    assert relying_party.unknown_kids == 0
    assert relying_party.fetches == 3  # when it first cached the JWKS, and as its cache expired
    with relying_party.its_time():
        published = {key.key_id for key in relying_party.get_jwk_set(refresh=True).keys}
    assert published == new


@pytest.mark.django_db(transaction=True)
def test_an_emergency_rotation_fails_the_relying_party_until_it_fetches_the_jwks_again(relying_parties):
    relying_party, issued = relying_parties
    old = issued()

    call_command("rotate_signing_keys", "--now", stdout=mock.Mock(), stderr=mock.Mock())

    # What prepublishing spares relying parties: a kid their cache lacks, refused (PyJWKClient fetches
    # again for an unknown kid only 30 s after its last fetch).
    with pytest.raises(pyjwt.PyJWKClientError):
        issued()
    elapse(30, relying_party)
    assert issued().isdisjoint(old)
    assert relying_party.unknown_kids == 1


@pytest.mark.django_db
def test_the_old_key_leaves_the_jwks_only_after_every_token_it_signed_has_expired(prepublish):
    token = keys.sign({"iss": ISSUER, "sub": "abc"}, token_type="at+jwt")
    old = kid(token)
    keys.schedule_rotation("RS256")
    assert keys.verify(token, issuer=ISSUER, verify_exp=False)["sub"] == "abc"

    elapse(PREPUBLISH)  # the new key signs
    elapse(keys.RETIRED_KEY_KEPT.total_seconds() - 5)
    assert old in {key["kid"] for key in keys.jwks()["keys"]}
    assert keys.verify(token, issuer=ISSUER, verify_exp=False)["sub"] == "abc"

    elapse(10)
    assert old not in {key["kid"] for key in keys.jwks()["keys"]}
    with pytest.raises(keys.SigningError):
        keys.verify(token, issuer=ISSUER, verify_exp=False)


def test_the_retirement_period_outlasts_every_token_a_key_signs(settings):
    for ttl in (
        settings.IDPORTEN_ID_TOKEN_TTL_SECONDS,
        settings.IDPORTEN_ACCESS_TOKEN_TTL_SECONDS,
        settings.IDPORTEN_SESSION_MAX_SECONDS,  # an ID token is an id_token_hint while its session lasts
    ):
        assert timedelta(seconds=ttl) < keys.RETIRED_KEY_KEPT


@pytest.mark.django_db
def test_a_key_that_is_not_due_never_signs(prepublish):
    keys.active_key("RS256")
    keys.active_key("ES256")
    rotation = keys.schedule_rotation("RS256")

    signed = {
        kid(keys.sign({"iss": ISSUER})),
        kid(keys.sign_payload(b"{}", content_type="application/json")),
        keys.active_key("RS256").kid,
    }
    assert signed == {rotation.replaced[0].kid}
    assert rotation.key.kid not in signed
    # Scheduling again before the first one is due: the pending key is replaced too, and never signs.
    second = keys.schedule_rotation("RS256")
    assert [key.kid for key in second.replaced] == [rotation.key.kid]
    elapse(PREPUBLISH - 1)
    assert kid(keys.sign({"iss": ISSUER})) == rotation.replaced[0].kid
    elapse(1)
    assert kid(keys.sign({"iss": ISSUER})) == second.key.kid
    assert rotation.key.kid in {key["kid"] for key in keys.jwks()["keys"]}


@pytest.mark.django_db
def test_now_signs_at_once_and_the_old_key_stops_signing():
    old = keys.active_key("ES256")
    token = keys.sign({"iss": ISSUER, "sub": "abc"}, algorithm="ES256")

    rotation = keys.rotate_now("ES256")

    assert [key.kid for key in rotation.replaced] == [old.kid]
    assert kid(keys.sign({"iss": ISSUER}, algorithm="ES256")) == rotation.key.kid
    assert keys.verify(token, issuer=ISSUER)["sub"] == "abc"
    assert kid(keys.sign({"iss": ISSUER})) != old.kid  # the other algorithm's key is untouched


@pytest.mark.django_db
def test_a_warm_process_signs_and_verifies_without_the_database_and_switches_by_the_clock(prepublish):
    old = keys.active_key("RS256").kid
    new = keys.schedule_rotation("RS256").key
    keys.verify(keys.sign({"iss": ISSUER}), issuer=ISSUER)  # the key set and private key loaded

    with CaptureQueriesContext(connection) as queries:
        token = keys.sign({"iss": ISSUER, "sub": "abc"})
        assert keys.verify(token, issuer=ISSUER)["sub"] == "abc"
        assert kid(token) == old
        # signs_from passes while this process still holds the rows it read before: it switches.
        later = timezone.now() + timedelta(seconds=PREPUBLISH)
        with mock.patch("django.utils.timezone.now", return_value=later):
            assert kid(keys.sign({"iss": ISSUER})) == new.kid
    assert len(queries) == 0


@pytest.mark.django_db
def test_a_token_of_a_key_this_process_has_not_read_yet_verifies_at_once():
    keys.active_key("RS256")
    other = keys.rotate_now("RS256").key  # as another node's emergency rotation
    token = keys.sign({"iss": ISSUER, "sub": "abc"})
    assert kid(token) == other.kid
    # This process read the key set before the other node's key existed...
    SigningKey.objects.filter(pk=other.pk).delete()
    keys.forget_cached_keys()
    keys.jwks()
    other.save(force_insert=True)

    # ...and learns of it from the token's kid, with one query.
    with CaptureQueriesContext(connection) as queries:
        assert keys.verify(token, issuer=ISSUER)["sub"] == "abc"
    assert len(queries) == 1
