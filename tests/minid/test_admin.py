import datetime

import pytest
from django.urls import reverse

from core.models import AuditEvent
from minid import services
from minid.models import MinidUser, PinLetter
from minid.services.pin_letters import print_key
from postkasse import services as postkasse
from postkasse.models import PrintBatch
from postkasse.services import printing
from tests.folkeregister.factories import make_person, unique_identity_number
from tests.minid.factories import citizen
from tests.permissions import grant
from virksomheter.services import operator_organisation

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:minid_pinletter_changelist")
ORDER = reverse("admin:minid_pinletter_order")
USERS = reverse("admin:minid_miniduser_changelist")
STRENGT_FORTROLIG = "strengt_fortrolig"


@pytest.fixture
def print_room_client(client, staff_user):
    """Staff who may see, order, print and block letters, but not see protected addresses."""
    grant(staff_user, "minid.view_pinletter", "minid.add_pinletter", "minid.change_pinletter")
    client.force_login(staff_user)
    return client


def download_url(letter: PinLetter) -> str:
    return reverse("admin:minid_pinletter_download", args=[letter.pk])


def listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def run_action(client, action: str, *letters: PinLetter):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [letter.pk for letter in letters]}, follow=True
    )


def test_ordering_a_letter_creates_it_and_lists_it_with_a_masked_number(print_room_client, staff_user):
    person = make_person(given_name="Ingrid", family_name="Bakken")

    response = print_room_client.post(ORDER, {"identity_number": person.identity_number}, follow=True)

    letter = PinLetter.objects.get()
    assert letter.person == person
    assert letter.print_status == PinLetter.PrintStatus.QUEUED
    assert listed(response) == [letter]
    html = response.content.decode()
    assert f"Ingrid Bakken ({person.identity_number[:6]}*****)" in html
    assert person.identity_number not in html
    event = AuditEvent.objects.get(action="minid.pin_letter_ordered")
    assert event.actor_user == staff_user


def test_ordering_with_invalid_number_shows_the_norwegian_error(print_room_client):
    valid = unique_identity_number()
    typo = valid[:10] + str((int(valid[10]) + 1) % 10)

    response = print_room_client.post(ORDER, {"identity_number": typo})

    assert response.status_code == 200
    assert response.context["form"].errors["identity_number"] == [
        f"{typo} er ikke et gyldig fødselsnummer: Kontrollsifrene i fødselsnummeret stemmer ikke."
    ]
    assert not PinLetter.objects.exists()


def test_ordering_for_a_deceased_person_shows_the_error_in_english_when_chosen(print_room_client, settings):
    person = make_person(status="doed")
    print_room_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = print_room_client.post(ORDER, {"identity_number": person.identity_number})

    assert response.context["form"].errors["identity_number"] == [
        "The population register says this person is deceased."
    ]
    assert not PinLetter.objects.exists()


def test_order_page_needs_the_add_permission(client, staff_user):
    grant(staff_user, "minid.view_pinletter")
    client.force_login(staff_user)
    person = make_person()

    response = client.post(ORDER, {"identity_number": person.identity_number})

    assert response.status_code == 403
    assert not PinLetter.objects.exists()


def test_add_page_leads_to_the_order_form(print_room_client):
    response = print_room_client.get(reverse("admin:minid_pinletter_add"))

    assert response.status_code == 302
    assert response.url == ORDER


def test_search_by_full_identity_number_finds_only_that_persons_letters(admin_client):
    _person, letter, _codes = citizen()
    citizen()

    response = admin_client.get(CHANGELIST, {"q": letter.person.identity_number})

    assert listed(response) == [letter]


def test_search_by_part_of_a_number_finds_nothing(admin_client):
    _person, letter, _codes = citizen()

    response = admin_client.get(CHANGELIST, {"q": letter.person.identity_number[:6]})

    assert listed(response) == []


def test_blocked_filter_lists_only_blocked_letters(print_room_client):
    _person, blocked, _codes = citizen()
    citizen()
    run_action(print_room_client, "block_letters", blocked)

    response = print_room_client.get(CHANGELIST, {"blocked": "yes"})

    assert listed(response) == [blocked]


def test_downloading_a_held_letter_gives_the_pdf_and_is_audited(print_room_client, staff_user):
    grant(staff_user, "folkeregister.view_protected_address")
    person, letter, _codes = citizen(address_protection=STRENGT_FORTROLIG)

    response = print_room_client.get(download_url(letter))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action="minid.pin_letter_downloaded")
    assert event.actor_user == staff_user
    assert event.object_type == "minid.person"
    assert event.object_id == person.identity_number
    assert event.details == {"letter": letter.serial}


