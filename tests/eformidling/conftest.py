"""Fixtures of the integrasjonspunkt tests: the sending agency with HTTP Basic credentials made as
the admin makes them, and Digdir's example citizen 06068700602 with a digital mailbox."""

import base64

import pytest

from eformidling.models import Credential
from tests.postkasse.factories import citizen, providers, sender
from virksomheter.models import ScopeGrant

EXAMPLE_RECEIVER = "06068700602"
USERNAME = "velferdsetaten-360"
PASSWORD = "korrekt-hest-batteri-stift"


@pytest.fixture
def agency(db):
    organisation = sender()
    # The send grant every caller of the integrasjonspunkt needs (Basic and Maskinporten alike).
    ScopeGrant.objects.get_or_create(organisation=organisation, scope=ScopeGrant.Scope.DIGITAL_POST_SEND)
    return organisation


@pytest.fixture
def credential(agency):
    made = Credential(organisation=agency, username=USERNAME)
    made.set_password(PASSWORD)
    made.save()
    return made


def basic(username=USERNAME, password=PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def auth(credential) -> dict:
    return {"HTTP_AUTHORIZATION": basic()}


@pytest.fixture
def digipost(settings, tmp_path, agency):
    return providers(settings, tmp_path)[0]


@pytest.fixture
def kari(digipost):
    return citizen(mailbox_provider=digipost, identity_number=EXAMPLE_RECEIVER)


@pytest.fixture
def ola(digipost):
    """Reserved against digital post: print only."""
    return citizen(reserved=True, given_name="Ola")
