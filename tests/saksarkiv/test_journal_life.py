"""A journal post's life (Noark 5 M053, krav 3.2): finalised, journalført by the archive leader, archived
when its case closes, or void; a closed case waits for every write-off, is reopened only by the archive
leader with a reason, and takes no new document versions."""

import pytest

from core.models import AuditEvent
from saksarkiv import services
from saksarkiv.models import Dokumentbeskrivelse, Journalpost, Saksmappe
from saksarkiv.services.archive import journalfoer, reopen_case, void
from saksarkiv.services.avskrivning import answer, write_off
from tests.postkasse.factories import citizen, pdf, providers
from tests.saksarkiv.factories import handler
from tests.saksarkiv.test_avskrivning import add_required_party

pytestmark = pytest.mark.django_db

Status = Journalpost.Status


def leader(**fields):
    found = handler(**fields)
    found.arkivleder = True
    found.save()
    return found


def new_post(case_handler, case=None, journalposttype="U", *, finalised=True):
    case = case or services.create_saksmappe(case_handler, tittel="Søknad om bostøtte")
    journalpost = services.add_journalpost(case, case_handler, journalposttype=journalposttype, tittel="Brev")
    if finalised:
        add_required_party(journalpost, case_handler)
        services.add_document(
            journalpost, case_handler, tittel="Brev", content=pdf(), filnavn="b.pdf", hoveddokument=True
        )
        services.finalise(journalpost, case_handler)
    return journalpost


def fresh(record):
    record.refresh_from_db()
    return record


# Closing and archiving.


def test_a_case_is_not_closed_while_an_incoming_post_is_not_written_off():
    case_handler = handler()
    application = new_post(case_handler, journalposttype="I")
    with pytest.raises(services.InvalidInput) as refused:
        services.close_case(application.saksmappe, case_handler)
    assert f"{application.saksmappe.saksnummer}-1" in refused.value.message
    assert "«Brev»" in refused.value.message
    assert fresh(application.saksmappe).saksstatus == Saksmappe.Status.UNDER_BEHANDLING
    assert fresh(application).journalstatus == Status.FERDIGSTILT

    write_off(application, case_handler, maate="TE")
    assert services.close_case(application.saksmappe, case_handler).saksstatus == Saksmappe.Status.AVSLUTTET


def test_closing_archives_the_finished_posts_and_leaves_the_void_ones_void():
    case_handler = handler()
    decision = new_post(case_handler)
    case = decision.saksmappe
    mistake = new_post(case_handler, case, finalised=False)
    void(mistake, case_handler)

    services.close_case(case, case_handler)

    case = fresh(case)
    assert case.avsluttet_dato is not None and case.avsluttet_av == case_handler.user.username
    decision = fresh(decision)
    assert decision.journalstatus == Status.ARKIVERT
    assert (
        decision.arkivert_dato == case.avsluttet_dato and decision.arkivert_av == case_handler.user.username
    )
    assert fresh(mistake).journalstatus == Status.UTGAAR and mistake.arkivert_dato == case.avsluttet_dato
    archived = AuditEvent.objects.get(action="saksarkiv.journalpost_archived")
    assert archived.details["changes"] == {"journalstatus": ["F", "A"]}


def test_an_unfinished_post_still_blocks_closing():
    case_handler = handler()
    draft = new_post(case_handler, finalised=False)
    with pytest.raises(services.InvalidInput):
        services.close_case(draft.saksmappe, case_handler)
    assert fresh(draft).journalstatus == Status.REGISTRERT


def test_a_closed_case_is_not_closed_again():
    case_handler = handler()
    case = new_post(case_handler).saksmappe
    services.close_case(case, case_handler)
    with pytest.raises(services.InvalidInput):
        services.close_case(case, case_handler)


def test_a_dispatched_answer_writes_off_what_it_answers_at_the_latest_when_the_case_closes(
    settings, tmp_path
):
    digipost = providers(settings, tmp_path)[0]
    case_handler = handler()
    application = new_post(case_handler, journalposttype="I")
    decision = new_post(case_handler, application.saksmappe, finalised=False)
    services.add_document(
        decision, case_handler, tittel="Vedtak", content=pdf(), filnavn="v.pdf", hoveddokument=True
    )
    services.add_party(
        decision, case_handler, identity_number=citizen(mailbox_provider=digipost).identity_number
    )
    answer(application, decision, case_handler)
    services.dispatch(decision, case_handler)  # straight from registered to dispatched

    services.close_case(application.saksmappe, case_handler)

    avskrivning = application.avskrivninger.get()
    assert (
        avskrivning.avskrivningsmaate == "BU" and avskrivning.referanse_avskrives_av_journalpost == decision
    )


