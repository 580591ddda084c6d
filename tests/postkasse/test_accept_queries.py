"""What accepting one letter reads from the database (issue 17's costs of the accept request): the
idempotency key is looked up once, and the 201 answer is made from the letter just accepted rather
than read back with its receipts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postkasse import services
from postkasse.models import Letter
from tests.postkasse.factories import pdf, sender
from tests.postkasse.test_api import body, digipost, person, post  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def routing_later(settings):
    """Tasks wait in a queue nobody works, as with a real worker: the request's own queries only."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def selects_from(table: str, queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]]


def test_a_new_letter_looks_up_its_idempotency_key_once(person, routing_later):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        letter, created = services.accept_letter(
            sender(),
            idempotency_key="sak-2026-17",
            recipient=person.identity_number,
            title="Vedtak",
            documents=[services.DocumentIn("Vedtak", "vedtak.pdf", pdf())],
        )
    assert created and Letter.objects.get().pk == letter.pk
    lookups = [
        sql for sql in selects_from("postkasse_letter", queries.captured_queries) if "idempotency" in sql
    ]
    assert len(lookups) == 1, lookups


def test_the_201_answer_is_made_from_the_accepted_letter_without_reading_it_back(
    client,
    person,  # noqa: F811
    routing_later,
):
    with CaptureQueriesContext(connection) as queries:
        response = post(client, body(person))
    assert response.status_code == 201
    answer = response.json()
    assert answer["id"] == str(Letter.objects.get().pk)
    assert answer["status"] == "accepted" and answer["kvitteringer"] == []
    assert len(selects_from("postkasse_letter", queries.captured_queries)) == 1  # the idempotency lookup
    assert selects_from("postkasse_receipt", queries.captured_queries) == []
    # The same key again answers the letter as it is now, read from the database.
    again = post(client, body(person))
    assert again.status_code == 200 and again.json()["id"] == answer["id"]
