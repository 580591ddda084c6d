"""What the integrasjonspunkt builds, validated against Digdir's vendored DPI JSON Schemas: the DPI
receipt behind each status (rawReceipt) and the SBD header it answers; the vendored files are the
ones the README names, byte for byte."""

import hashlib
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource

from eformidling.services import receipts, sbd
from postkasse.models import Letter
from postkasse.services import printing
from tests.eformidling.helpers import create, created_and_sent, digital, statuses

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).resolve().parents[2] / "eformidling" / "schemas"
RECEIPT_SCHEMAS = {
    "leveringskvittering": "dpi/innbyggerpost_dpi_leveringskvittering_1_0.schema.json",
    "mottakskvittering": "dpi/innbyggerpost_dpi_mottakskvittering_1_0.schema.json",
    "aapningskvittering": "dpi/innbyggerpost_dpi_aapningskvittering_1_0.schema.json",
    "varslingfeiletkvittering": "dpi/innbyggerpost_dpi_varslingfeiletkvittering_1_0.schema.json",
    "returpostkvittering": "dpi/innbyggerpost_dpi_returpostkvittering_1_0.schema.json",
    "feil": "dpi/innbyggerpost_dpi_feil_1_0.schema.json",
}


def load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


def registry() -> Registry:
    """Every vendored schema by its $id: their references are absolute docs.digdir.no URLs."""
    resources = [
        Resource.from_contents(load(str(path.relative_to(SCHEMAS)))) for path in SCHEMAS.rglob("*.json")
    ]
    return Registry().with_resources((resource.contents["$id"], resource) for resource in resources)


def validator(schema: dict) -> Draft7Validator:
    return Draft7Validator(schema, registry=registry(), format_checker=FormatChecker())


def assert_valid(document: dict, schema_file: str) -> None:
    errors = sorted(validator(load(schema_file)).iter_errors(document), key=str)
    assert not errors, [error.message for error in errors]


def test_the_vendored_files_are_those_the_readme_names():
    readme = (SCHEMAS / "README.md").read_text()
    listed = dict(re.findall(r"^\| (\S+\.json) \| \S+ \| [0-9a-f]{40} \| ([0-9a-f]{64}) \|$", readme, re.M))
    present = {str(path.relative_to(SCHEMAS)) for path in SCHEMAS.rglob("*.json")}
    assert set(listed) == present
    for name, digest in listed.items():
        assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == digest, name


def test_the_api_limits_are_the_dpi_schema_limits():
    definitions = load("dpi/commons.schema.json")["definitions"]
    assert definitions["smsvarsel"]["properties"]["varslingstekst"]["maxLength"] == sbd.SMS_TEXT_MAX
    assert definitions["epostvarsel"]["properties"]["varslingstekst"]["maxLength"] == sbd.EMAIL_TEXT_MAX
    # postkasse keeps a title to 200 characters, within DPI's 255.
    assert definitions["ikkesensitivtittel"]["maxLength"] >= sbd.TITLE_MAX


def test_the_receipts_of_a_digital_letter_are_valid_dpi_receipts(client, kari, auth):
    from postkasse import services as postkasse

    mid = created_and_sent(client, auth)
    postkasse.open_letter(kari.identity_number, Letter.objects.get().pk, acr="idporten-loa-substantial")
    rows = {row["status"]: row for row in statuses(client, auth, mid)}
    assert set(rows) == {"OPPRETTET", "SENDT", "MOTTATT", "LEVERT", "LEST"}
    levert = json.loads(rows["LEVERT"]["rawReceipt"])
    assert_valid(levert, RECEIPT_SCHEMAS["leveringskvittering"])
    assert_valid(json.loads(rows["LEST"]["rawReceipt"]), RECEIPT_SCHEMAS["aapningskvittering"])
    header = levert["standardBusinessDocument"]["standardBusinessDocumentHeader"]
    assert header["receiver"][0]["identifier"]["value"] == "0192:974312344"
    assert header["businessScope"]["scope"][0]["instanceIdentifier"] == rows["LEVERT"]["conversationId"]
    assert "rawReceipt" not in rows["OPPRETTET"]


def test_the_receipts_of_a_print_letter_are_valid_dpi_receipts(client, ola, auth):
    message = digital(ola.identity_number)
    message["standardBusinessDocumentHeader"]["documentIdentification"].update(
        type="print", standard="urn:no:difi:digitalpost:xsd:fysisk::print"
    )
    message["print"] = {"hoveddokument": "vedtak.pdf"}
    mid = created_and_sent(client, auth, message)
    letter = Letter.objects.get()
    printing.close_batch(letter.print_job.batch, closed_by="trykkeri")
    printing.mark_batch_printed(letter.print_job.batch, printed_by="trykkeri")
    printing.mark_returned(letter, returned_by="trykkeri", reason="Adressaten er ukjent")
    rows = {row["status"]: row for row in statuses(client, auth, mid)}
    assert_valid(json.loads(rows["LEVERT"]["rawReceipt"]), RECEIPT_SCHEMAS["mottakskvittering"])
    assert_valid(json.loads(rows["FEIL"]["rawReceipt"]), RECEIPT_SCHEMAS["returpostkvittering"])


@pytest.mark.parametrize("kind", ["varsling_feilet", "feilet", "levert", "printet", "aapnet", "returpost"])
def test_every_receipt_kind_makes_a_valid_dpi_receipt(kind):
    from django.utils import timezone

    document = receipts.document(
        kind,
        conversation_id="9c5ce504-13ed-4f18-860b-61f5ae36c427",
        sender="974312344",
        issuer="984661185",
        at=timezone.now(),
        digital=kind != "printet",
        reason="Ingen kontaktinformasjon",
    )
    assert_valid(document, RECEIPT_SCHEMAS[receipts.TYPES[kind]])


def test_the_answered_sbd_header_is_a_valid_digdir_header(client, kari, auth):
    answer = create(client, auth, digital()).json()
    schema = {
        "$ref": "https://docs.digdir.no/schemas/common/sbdh.schema.json#/definitions/standardBusinessDocumentHeader"
    }
    errors = list(validator(schema).iter_errors(answer["standardBusinessDocumentHeader"]))
    assert not errors, [error.message for error in errors]
