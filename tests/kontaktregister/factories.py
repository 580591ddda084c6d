"""Contact records and agency tokens for the lookup's tests."""

import json
import time
from pathlib import Path

import jsonschema
from django.utils import timezone

from idporten import keys
from kontaktregister.models import ContactRecord
from tests.folkeregister.factories import make_person

ISSUER = "http://testserver"
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


def agency_token(scope: str, *, organisation_number="974312344", token_type="maskinporten") -> str:
    now = int(time.time())
    return keys.sign(
        {
            "iss": ISSUER,
            "aud": ISSUER,
            "scope": scope,
            "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{organisation_number}"},
            "token_type": token_type,
            "iat": now,
            "exp": now + 120,
            "jti": "test",
        },
        token_type="at+jwt",
    )


def valid(answer) -> dict:
    """The answer, after checking it against the JSON Schema written from Digdir's documentation."""
    jsonschema.validate(answer, SCHEMA)
    return answer
