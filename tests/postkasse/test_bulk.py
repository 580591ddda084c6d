"""Many letters at once (a mass dispatch): accepted all or nothing, routed in chunks with one
lookup per register, and never lost when a worker dies in the middle of a chunk."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.models import AuditEvent
from folkeregister.models import AddressProtection
from postkasse import services
from postkasse.models import Letter, Receipt
from postkasse.services import recovery
from tests.postkasse.factories import citizen, pdf, sender

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def letter_to(person, key: str, content: bytes | None = None) -> services.LetterIn:
    document = services.DocumentIn("Faktura", "faktura.pdf", content or pdf())
    return services.LetterIn(key, person.identity_number, "Faktura for kommunale avgifter", [document])


def queued(task_path: str) -> list[list]:
    return [
        result.args_kwargs["args"][0]
        for result in DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY)
    ]


def test_a_hand_over_is_routed_in_chunks_each_with_one_lookup_per_register(digipost, settings):
    settings.TASKS = DATABASE_TASKS
    digital = [citizen(mailbox_provider=digipost) for _ in range(6)]
    reserved = citizen(mailbox_provider=digipost, reserved=True)
    protected = citizen(address_protection=AddressProtection.FORTROLIG)
    people = [*digital, reserved, protected]
    letters = services.accept_letters(sender(), [letter_to(p, f"avgift-{i}") for i, p in enumerate(people)])
    assert [letter.recipient for letter in letters] == [p.identity_number for p in people]
    assert AuditEvent.objects.filter(action="postkasse.letter_accepted").count() == len(people)
    [chunk] = queued("postkasse.tasks.route_letters")
    assert sorted(chunk) == sorted(str(letter.pk) for letter in letters)

    ids = [str(letter.pk) for letter in letters]
    with CaptureQueriesContext(connection) as few:
        services.route_letters(ids[:2])
    with CaptureQueriesContext(connection) as many:
        statuses, unavailable = services.route_letters(ids[2:6])
    assert len(many) == len(few)  # the same queries for 2 letters as for 4
    statuses.update(services.route_letters(ids)[0])
    assert unavailable == {}
    assert [statuses[i] for i in ids] == ["delivered"] * 6 + ["awaiting_print", "held"]
    assert Receipt.objects.filter(kind="levert").count() == 6
    assert AuditEvent.objects.filter(action="postkasse.letter_receipt_levert").count() == 6
    assert AuditEvent.objects.filter(action="postkasse.letter_held").count() == 1
    # The notices go as one task for each chunk delivered, after the routing.
    assert sorted(sum(queued("postkasse.tasks.notify_recipients"), [])) == sorted(ids[:6])


def test_one_letter_that_cannot_be_accepted_refuses_them_all(digipost, private_files_in_tmp):
    people = [citizen(mailbox_provider=digipost) for _ in range(3)]
    batch = [letter_to(p, f"avgift-{i}") for i, p in enumerate(people)]
    batch[2] = letter_to(people[2], "avgift-2", content=b"not a PDF at all")
    with pytest.raises(services.InvalidLetter) as refused:
        services.accept_letters(sender(), batch)
    assert refused.value.idempotency_key == "avgift-2"
    assert Letter.objects.count() == 0 and not AuditEvent.objects.filter(action="postkasse.letter_accepted")
    assert not [path for path in private_files_in_tmp.rglob("*") if path.is_file()]


def test_a_key_accepted_before_gives_the_letter_accepted_then(digipost):
    person = citizen(mailbox_provider=digipost)
    [first] = services.accept_letters(sender(), [letter_to(person, "avgift-1")])
    again = services.accept_letters(sender(), [letter_to(person, "avgift-1"), letter_to(person, "avgift-2")])
    assert again[0].pk == first.pk and Letter.objects.count() == 2


def test_the_letters_of_a_chunk_lost_with_its_worker_are_queued_again_one_by_one(digipost, settings):
    settings.TASKS = DATABASE_TASKS
    people = [citizen(mailbox_provider=digipost) for _ in range(3)]
    letters = services.accept_letters(sender(), [letter_to(p, f"avgift-{i}") for i, p in enumerate(people)])
    assert recovery.recover_letters(older_than=timedelta(0)).routed == 0  # the chunk is still queued

    Letter.objects.update(accepted_at=timezone.now() - timedelta(hours=1))
    chunk = DBTaskResult.objects.get(task_path="postkasse.tasks.route_letters")
    chunk.status, chunk.started_at = TaskResultStatus.RUNNING, timezone.now() - timedelta(hours=1)
    chunk.save()
    assert recovery.recover_letters(older_than=timedelta(minutes=10)).routed == 3
    chunk.refresh_from_db()
    assert chunk.status == TaskResultStatus.FAILED
    assert sorted(queued("postkasse.tasks.route_letter")) == sorted(str(letter.pk) for letter in letters)
