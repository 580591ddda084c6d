"""An agency's machine, end to end over HTTP: a JWT grant signed with a demo enterprise
certificate, a Maskinporten token, and a lookup of 1000 persons, with the example client."""

import sys
from pathlib import Path

import pytest
import requests
from django.core.management import call_command

from kontaktregister.models import ContactRecord
from tests.folkeregister.factories import make_person, unique_identity_number
from virksomheter.demo import seed_demo_organisations

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
import krr_client  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def test_agency_gets_a_token_with_its_certificate_and_looks_up_1000_persons(live_server, settings, tmp_path):
    settings.DEBUG = True  # the demo certificates are made in development only
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo_organisations()
    call_command("seed_demo_certificates", verbosity=0)
    folder = tmp_path / "demo-certificates"
    registered = ContactRecord.objects.create(person=make_person(), mobile="+4791234567")
    numbers = [registered.person.identity_number] + [unique_identity_number() for _ in range(999)]

    grant = krr_client.jwt_grant(
        live_server.url,
        (folder / "974312344.pem").read_bytes(),
        (folder / "974312344.key").read_text(),
        "krr:kontaktinformasjon",
        "velferdsetaten-maskin",
    )
    session = requests.Session()
    token = krr_client.access_token(session, live_server.url, grant)
    people = krr_client.look_up(session, live_server.url, token, numbers)

    assert len(people) == 1000
    assert people[0]["status"] == "AKTIV"
    assert people[0]["kontaktinformasjon"]["mobiltelefonnummer"] == "+4791234567"
    assert {p["status"] for p in people[1:]} == {"IKKE_REGISTRERT"}
    replay = session.post(
        f"{live_server.url}/api/token",
        data={"grant_type": krr_client.GRANT_TYPE, "assertion": grant},
        timeout=10,
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
