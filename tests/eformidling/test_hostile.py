"""Hostile input on the integrasjonspunkt's API: JSON nested 100,000 deep, bodies beyond the limit,
garbage bytes, a 25 MB PDF, PDF bombs and PDFs with active content, by PUT and by multipart. Each is
answered with Digdir's error body {timestamp, status, error, exception, message, path}, never a 500
or Django's HTML page, and nothing is half-stored: a refused send leaves the message as it was."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from eformidling.models import Conversation, OutgoingFile
from postkasse.models import Letter
from tests.core import hostile_pdfs
from tests.eformidling.helpers import OUT, assert_error, create, digital, message_id, send, statuses, upload

pytestmark = pytest.mark.django_db

DEEP = {
    "array": "[" * 100_000 + "]" * 100_000,
    "object": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "sbd-field": '{"standardBusinessDocumentHeader":' + '{"a":' * 100_000 + "1" + "}" * 100_001,
}
# A PDF that must never reach a citizen, and a word of the reason Felles gives.
HOSTILE = {
    "page-tree-bomb": (hostile_pdfs.page_tree_bomb, "2000"),
    "inflation-bomb": (lambda: hostile_pdfs.inflation_bomb(300), "too large or too complex"),
    "javascript": (hostile_pdfs.with_javascript, "JavaScript"),
    "launch": (hostile_pdfs.with_launch_action, "program"),
    "embedded-file": (hostile_pdfs.with_embedded_file, "embedded"),
    "not-a-pdf": (lambda: b"MZ\x90\x00" + b"\x00" * 1000, "not a PDF"),
    "garbage-after-header": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40, "not a readable PDF"),
}


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"  # the reasons are asserted in English


def nothing_stored() -> bool:
    return not (Conversation.objects.exists() or OutgoingFile.objects.exists() or Letter.objects.exists())


@pytest.mark.parametrize("kind", DEEP)
def test_json_nested_100000_deep_is_digdirs_400(client, auth, kari, kind):
    body = assert_error(create(client, auth, DEEP[kind]), 400, "HttpMessageNotReadableException")
    assert body["message"].startswith("JSON parse error")
    assert nothing_stored()


@pytest.mark.parametrize("kind", DEEP)
def test_json_nested_100000_deep_in_a_multipart_sbd_is_digdirs_400(client, auth, kari, kind):
    response = client.post(
        f"{OUT}/multipart",
        {
            "sbd": DEEP[kind],
            "Vedtak": SimpleUploadedFile("vedtak.pdf", hostile_pdfs.one_page(), "application/pdf"),
        },
        **auth,
    )
    assert_error(response, 400, "HttpMessageNotReadableException")
    assert nothing_stored()


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe\x00garbage", b"", b"null", b"[]", b"1e999999", b'{"standardBusinessDocumentHeader": "x"}'],
    ids=["not-utf8", "empty", "null", "array", "huge-number", "header-not-an-object"],
)
def test_garbage_instead_of_an_sbd_is_digdirs_400(client, auth, kari, raw):
    response = create(client, auth, raw)
    assert response.status_code == 400, response.content[:500]
    assert_error(response, 400, "Exception")
    assert nothing_stored()


def test_a_body_beyond_the_limit_is_digdirs_413(client, auth, kari):
    from eformidling.views import MessagesOut

    big = json.dumps({**digital(), "padding": "x" * (MessagesOut.max_body_bytes + 1)})
    assert_error(create(client, auth, big), 413, "")
    assert nothing_stored()


# PDFs


def created(client, auth) -> str:
    response = create(client, auth, digital())
    assert response.status_code == 200, response.content
    return message_id(response)


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_pdf_is_refused_at_send_and_the_message_stays_as_it_was(client, auth, kari, english, kind):
    make, why = HOSTILE[kind]
    mid = created(client, auth)
    assert upload(client, auth, mid, content=make()).status_code == 200
    body = assert_error(send(client, auth, mid), 400, "InvalidDocumentException")
    assert why in body["message"] and "vedtak.pdf" in body["message"], body
    assert not Letter.objects.exists()
    assert [row["status"] for row in statuses(client, auth, mid)] == ["OPPRETTET"]
    # Not sent, so still an outgoing message the case system can read or delete.
    assert client.get(f"{OUT}/{mid}", **auth).status_code == 200
    assert client.delete(f"{OUT}/{mid}", **auth).status_code == 200


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_pdf_in_a_multipart_request_stores_nothing(client, auth, kari, english, kind):
    make, why = HOSTILE[kind]
    response = client.post(
        f"{OUT}/multipart",
        {"sbd": json.dumps(digital()), "Vedtak": SimpleUploadedFile("vedtak.pdf", make(), "application/pdf")},
        **auth,
    )
    body = assert_error(response, 400, "InvalidDocumentException")
    assert why in body["message"], body
    assert nothing_stored()


def test_a_25_mb_pdf_is_refused_with_postkasses_document_limit_and_nothing_is_half_stored(
    client, auth, kari, english
):
    document = hostile_pdfs.large_pdf(25)
    assert len(document) > 25 * 1000 * 1000
    mid = created(client, auth)
    assert upload(client, auth, mid, content=document).status_code == 200
    body = assert_error(send(client, auth, mid), 400, "InvalidDocumentException")
    assert "vedtak.pdf" in body["message"] and "MB" in body["message"]
    assert not Letter.objects.exists()
    assert [row["status"] for row in statuses(client, auth, mid)] == ["OPPRETTET"]


def test_25_mb_of_pdf_in_two_files_is_sent(client, auth, kari):
    halves = [hostile_pdfs.large_pdf(12.5), hostile_pdfs.large_pdf(12.4)]
    assert sum(map(len, halves)) > 25 * 1000 * 1000
    mid = created(client, auth)
    assert upload(client, auth, mid, content=halves[0]).status_code == 200
    assert (
        upload(client, auth, mid, filename="vedlegg.pdf", name="Vedlegg", content=halves[1]).status_code
        == 200
    )
    response = send(client, auth, mid)
    assert response.status_code == 200, response.content[:500]
    letter = Letter.objects.get()
    assert sorted(letter.documents.values_list("size", flat=True)) == sorted(map(len, halves))
    assert "SENDT" in [row["status"] for row in statuses(client, auth, mid)]