def test_a_queued_letter_is_printed_in_the_print_channel_not_downloaded_here(print_room_client, staff_user):
    grant(staff_user, "folkeregister.view_protected_address")
    _person, letter, _codes = citizen()

    assert print_room_client.get(download_url(letter)).status_code == 404


def test_printing_the_batch_marks_the_letter_printed_and_its_pdf_is_gone(print_room_client, staff_user):
    grant(staff_user, "folkeregister.view_protected_address")
    _person, letter, _codes = citizen()
    storage, name = letter.pdf.storage, letter.pdf.name
    batch = PrintBatch.objects.get()
    PrintBatch.objects.filter(pk=batch.pk).update(day=batch.day - datetime.timedelta(days=1))

    printing.mark_batch_printed(batch, printed_by="trykkeri")

    letter.refresh_from_db()
    assert letter.print_status == PinLetter.PrintStatus.PRINTED
    assert not storage.exists(name)
    assert print_room_client.get(download_url(letter)).status_code == 404


def test_held_letter_cannot_be_downloaded_without_the_protected_address_permission(print_room_client):
    _person, letter, _codes = citizen(address_protection=STRENGT_FORTROLIG)

    response = print_room_client.get(download_url(letter))

    assert response.status_code == 403
    event = AuditEvent.objects.get(action="minid.pin_letter_downloaded")
    assert event.outcome == AuditEvent.Outcome.DENIED


def test_held_letter_can_be_downloaded_with_the_protected_address_permission(print_room_client, staff_user):
    grant(staff_user, "folkeregister.view_protected_address")
    _person, letter, _codes = citizen(address_protection=STRENGT_FORTROLIG)

    response = print_room_client.get(download_url(letter))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_download_needs_the_view_permission(client, staff_user):
    grant(staff_user, "minid.add_pinletter")
    client.force_login(staff_user)
    _person, letter, _codes = citizen()

    assert client.get(download_url(letter)).status_code == 403


def test_queued_letters_cannot_be_marked_printed_by_hand(print_room_client):
    _person, queued, _codes = citizen()

    response = print_room_client.get(CHANGELIST)

    assert "mark_as_printed" not in response.content.decode()
    run_action(print_room_client, "mark_as_printed", queued)
    queued.refresh_from_db()
    assert queued.print_status == PinLetter.PrintStatus.QUEUED


def test_block_action_blocks_the_letter_and_audits(print_room_client, staff_user):
    _person, letter, _codes = citizen()

    run_action(print_room_client, "block_letters", letter)

    letter.refresh_from_db()
    assert letter.blocked_at is not None
    event = AuditEvent.objects.get(action="minid.pin_letter_blocked")
    assert event.actor_user == staff_user
    assert event.details == {"letter": letter.serial, "reason": "case_handler"}


def test_actions_need_the_change_permission(client, staff_user):
    grant(staff_user, "minid.view_pinletter")
    client.force_login(staff_user)
    _person, letter, _codes = citizen()

    run_action(client, "block_letters", letter)

    letter.refresh_from_db()
    assert letter.blocked_at is None


def test_minid_user_admin_is_read_only_and_hides_the_password(admin_client):
    person = make_person()
    user = MinidUser.objects.create(person=person, password="argon2$secret-hash")

    listing = admin_client.get(USERS, {"q": person.identity_number})
    detail = admin_client.get(reverse("admin:minid_miniduser_change", args=[user.pk]))

    assert listed(listing) == [user]
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "secret-hash" not in html
    assert 'name="status"' not in html
    assert admin_client.get(reverse("admin:minid_miniduser_add")).status_code == 403
    assert admin_client.get(reverse("admin:minid_miniduser_delete", args=[user.pk])).status_code == 403


def test_held_letter_is_marked_sent_after_manual_handling_by_staff_with_the_permission(admin_client):
    from tests.folkeregister.factories import make_person

    person = make_person(address_protection="strengt_fortrolig")
    letter = services.order_pin_letter(person.identity_number, ordered_by="test")
    assert letter.print_status == PinLetter.PrintStatus.HELD
    admin_client.post(
        "/admin/minid/pinletter/",
        {"action": "mark_as_sent_manually", "_selected_action": [letter.pk]},
    )
    letter.refresh_from_db()
    assert letter.print_status == PinLetter.PrintStatus.PRINTED
    assert not letter.pdf
    in_print = postkasse.find_letter(operator_organisation(), print_key(letter))
    assert in_print.status == "printed" and in_print.receipts.get().kind == "printet"
