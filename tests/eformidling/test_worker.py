"""Never lose a message sent through the integrasjonspunkt: letters go in through the eFormidling API
one at a time, as a case system sends them, a real `manage.py db_worker` working the queue is killed
in the middle of the batch, and after the operators' recovery and a new worker every message ends
in exactly one final status, with exactly one letter, one notice and (on paper) one print job."""

from collections import Counter

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.models import OutboundSms
from eformidling.models import FINISHING_STATUSES, Conversation
from postkasse.models import Letter, PrintBatch, PrintJob, Receipt
from postkasse.services import printing
from tests.eformidling.helpers import created_and_sent, digital, statuses
from tests.postkasse.factories import citizen
from tests.postkasse.test_worker import (  # noqa: F401 (fixtures)
    db_worker,
    kill_in_the_middle_of_a_route,
    worker_database,
    worker_env,
)

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 24


def print_sbd(receiver: str) -> dict:
    sbd = digital(receiver)
    sbd["standardBusinessDocumentHeader"]["documentIdentification"].update(
        type="print", standard="urn:no:difi:digitalpost:xsd:fysisk::print"
    )
    sbd["print"] = {"hoveddokument": "vedtak.pdf"}
    return sbd


def test_a_worker_killed_mid_batch_leaves_every_message_in_exactly_one_final_status(
    worker_env,  # noqa: F811 (the fixture imported above)
    client,
    auth,
    digipost,
    tmp_path,  # noqa: F811 (the fixture imported above)
):
    sent = {}  # messageId -> (channel, mobile)
    for number in range(MESSAGES):
        mobile = f"+479200{number:04d}"
        if number % 3:
            person = citizen(mailbox_provider=digipost, mobile=mobile)
            sbd = digital(person.identity_number)
            sbd["digital"]["tittel"] = f"Vedtak {number}"
            sent[created_and_sent(client, auth, sbd)] = ("digital", mobile)
        else:
            person = citizen(reserved=True, mobile=mobile)
            sent[created_and_sent(client, auth, print_sbd(person.identity_number))] = ("print", mobile)
    assert Letter.objects.filter(status=Letter.Status.ACCEPTED).count() == MESSAGES

    first = db_worker(worker_env, tmp_path / "first.log")
    cut_off = kill_in_the_middle_of_a_route(first, tmp_path / "first.log")
    assert cut_off and Letter.objects.filter(status=Letter.Status.ACCEPTED).count() < MESSAGES
    # What a case system sees in the meantime: its messages are sent, and none is final yet if unrouted.
    for message_id in sent:
        assert "SENDT" in [row["status"] for row in statuses(client, auth, message_id)]

    # The operators' restart: recovery, then a worker that runs the queue empty and stops.
    call_command("postkasse_recover", "--older-than", "0")
    second = db_worker(worker_env, tmp_path / "second.log", "--batch")
    assert second.wait(timeout=120) == 0, (tmp_path / "second.log").read_text()
    assert not Letter.objects.filter(status=Letter.Status.ACCEPTED).exists()

    # The print room prints what reached the print channel.
    for batch in PrintBatch.objects.all():
        printing.close_batch(batch, closed_by="trykkeri")
        printing.mark_batch_printed(batch, printed_by="trykkeri")

    conversations = {str(c.message_id): c for c in Conversation.objects.all()}
    assert set(conversations) == set(sent)
    letter_ids = [c.letter_id for c in conversations.values()]
    assert None not in letter_ids and len(set(letter_ids)) == MESSAGES == Letter.objects.count()
    for message_id, (channel, _mobile) in sent.items():
        names = [row["status"] for row in statuses(client, auth, message_id)]
        assert names == ["OPPRETTET", "SENDT", "MOTTATT", "LEVERT"], (message_id, channel, names)
        assert len([name for name in names if name in FINISHING_STATUSES]) == 1
        letter = Letter.objects.get(pk=conversations[message_id].letter_id)
        kinds = list(letter.receipts.values_list("kind", flat=True))
        if channel == "digital":
            assert letter.status == Letter.Status.DELIVERED and kinds == [Receipt.Kind.DELIVERED]
        else:
            assert letter.status == Letter.Status.PRINTED and kinds == [Receipt.Kind.PRINTED]
    digital_mobiles = [mobile for channel, mobile in sent.values() if channel == "digital"]
    assert Counter(OutboundSms.objects.values_list("to", flat=True)) == {m: 1 for m in digital_mobiles}
    paper = {conversations[mid].letter_id for mid, (channel, _m) in sent.items() if channel == "print"}
    assert Counter(PrintJob.objects.values_list("letter_id", flat=True)) == {pk: 1 for pk in paper}
    # Every task ran to the end but the route the killed worker left running, which recovery marked.
    unfinished = DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL)
    assert sorted(task.args_kwargs["args"][0] for task in unfinished) == sorted(cut_off)
    assert set(unfinished.values_list("status", flat=True)) == {TaskResultStatus.FAILED}