# Journalført and void.


def test_the_archive_leader_journalises_a_finalised_post():
    case_handler, archive_leader = handler(), leader()
    decision = new_post(case_handler)
    with pytest.raises(services.RecordFinalised):
        journalfoer(decision, case_handler)
    assert fresh(decision).journalstatus == Status.FERDIGSTILT

    journalfoer(decision, archive_leader)

    assert fresh(decision).journalstatus == Status.JOURNALFOERT
    event = AuditEvent.objects.get(action="saksarkiv.journalpost_journalised")
    assert event.details["changes"] == {"journalstatus": ["F", "J"]}
    services.close_case(decision.saksmappe, case_handler)
    assert fresh(decision).journalstatus == Status.ARKIVERT


def test_only_a_finalised_post_is_journalised():
    draft = new_post(handler(), finalised=False)
    with pytest.raises(services.InvalidInput):
        journalfoer(draft, leader())
    assert fresh(draft).journalstatus == Status.REGISTRERT


def test_a_post_registered_by_mistake_is_void_not_deleted():
    case_handler = handler()
    mistake = new_post(case_handler, finalised=False)
    with pytest.raises(services.RecordFinalised):
        void(mistake, handler())  # a colleague who is not the archive leader
    void(mistake, case_handler, reason="Registrert to ganger")
    assert fresh(mistake).journalstatus == Status.UTGAAR
    assert (
        AuditEvent.objects.get(action="saksarkiv.journalpost_voided").details["reason"]
        == "Registrert to ganger"
    )
    with pytest.raises(services.RecordFinalised):
        services.update_journalpost(mistake, case_handler, tittel="Ny tittel")


def test_a_finalised_post_is_not_voided():
    case_handler = handler()
    decision = new_post(case_handler)
    with pytest.raises(services.RecordFinalised):
        void(decision, case_handler)
    assert fresh(decision).journalstatus == Status.FERDIGSTILT


# Reopening.


def test_only_the_archive_leader_reopens_a_closed_case_and_gives_the_reason():
    case_handler, archive_leader = handler(), leader()
    decision = new_post(case_handler)
    case = services.close_case(decision.saksmappe, case_handler)
    closed = case.avsluttet_dato
    with pytest.raises(services.RecordFinalised):
        reopen_case(case, case_handler, reason="Klage")
    with pytest.raises(services.InvalidInput):
        reopen_case(case, archive_leader, reason="  ")
    assert fresh(case).saksstatus == Saksmappe.Status.AVSLUTTET

    reopen_case(case, archive_leader, reason="Klage på vedtaket")

    case = fresh(case)
    assert case.saksstatus == Saksmappe.Status.UNDER_BEHANDLING
    assert case.avsluttet_dato is None and case.avsluttet_av == ""
    event = AuditEvent.objects.get(action="saksarkiv.case_reopened")
    assert event.details["reason"] == "Klage på vedtaket"
    assert event.details["changes"]["avsluttet_dato"] == [closed.isoformat(), None]
    assert event.details["changes"]["avsluttet_av"] == [case_handler.user.username, None]
    # The archived post stays archived; the case takes new posts again.
    assert fresh(decision).journalstatus == Status.ARKIVERT
    services.add_journalpost(case, case_handler, journalposttype="I", tittel="Klage")


def test_an_open_case_is_not_reopened():
    case = new_post(handler()).saksmappe
    with pytest.raises(services.InvalidInput):
        reopen_case(case, leader(), reason="Feil")


# No new document version where the record is frozen.


def document_of(journalpost):
    # Fetched afresh, as a page or the API would (through the post, Django would hand back the stale one).
    return Dokumentbeskrivelse.objects.select_related("journalpost__saksmappe").get(
        journalpost_id=journalpost.pk
    )


def test_no_new_version_in_a_closed_case():
    case_handler = handler()
    decision = new_post(case_handler)
    services.close_case(decision.saksmappe, case_handler)
    with pytest.raises(services.RecordFinalised):
        services.new_version(document_of(decision), leader(), content=pdf("Ny"), filnavn="ny.pdf")
    assert document_of(decision).versjoner.count() == 1


def test_no_new_version_of_an_archived_post_in_a_reopened_case():
    case_handler, archive_leader = handler(), leader()
    decision = new_post(case_handler)
    reopen_case(services.close_case(decision.saksmappe, case_handler), archive_leader, reason="Klage")
    with pytest.raises(services.RecordFinalised):
        services.new_version(document_of(decision), archive_leader, content=pdf("Ny"), filnavn="ny.pdf")
    assert document_of(decision).versjoner.count() == 1


