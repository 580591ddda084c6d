"""Contact records and tokens for the lookup's tests; agency tokens come from the token service
(tests.maskinporten.factories.agency_token), as an agency's machine gets them."""

import json
import time
from pathlib import Path

import jsonschema
from django.utils import timezone

from idporten import keys
from kontaktregister.models import ContactRecord
from tests.folkeregister.factories import make_person
from tests.maskinporten.factories import agency_token

ISSUER = "http://testserver/maskinporten/"
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "kontaktregister/api/schema/personer-v2.schema.json").read_text()
)
CONTACT = "krr:global/kontaktinformasjon.read"
DIGITAL_POST = "krr:global/digitalpost.read"


def registered(**fields) -> ContactRecord:
    now = timezone.now()
    values = {
        "mobile": "+4791234567",
        "mobile_updated_at": now,
        "mobile_verified_at": now,
        "email": "kari@example.no",
        "email_updated_at": now,
        "email_verified_at": now,
        **fields,
    }
    return ContactRecord.objects.create(person=make_person(), **values)


def citizen_token(scope: str) -> str:
    """A token signed by Felles that is not a Maskinporten access token (a citizen's ID token)."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": ISSUER, "scope": scope, "iat": now, "exp": now + 120, "jti": "test"}
    return keys.sign(
        {
            **claims,
            "consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:974312344"},
            "token_type": "idporten",
        }
    )


__all__ = ["agency_token", "citizen_token", "registered", "valid"]


def valid(answer) -> dict:
    """The answer, after checking it against the JSON Schema written from Digdir's documentation."""
    jsonschema.validate(answer, SCHEMA)
    return answer
