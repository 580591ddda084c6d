"""The citizen's digital mailbox through its pages: logged in through ID-porten, the inbox, opening
a letter (level 4 by step-up), receipts and the audit trail, folders, the archive, delete and
notification preferences. Only the recipient ever gets a letter: everyone else gets 404."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from core.models import AuditEvent
from idporten.models import LOA_HIGH
from postkasse.models import Folder, Letter, Mailbox, Receipt
from tests.folkeregister.factories import make_person
from tests.idporten.factories import logged_in, query
from tests.postkasse.factories import citizen, pdf, send

pytestmark = pytest.mark.django_db
HOME = "/postkasse/"


def log_in(client, person, **session):
    """Log in to the mailbox through ID-porten (the browser already has an SSO session)."""
    logged_in(client, identity_number=person.identity_number, **session)
    authorize = client.get("/postkasse/logg-inn/")
    assert authorize.url.startswith("/idporten/authorize?")
    callback = client.get(authorize.url)
    assert callback.url.startswith("http://testserver/postkasse/innlogget/?code="), callback.url
    assert client.get(callback.url).url == HOME
    return person


def deliver(person, **options) -> Letter:
    letter, _created = send(person, **options)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DELIVERED
    return letter


def letter_url(letter) -> str:
    return f"/postkasse/brev/{letter.pk}/"


# Logging in


def test_anonymous_visitor_sees_what_the_mailbox_is_and_a_login_button(client):
    response = client.get(HOME)
    assert "Logg inn med ID-porten" in response.content.decode()


def test_pages_need_a_login_through_id_porten_at_level_3(client, kari):
    response = client.get("/postkasse/arkiv/")
    assert response.url == "/postkasse/logg-inn/?next=%2Fpostkasse%2Farkiv%2F"
    params = query(client.get(response.url).url)
    assert params["client_id"] == "felles-postkasse" and params["acr_values"] == "idporten-loa-substantial"


def test_a_citizen_without_a_mailbox_is_told_how_to_choose_one(client, digipost):
    log_in(client, citizen())
    page = client.get(HOME).content.decode()
    assert "Du har ingen digital postkasse" in page
    assert 'href="/kontaktinfo/postkasse/"' in page


# The inbox


def test_inbox_lists_own_letters_newest_first_with_unread_marked(client, kari, digipost):
    old = deliver(kari, title="Varsel", sensitive_title="Vedtak om bostøtte")
    new = deliver(kari, title="Varsel", sensitive_title="Innkalling til time")
    deliver(citizen(mailbox_provider=digipost), sensitive_title="Andres brev")
    Letter.objects.filter(pk=old.pk).update(read=True)
    log_in(client, kari)
    page = client.get(HOME).content.decode()
    assert page.index("Innkalling til time") < page.index("Vedtak om bostøtte")
    assert "Andres brev" not in page
    assert "Velferdsetaten" in page
    assert page.count("Ulest:") == 1  # for screen readers, on the new letter's link only
    assert f'href="{letter_url(new)}"><span class="ds-sr-only">Ulest:' in page
    assert "Innboks (uleste: 1)" in page


def test_the_sender_logo_is_shown_when_there_is_one(client, kari, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    letter = deliver(kari)
    letter.sender.logo.save("velferd.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    log_in(client, kari)
    assert f'src="{letter.sender.logo.url}"' in client.get(HOME).content.decode()


def test_a_level_4_letter_is_listed_as_needing_level_4(client, kari):
    deliver(kari, sensitive_title="Helseopplysninger", security_level=4)
    log_in(client, kari)
    page = client.get(HOME).content.decode()
    assert "Helseopplysninger" in page and "Krever innlogging på nivå 4" in page


def test_letters_before_their_virkningsdato_are_hidden(client, kari):
    later = deliver(kari, sensitive_title="Skattemelding", virkningsdato=timezone.now() + timedelta(days=2))
    deliver(kari, sensitive_title="Vedtak i går", virkningsdato=timezone.now() - timedelta(days=1))
    log_in(client, kari)
    page = client.get(HOME).content.decode()
    assert "Vedtak i går" in page and "Skattemelding" not in page
    assert client.get(letter_url(later)).status_code == 404


def test_the_inbox_shows_20_letters_a_page(client, kari):
    for number in range(21):
        deliver(kari, sensitive_title=f"Brev nummer {number:02d}")
    log_in(client, kari)
    first = client.get(HOME).content.decode()
    assert first.count("Brev nummer") == 20 and "Brev nummer 00" not in first
    assert 'href="?side=2"' in first
    second = client.get(HOME + "?side=2").content.decode()
    assert second.count("Brev nummer") == 1 and "Brev nummer 00" in second


def test_list_pages_are_never_cached(client, kari):
    log_in(client, kari)
    assert "no-store" in client.get(HOME)["Cache-Control"]


# Opening


def test_opening_a_letter_shows_the_pdf_in_the_page_and_marks_it_read(client, kari):
    letter = deliver(kari, sensitive_title="Vedtak om bostøtte")
    log_in(client, kari)
    response = client.get(letter_url(letter))
    page = response.content.decode()
    assert "Vedtak om bostøtte" in page
    assert f'<iframe class="postkasse-document" src="{letter_url(letter)}dokument/0/"' in page
    assert f'href="{letter_url(letter)}dokument/0/last-ned/"' in page
    assert "no-store" in response["Cache-Control"]
    letter.refresh_from_db()
    assert letter.read and letter.opened_at is not None
    event = AuditEvent.objects.get(action="postkasse.letter_opened", object_id=str(letter.pk))
    assert event.actor == kari.identity_number and event.details["acr"] == "idporten-loa-substantial"


def test_the_document_is_decrypted_and_answered_inline_for_a_same_origin_frame(client, kari):
    letter = deliver(kari)
    log_in(client, kari)
    response = client.get(f"{letter_url(letter)}dokument/0/")
    assert response.content == pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="vedtak.pdf"'
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="postkasse.document_downloaded")
    assert event.actor == kari.identity_number and event.details["disposition"] == "inline"


def test_every_other_page_may_not_be_framed(client, kari):
    letter = deliver(kari)
    log_in(client, kari)
    response = client.get(letter_url(letter))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_each_document_can_be_downloaded_and_every_download_is_audited(client, kari):
    from postkasse.services import DocumentIn

    attachment = pdf("Vedlegg: beregning")
    letter = deliver(
        kari,
        documents=[
            DocumentIn("Vedtak", "vedtak.pdf", pdf()),
            DocumentIn("Beregning", "beregning.pdf", attachment),
        ],
    )
    log_in(client, kari)
    assert "Last ned Beregning (PDF," in client.get(letter_url(letter)).content.decode()
    response = client.get(f"{letter_url(letter)}dokument/1/last-ned/")
    assert response.content == attachment
    assert response["Content-Disposition"] == 'attachment; filename="beregning.pdf"'
    assert "no-store" in response["Cache-Control"]
    client.get(f"{letter_url(letter)}dokument/1/last-ned/")
    events = AuditEvent.objects.filter(action="postkasse.document_downloaded", object_id=str(letter.pk))
    assert [e.details["disposition"] for e in events] == ["attachment", "attachment"]
    assert client.get(f"{letter_url(letter)}dokument/2/last-ned/").status_code == 404


def test_the_opening_receipt_is_sent_once_and_the_first_opening_kept(client, kari):
    letter = deliver(kari, opening_receipt=True)
    log_in(client, kari)
    client.get(letter_url(letter))
    letter.refresh_from_db()
    first_opened = letter.opened_at
    client.get(letter_url(letter))
    client.get(f"{letter_url(letter)}dokument/0/")
    letter.refresh_from_db()
    assert letter.opened_at == first_opened
    assert list(letter.receipts.values_list("kind", flat=True)) == [
        Receipt.Kind.DELIVERED,
        Receipt.Kind.OPENED,
    ]
    assert AuditEvent.objects.filter(action="postkasse.letter_opened", object_id=str(letter.pk)).count() == 2


def test_no_opening_receipt_when_the_sender_did_not_ask(client, kari):
    letter = deliver(kari)
    log_in(client, kari)
    client.get(letter_url(letter))
    assert not letter.receipts.filter(kind=Receipt.Kind.OPENED).exists()


def test_a_letter_that_does_not_decrypt_is_not_reported_opened(client, kari, private_files_in_tmp):
    letter = deliver(kari, opening_receipt=True)
    (private_files_in_tmp / letter.documents.get().envelope.name).write_bytes(b"not an envelope")
    log_in(client, kari)
    response = client.get(letter_url(letter))
    assert response.url == HOME
    assert "Brevet kunne ikke åpnes. Prøv igjen senere." in client.get(HOME).content.decode()
    letter.refresh_from_db()
    assert not letter.read and letter.opened_at is None
    assert not letter.receipts.filter(kind=Receipt.Kind.OPENED).exists()


# Level 4


def test_a_level_4_letter_asks_for_a_step_up_login_and_is_not_opened_at_level_3(client, kari):
    letter = deliver(kari, security_level=4, opening_receipt=True)
    log_in(client, kari)
    for url in (
        letter_url(letter),
        f"{letter_url(letter)}dokument/0/",
        f"{letter_url(letter)}dokument/0/last-ned/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"/postkasse/logg-inn/?next=%2Fpostkasse%2Fbrev%2F{letter.pk}%2F&nivaa=4"
    authorize = client.get(response.url)
    assert query(authorize.url)["acr_values"] == LOA_HIGH
    assert "/idporten/velg/" in client.get(authorize.url).url  # the picker
    letter.refresh_from_db()
    assert not letter.read and letter.opened_at is None
    assert not letter.receipts.filter(kind=Receipt.Kind.OPENED).exists()
    assert not AuditEvent.objects.filter(object_id=str(letter.pk), actor=kari.identity_number).exists()


def test_a_level_4_letter_opens_with_a_level_4_login(client, kari):
    letter = deliver(kari, security_level=4)
    log_in(client, kari, acr=LOA_HIGH)
    response = client.get(letter_url(letter))
    assert response.status_code == 200
    assert client.get(f"{letter_url(letter)}dokument/0/").content == pdf()
    event = AuditEvent.objects.get(action="postkasse.letter_opened", object_id=str(letter.pk))
    assert event.details["acr"] == LOA_HIGH


# Nobody else


def letter_urls(letter) -> list[tuple[str, str]]:
    url = letter_url(letter)
    return [
        ("get", url), ("get", f"{url}dokument/0/"), ("get", f"{url}dokument/0/last-ned/"), ("get", f"{url}slett/"),
        ("post", f"{url}slett/"), ("post", f"{url}flytt/"), ("post", f"{url}lest/"),
    ]  # fmt: skip


def assert_untouched(letter):
    letter.refresh_from_db()
    assert not letter.read and letter.deleted_at is None and not letter.archived
    assert letter.documents.get().envelope.name
    assert not AuditEvent.objects.filter(
        object_id=str(letter.pk), action__in=["postkasse.letter_opened", "postkasse.document_downloaded"]
    ).exists()


def test_another_citizen_gets_404_for_every_letter_page(client, kari):
    letter = deliver(kari)
    log_in(client, make_person())
    for method, url in letter_urls(letter):
        assert getattr(client, method)(url, {"to": "arkiv", "read": "yes"}).status_code == 404, url
    assert_untouched(letter)


@pytest.mark.parametrize("superuser", [False, True])
def test_staff_and_admins_get_404_for_a_citizens_letter(client, kari, django_user_model, superuser):
    letter = deliver(kari)
    user = django_user_model.objects.create_user(
        username="admin", password="Riktig-hest-batteri-42", is_staff=True, is_superuser=superuser
    )
    client.force_login(user)
    for method, url in letter_urls(letter):
        assert getattr(client, method)(url, {"to": "arkiv", "read": "yes"}).status_code == 404, url
    assert_untouched(letter)


def test_anonymous_visitors_get_404_for_a_letter(client, kari):
    letter = deliver(kari)
    for method, url in letter_urls(letter):
        assert getattr(client, method)(url).status_code == 404, url
    assert_untouched(letter)


def test_a_letter_that_does_not_exist_is_404(client, kari):
    log_in(client, kari)
    assert client.get("/postkasse/brev/00000000-0000-0000-0000-000000000000/").status_code == 404


# Folders, archive, read and unread


def test_citizen_creates_renames_and_deletes_a_folder_and_its_letters_go_back_to_the_inbox(client, kari):
    letter = deliver(kari, sensitive_title="Skatteoppgjør")
    log_in(client, kari)
    response = client.post("/postkasse/mapper/", {"name": "  Skatt  "})
    assert response.url == "/postkasse/mapper/"
    folder = Folder.objects.get(mailbox__identity_number=kari.identity_number)
    assert folder.name == "Skatt"
    assert "Mappen Skatt er opprettet." in client.get(response.url).content.decode()

    client.post(f"{letter_url(letter)}flytt/", {"to": str(folder.pk)})
    assert "Skatteoppgjør" not in client.get(HOME).content.decode()
    assert "Skatteoppgjør" in client.get(f"/postkasse/mapper/{folder.pk}/").content.decode()

    response = client.post(f"/postkasse/mapper/{folder.pk}/endre/", {"name": "Skatt 2025"})
    assert response.url == f"/postkasse/mapper/{folder.pk}/"
    folder.refresh_from_db()
    assert folder.name == "Skatt 2025"

    response = client.post(f"/postkasse/mapper/{folder.pk}/slett/")
    assert response.url == "/postkasse/mapper/"
    assert not Folder.objects.exists()
    letter.refresh_from_db()
    assert letter.folder is None and letter.deleted_at is None
    assert "Skatteoppgjør" in client.get(HOME).content.decode()


def test_a_folder_needs_a_name_not_already_used(client, kari):
    log_in(client, kari)
    client.post("/postkasse/mapper/", {"name": "Skatt"})
    response = client.post("/postkasse/mapper/", {"name": "skatt"})
    assert "Du har allerede en mappe med det navnet." in response.content.decode()
    response = client.post("/postkasse/mapper/", {"name": "   "})
    assert "Dette feltet er påkrevd." in response.content.decode()
    assert Folder.objects.count() == 1


def test_another_citizens_folder_is_404_and_cannot_be_used(client, kari, digipost):
    other = citizen(mailbox_provider=digipost)
    log_in(client, other)
    client.post("/postkasse/mapper/", {"name": "Mine"})
    theirs = Folder.objects.get()
    client.post("/postkasse/logg-ut/")
    client.logout()
    letter = deliver(kari)
    log_in(client, kari)
    assert client.get(f"/postkasse/mapper/{theirs.pk}/").status_code == 404
    assert client.post(f"/postkasse/mapper/{theirs.pk}/slett/").status_code == 404
    response = client.post(f"{letter_url(letter)}flytt/", {"to": str(theirs.pk)})
    assert response.url == letter_url(letter)
    letter.refresh_from_db()
    assert letter.folder is None and Folder.objects.filter(pk=theirs.pk).exists()


def test_archived_letters_stay_in_the_archive_until_moved_back(client, kari):
    letter = deliver(kari, sensitive_title="Gammelt vedtak")
    log_in(client, kari)
    response = client.post(f"{letter_url(letter)}flytt/", {"to": "arkiv"})
    assert response.url == "/postkasse/arkiv/"
    assert "Brevet er flyttet til arkivet." in client.get(response.url).content.decode()
    assert "Gammelt vedtak" not in client.get(HOME).content.decode()
    assert "Gammelt vedtak" in client.get("/postkasse/arkiv/").content.decode()
    client.post(f"{letter_url(letter)}flytt/", {"to": "innboks"})
    letter.refresh_from_db()
    assert not letter.archived and letter.folder is None


def test_a_letter_can_be_marked_unread_and_read_again(client, kari):
    letter = deliver(kari)
    log_in(client, kari)
    client.get(letter_url(letter))
    response = client.post(f"{letter_url(letter)}lest/", {"read": "no"})
    assert response.url == HOME
    letter.refresh_from_db()
    assert not letter.read and letter.opened_at is not None
    assert "Brevet er merket som ulest." in client.get(HOME).content.decode()
    client.post(f"{letter_url(letter)}lest/", {"read": "yes"})
    letter.refresh_from_db()
    assert letter.read


# Delete


def test_delete_asks_first_then_the_letter_and_its_documents_are_gone(
    client, kari, private_files_in_tmp, django_capture_on_commit_callbacks
):
    letter = deliver(kari, sensitive_title="Kan slettes")
    envelope = private_files_in_tmp / letter.documents.get().envelope.name
    assert envelope.exists()
    log_in(client, kari)
    confirmation = client.get(f"{letter_url(letter)}slett/").content.decode()
    assert "Vil du slette brevet?" in confirmation and "Kan slettes" in confirmation
    letter.refresh_from_db()
    assert letter.deleted_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{letter_url(letter)}slett/")
    assert response.url == HOME
    letter.refresh_from_db()
    assert letter.deleted_at is not None and not envelope.exists()
    page = client.get(HOME).content.decode()
    assert "Brevet er slettet." in page and "Kan slettes" not in page
    assert client.get(letter_url(letter)).status_code == 404
    assert AuditEvent.objects.filter(action="postkasse.letter_deleted", actor=kari.identity_number).exists()


# Notification preferences


def test_citizen_chooses_how_to_be_notified(client, kari):
    log_in(client, kari)
    page = client.get("/postkasse/varsler/").content.decode()
    assert 'id="id_notify_sms" checked' in page and 'id="id_notify_email" checked' in page
    response = client.post("/postkasse/varsler/", {"notify_email": "on"})
    assert response.url == HOME
    mailbox = Mailbox.objects.get(identity_number=kari.identity_number)
    assert not mailbox.notify_sms and mailbox.notify_email
    assert "Valgene dine for varsler er lagret." in client.get(HOME).content.decode()
