"""ID-porten's eIDs come from its registry (idporten.eid), which MinID and the smartcards fill in:
an eID registered by one more app is offered in the picker, its login starts the SSO session, its
amr values are in the discovery document, and logout and a change of person end its login too."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from idporten import eid
from idporten.models import LOA_HIGH, LOA_SUBSTANTIAL, SsoSession
from tests.folkeregister.factories import unique_identity_number
from tests.idporten.factories import (
    REDIRECT_URI,
    Browser,
    authorize_params,
    client,
    logged_in,
    minid_login,
    pkce,
    query,
)

pytestmark = pytest.mark.django_db

PERSON_KEY, TIME_KEY = "testid.identity_number", "testid.auth_time"


def _login(request):
    if PERSON_KEY not in request.session:
        return None
    return eid.Login(
        identity_number=request.session[PERSON_KEY],
        acr=LOA_SUBSTANTIAL,
        amr="TestID-app",
        auth_time=datetime.fromtimestamp(request.session[TIME_KEY], tz=UTC),
    )


def _log_out(request):
    request.session.pop(PERSON_KEY, None)
    request.session.pop(TIME_KEY, None)


TEST_ID = eid.Eid(
    name="testid",
    acr=LOA_SUBSTANTIAL,
    amr_values=("TestID-app",),
    choices=lambda: [eid.Choice(slug="", label="TestID", description="An app on your phone.")],
    start_url=lambda choice, return_to: f"https://testid.example.no/start?next={return_to}",
    login=_login,
    log_out=_log_out,
    help_links=lambda: [eid.HelpLink("Get TestID", "https://testid.example.no/order")],
)


@pytest.fixture
def test_id():
    eid.register(TEST_ID)
    yield TEST_ID
    eid.unregister(TEST_ID.name)


def logged_in_with_test_id(browser, identity_number: str, *, at: datetime | None = None) -> None:
    session = browser.session
    session[PERSON_KEY] = identity_number
    session[TIME_KEY] = int((at or timezone.now()).timestamp())
    session.save()


def to_picker(browser, oidc_client, **extra):
    response = browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1], **extra))
    assert "/idporten/velg/" in response.url, response.url
    return response.url


def test_an_eid_registered_by_another_app_is_offered_and_its_login_starts_the_session(test_id):
    browser, (oidc_client, _secret) = Browser(), client()
    picker_url = to_picker(browser, oidc_client)
    page = browser.get(picker_url).content.decode()
    assert f'href="{picker_url}testid/"' in page and "An app on your phone." in page
    assert 'href="https://testid.example.no/order"' in page
    assert f'href="{picker_url}minid/"' in page  # MinID's registration is still there

    chosen = browser.get(picker_url + "testid/")
    reference = picker_url.rstrip("/").rsplit("/", 1)[-1]
    assert chosen.url == f"https://testid.example.no/start?next=/idporten/fortsett/{reference}/"

    person = unique_identity_number()
    logged_in_with_test_id(browser, person)
    resumed = browser.get(f"/idporten/fortsett/{reference}/")
    if "/idporten/samtykke/" in resumed.url:
        resumed = browser.post(resumed.url, {"answer": "yes"})
    assert resumed.url.startswith(REDIRECT_URI) and "code" in query(resumed.url)
    session = SsoSession.objects.get(ended_at__isnull=True)
    assert (session.identity_number, session.acr, session.amr) == (person, LOA_SUBSTANTIAL, "TestID-app")


def test_an_eid_below_the_requested_level_is_not_offered(test_id):
    browser, (oidc_client, _secret) = Browser(), client()
    picker_url = to_picker(browser, oidc_client, acr_values=LOA_HIGH)
    page = browser.get(picker_url).content.decode()
    assert "testid/" not in page and "minid/" not in page
    browser.get(picker_url + "testid/")
    logged_in_with_test_id(browser, unique_identity_number())
    reference = picker_url.rstrip("/").rsplit("/", 1)[-1]
    assert browser.get(f"/idporten/fortsett/{reference}/").url == picker_url  # level 3 is not enough
    assert not SsoSession.objects.exists()


def test_a_login_older_than_the_request_does_not_count(test_id):
    browser, (oidc_client, _secret) = Browser(), client()
    logged_in_with_test_id(browser, unique_identity_number(), at=datetime(2020, 1, 1, tzinfo=UTC))
    picker_url = to_picker(browser, oidc_client)
    reference = picker_url.rstrip("/").rsplit("/", 1)[-1]
    assert browser.get(f"/idporten/fortsett/{reference}/").url == picker_url
    assert not SsoSession.objects.exists()


def test_discovery_lists_the_registered_eids_amr_values(test_id):
    discovery = Browser().get("/.well-known/openid-configuration").json()
    assert discovery["amr_values_supported"] == [
        "Minid-OTC",
        "Minid-PIN",
        "TestID-app",
        "Buypass",
        "Commfides",
    ]


def test_an_unknown_eid_or_choice_in_the_picker_is_not_found():
    browser, (oidc_client, _secret) = Browser(), client()
    picker_url = to_picker(browser, oidc_client)
    assert browser.get(picker_url + "bankid/").status_code == 404
    assert browser.get(picker_url + "minid/extra/").status_code == 404
    assert browser.get(picker_url + "smartkort/").status_code == 404  # no issuer is active
    assert browser.get(picker_url + "smartkort/buypass/").status_code == 404


def test_logout_ends_the_login_with_every_registered_eid(test_id):
    browser = Browser()
    logged_in(browser)
    logged_in_with_test_id(browser, unique_identity_number())
    assert browser.post("/idporten/logg-ut/").status_code == 200
    assert PERSON_KEY not in browser.session


def test_a_login_as_another_person_ends_the_other_eids_logins_of_the_previous_person(test_id):
    browser, (oidc_client, _secret) = Browser(), client()
    previous = logged_in(browser)
    logged_in_with_test_id(browser, previous.identity_number, at=previous.auth_time)
    picker_url = to_picker(browser, oidc_client, prompt="login")
    to_minid = browser.get(picker_url + "minid/")
    final, user = minid_login(browser, query(to_minid.url)["next"])
    resumed = browser.get(final.url)
    assert "/idporten/samtykke/" in resumed.url or resumed.url.startswith(REDIRECT_URI)
    assert SsoSession.objects.get(ended_at__isnull=True).identity_number == user.person.identity_number
    assert PERSON_KEY not in browser.session


def test_a_login_as_another_person_after_a_timeout_ends_the_previous_persons_eid_logins(test_id, settings):
    browser, (oidc_client, _secret) = Browser(), client()
    previous = logged_in(browser)
    logged_in_with_test_id(browser, previous.identity_number, at=previous.auth_time)
    SsoSession.objects.filter(pk=previous.pk).update(last_seen=timezone.now() - timezone.timedelta(hours=1))
    settings.IDPORTEN_SESSION_IDLE_SECONDS = 60

    picker_url = to_picker(browser, oidc_client)
    to_minid = browser.get(picker_url + "minid/")
    final, _user = minid_login(browser, query(to_minid.url)["next"])
    browser.get(final.url)

    assert PERSON_KEY not in browser.session
