"""The demo pages without a live provider: front-channel logout and a demo that is not set up."""

import pytest

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"


@pytest.fixture(autouse=True)
def demo_files(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def logged_in(client, **sids):
    session = client.session
    for slug, sid in sids.items():
        session[f"demo.{slug}"] = {
            "sid": sid,
            "pid": "12345678901",
            "acr": "",
            "amr": [],
            "id_token": "",
            "sub": "",
        }
    session.save()


def test_frontchannel_logout_ends_the_service_session_it_names(client):
    logged_in(client, velferd="sid-1", lanefond="sid-1")

    response = client.get("/demo/lanefond/frontchannel-logout", {"iss": ISSUER, "sid": "sid-1"})

    assert response.status_code == 200
    assert "demo.lanefond" not in client.session
    assert client.session["demo.velferd"]["sid"] == "sid-1"


def test_frontchannel_logout_can_be_framed_by_the_provider_only(client):
    response = client.get("/demo/velferd/frontchannel-logout", {"iss": ISSUER, "sid": "sid-1"})

    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "'none'" not in response["Content-Security-Policy"].split("frame-ancestors")[1].split(";")[0]


@pytest.mark.parametrize(
    "params",
    [
        {"iss": ISSUER, "sid": "another-session"},
        {"iss": "https://evil.example", "sid": "sid-1"},
        {"sid": "sid-1"},
    ],
)
def test_frontchannel_logout_for_another_session_or_issuer_changes_nothing(client, params):
    logged_in(client, velferd="sid-1")

    response = client.get("/demo/velferd/frontchannel-logout", params)

    assert response.status_code == 200
    assert client.session["demo.velferd"]["sid"] == "sid-1"


def test_a_demo_service_that_is_not_seeded_says_how_to_set_it_up(client):
    page = client.get("/demo/velferd/")
    login = client.get("/demo/velferd/login")

    assert page.status_code == 200
    assert "seed_demo_clients" in page.content.decode()
    assert "/demo/velferd/login" not in page.content.decode()
    assert login.status_code == 503


def test_an_unknown_demo_service_is_not_found(client):
    assert client.get("/demo/skatt/").status_code == 404


def test_a_callback_without_a_started_login_is_refused(client):
    response = client.get("/demo/velferd/callback", {"code": "abc", "state": "xyz", "iss": ISSUER})

    assert response.status_code == 400
    assert "demo.velferd" not in client.session