def test_a_journalised_post_takes_a_new_version_from_the_archive_leader_only():
    """Krav 2.9.9: only authorised roles archive a new version on a journalført post."""
    case_handler, archive_leader = handler(), leader()
    decision = new_post(case_handler)
    journalfoer(decision, archive_leader)
    with pytest.raises(services.RecordFinalised):
        services.new_version(document_of(decision), case_handler, content=pdf("Ny"), filnavn="ny.pdf")
    services.new_version(document_of(decision), archive_leader, content=pdf("PDF/A"), filnavn="a.pdf")
    assert document_of(decision).versjoner.count() == 2


def test_a_finalised_post_still_changes_by_a_new_version():
    case_handler = handler()
    decision = new_post(case_handler)
    services.new_version(document_of(decision), case_handler, content=pdf("Rettet"), filnavn="r.pdf")
    assert document_of(decision).versjoner.count() == 2


# The admin.


@pytest.fixture
def logged_in(client):
    def log_in(case_handler):
        client.force_login(case_handler.user)
        return case_handler

    return log_in


def test_admin_close_names_the_post_not_written_off(client, logged_in):
    case_handler = logged_in(handler())
    application = new_post(case_handler, journalposttype="I")
    response = client.post(
        "/admin/saksarkiv/saksmappe/",
        {"action": "close_cases", "_selected_action": [application.saksmappe.pk]},
        follow=True,
    )
    assert f"{application.saksmappe.saksnummer}-1" in response.content.decode()
    assert fresh(application.saksmappe).saksstatus == Saksmappe.Status.UNDER_BEHANDLING


def test_admin_reopen_asks_for_the_reason_and_is_the_archive_leaders(client, logged_in):
    case_handler = handler()
    case = services.close_case(new_post(case_handler).saksmappe, case_handler)
    logged_in(case_handler)
    assert b"reopen_cases" not in client.get("/admin/saksarkiv/saksmappe/").content
    archive_leader = logged_in(leader())
    assert b"reopen_cases" in client.get("/admin/saksarkiv/saksmappe/").content

    asked = client.post(
        "/admin/saksarkiv/saksmappe/", {"action": "reopen_cases", "_selected_action": [case.pk]}
    )
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    assert fresh(case).saksstatus == Saksmappe.Status.AVSLUTTET
    client.post(
        "/admin/saksarkiv/saksmappe/",
        {"action": "reopen_cases", "_selected_action": [case.pk], "confirmed": "yes", "reason": ""},
    )
    assert fresh(case).saksstatus == Saksmappe.Status.AVSLUTTET

    client.post(
        "/admin/saksarkiv/saksmappe/",
        {"action": "reopen_cases", "_selected_action": [case.pk], "confirmed": "yes", "reason": "Klage"},
    )
    assert fresh(case).saksstatus == Saksmappe.Status.UNDER_BEHANDLING
    event = AuditEvent.objects.get(action="saksarkiv.case_reopened")
    assert event.details["reason"] == "Klage" and event.actor == archive_leader.user.username


def test_admin_journalise_button_is_the_archive_leaders(client, logged_in):
    case_handler = logged_in(handler())
    decision = new_post(case_handler)
    page = f"/admin/saksarkiv/journalpost/{decision.pk}/change/"
    assert "/journalfor/" not in client.get(page).content.decode()
    client.post(f"/admin/saksarkiv/journalpost/{decision.pk}/journalfor/")
    assert fresh(decision).journalstatus == Status.FERDIGSTILT

    logged_in(leader())
    assert "/journalfor/" in client.get(page).content.decode()
    client.post(f"/admin/saksarkiv/journalpost/{decision.pk}/journalfor/")
    assert fresh(decision).journalstatus == Status.JOURNALFOERT


def test_admin_void_button(client, logged_in):
    case_handler = logged_in(handler())
    mistake = new_post(case_handler, finalised=False)
    assert "/utgar/" in client.get(f"/admin/saksarkiv/journalpost/{mistake.pk}/change/").content.decode()
    client.post(f"/admin/saksarkiv/journalpost/{mistake.pk}/utgar/")
    assert fresh(mistake).journalstatus == Status.UTGAAR
    assert "/utgar/" not in client.get(f"/admin/saksarkiv/journalpost/{mistake.pk}/change/").content.decode()
