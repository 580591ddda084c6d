"""Avskrivning and restanser (Noark 5 krav 3.4): an incoming post is written off by the post that answers
it or with a code, once, and until then it is on the restanse list of its handler and unit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from saksarkiv import services
from saksarkiv.models import AdministrativEnhet, Avskrivning, Journalpost
from saksarkiv.services.archive import void
from saksarkiv.services.avskrivning import answer, restanser, undo_write_off, write_off
from tests.postkasse.factories import pdf
from tests.saksarkiv.factories import enhet, handler, organisation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def incoming(case_handler, case=None, **fields):
    case = case or services.create_saksmappe(case_handler, tittel="Søknad om bostøtte")
    return services.add_journalpost(
        case, case_handler, journalposttype="I", tittel="Søknad om bostøtte", **fields
    )


def post(case_handler, case, journalposttype="U", tittel="Vedtak om bostøtte", *, finalised=False):
    found = services.add_journalpost(case, case_handler, journalposttype=journalposttype, tittel=tittel)
    if finalised:
        finalise(found, case_handler)
    return found


def finalise(journalpost, case_handler):
    add_required_party(journalpost, case_handler)
    services.add_document(
        journalpost, case_handler, tittel="Brev", content=pdf(), filnavn="b.pdf", hoveddokument=True
    )
    services.finalise(journalpost, case_handler)


# The parties krav 3.x requires before a post is finalised: a sender on an incoming post, a recipient on an
# outgoing one, an internal recipient on a memo.
ADDRESS = {"postadresse": ["Fjordveien 12"], "postnummer": "6800", "poststed": "Førde"}


def add_required_party(journalpost, case_handler):
    if journalpost.journalposttype in ("N", "X"):
        services.add_party(journalpost, case_handler, korrespondanseparttype="IM", saksbehandler=case_handler)
    elif journalpost.journalposttype in ("I", "U"):
        kind = "EA" if journalpost.journalposttype == "I" else "EM"
        services.add_party(
            journalpost, case_handler, korrespondanseparttype=kind, navn="Kari Nordmann", **ADDRESS
        )


def written_off(journalpost):
    return Avskrivning.objects.filter(journalpost=journalpost).first()


# Services.


def test_a_code_writes_the_post_off_and_it_leaves_the_restanse_list():
    case_handler = handler()
    application = incoming(case_handler, forfallsdato=TODAY + timedelta(days=7))
    assert list(restanser(case_handler, saksbehandler=case_handler)) == [application]

    write_off(application, case_handler, maate="TE")

    avskrivning = written_off(application)
    assert avskrivning.avskrivningsmaate == "TE" and avskrivning.avskrivningsdato == TODAY
    assert avskrivning.avskrevet_av == case_handler.user.username
    assert avskrivning.referanse_avskrives_av_journalpost is None
    assert not restanser(case_handler, saksbehandler=case_handler).exists()
    event = AuditEvent.objects.get(action="saksarkiv.journalpost_written_off")
    assert event.object_id == str(application.pk) and event.details["avskrivningsmaate"] == "TE"


@pytest.mark.parametrize("journalposttype", ["U", "X", "S"])
def test_only_incoming_posts_and_memos_for_follow_up_are_written_off(journalposttype):
    case_handler = handler()
    case = services.create_saksmappe(case_handler, tittel="Sak")
    other = post(case_handler, case, journalposttype)
    with pytest.raises(services.InvalidInput):
        write_off(other, case_handler, maate="TO")
    assert not Avskrivning.objects.exists()


def test_a_memo_for_follow_up_is_written_off_and_is_a_restanse_until_then():
    case_handler = handler()
    case = services.create_saksmappe(case_handler, tittel="Sak")
    memo = post(case_handler, case, "N", "Befaring")
    assert list(restanser(case_handler)) == [memo]
    write_off(memo, case_handler, maate="TO")
    assert written_off(memo).avskrivningsmaate == "TO"


@pytest.mark.parametrize("maate", ["", "XX", "BU", "BN"])
def test_without_an_answering_post_only_the_codes_are_taken(maate):
    """BU and BN say a post answered it (krav 3.4.7: then there is a reference), so not without one."""
    case_handler = handler()
    application = incoming(case_handler)
    with pytest.raises(services.InvalidInput):
        write_off(application, case_handler, maate=maate)
    assert not Avskrivning.objects.exists()


def test_a_post_is_written_off_once():
    case_handler = handler()
    application = incoming(case_handler)
    write_off(application, case_handler, maate="TE")
    with pytest.raises(services.InvalidInput, match=application.saksmappe.saksnummer):
        write_off(application, case_handler, maate="TO")
    assert written_off(application).avskrivningsmaate == "TE"


def test_an_answer_writes_the_post_off_when_it_is_finalised():
    case_handler = handler()
    application = incoming(case_handler)
    decision = post(case_handler, application.saksmappe)

    assert answer(application, decision, case_handler) is None
    assert written_off(application) is None
    assert list(restanser(case_handler)) == [application]

    finalise(decision, case_handler)

    avskrivning = written_off(application)
    assert avskrivning.avskrivningsmaate == "BU"
    assert avskrivning.referanse_avskrives_av_journalpost == decision
    assert not restanser(case_handler).exists()


def test_a_finalised_answer_writes_off_at_once_and_a_memo_answers_with_bn():
    case_handler = handler()
    application = incoming(case_handler)
    memo = post(case_handler, application.saksmappe, "N", "Svar internt", finalised=True)
    answer(application, memo, case_handler)
    assert written_off(application).avskrivningsmaate == "BN"


def test_one_outgoing_post_writes_off_several_incoming_posts_also_in_another_case():
    """Krav 3.4.4, and an answer may be filed in any case of the archive."""
    case_handler = handler()
    first = incoming(case_handler)
    second = incoming(case_handler)
    decision = post(case_handler, first.saksmappe)
    answer(first, decision, case_handler)
    answer(second, decision, case_handler)
    finalise(decision, case_handler)
    assert written_off(first).referanse_avskrives_av_journalpost == decision
    assert written_off(second).referanse_avskrives_av_journalpost == decision


def test_write_off_by_a_post_that_is_not_finalised_is_refused():
    case_handler = handler()
    application = incoming(case_handler)
    decision = post(case_handler, application.saksmappe)
    with pytest.raises(
        services.InvalidInput, match=f"{decision.saksmappe.saksnummer}-{decision.journalpostnummer}"
    ):
        write_off(application, case_handler, by_journalpost=decision)
    assert written_off(application) is None


def test_an_incoming_post_does_not_answer_another():
    case_handler = handler()
    application = incoming(case_handler)
    other = incoming(case_handler, application.saksmappe)
    with pytest.raises(services.InvalidInput):
        answer(application, other, case_handler)
    with pytest.raises(services.InvalidInput):
        answer(application, application, case_handler)


def test_undo_makes_it_a_restanse_again_and_is_audited():
    case_handler = handler()
    application = incoming(case_handler)
    decision = post(case_handler, application.saksmappe, finalised=True)
    answer(application, decision, case_handler)

    undo_write_off(application, case_handler)

    assert written_off(application) is None
    assert list(restanser(case_handler)) == [application]
    event = AuditEvent.objects.get(action="saksarkiv.journalpost_write_off_undone")
    assert event.details["avskrivningsmaate"] == "BU"
    assert (
        event.details["avskrevet_av_journalpost"]
        == f"{decision.saksmappe.saksnummer}-{decision.journalpostnummer}"
    )
    # The answer no longer counts: closing does not write the post off again behind the handler's back.
    finalise(application, case_handler)
    with pytest.raises(services.InvalidInput, match="«Søknad om bostøtte»"):
        services.close_case(application.saksmappe, case_handler)


def test_undo_of_what_is_not_written_off_is_refused():
    case_handler = handler()
    with pytest.raises(services.InvalidInput):
        undo_write_off(incoming(case_handler), case_handler)


def test_no_write_off_in_a_closed_case_and_no_undo_of_an_archived_post():
    case_handler = handler()
    application = incoming(case_handler)
    finalise(application, case_handler)
    write_off(application, case_handler, maate="TE")
    services.close_case(application.saksmappe, case_handler)
    with pytest.raises(services.RecordFinalised):
        undo_write_off(application, case_handler)
    assert written_off(application) is not None


def test_another_organisations_post_is_not_found():
    mine, theirs = handler(), handler(organisation("974312344", "Velferdsetaten"))
    application = incoming(theirs)
    with pytest.raises(services.NotFound):
        write_off(application, mine, maate="TE")
    assert not restanser(mine).exists()


def test_a_void_post_is_no_restanse():
    case_handler = handler()
    application = incoming(case_handler)
    void(application, case_handler)
    assert not restanser(case_handler).exists()


def test_restanser_per_handler_and_per_unit_with_the_units_under_it_earliest_due_first():
    org = organisation()
    helse = enhet(org)
    legekontor = AdministrativEnhet.objects.create(
        organisation=org, kortnavn="LEG", navn="Legekontor", overordnet=helse
    )
    skole = enhet(org, "SKO", "Skole")
    ingrid, lege, laerer = handler(org), handler(org), handler(org)
    lege.administrativ_enhet = legekontor
    lege.save()
    laerer.administrativ_enhet = skole
    laerer.save()
    late = incoming(ingrid, forfallsdato=TODAY - timedelta(days=1))
    undated = incoming(ingrid)
    soon = incoming(lege, forfallsdato=TODAY + timedelta(days=3))
    school = incoming(laerer, forfallsdato=TODAY)

    assert list(restanser(ingrid, saksbehandler=ingrid)) == [late, undated]
    by_unit = list(restanser(ingrid, unit=helse))
    assert by_unit == [late, soon, undated]
    assert [p.overdue for p in by_unit] == [True, False, False]
    assert list(restanser(ingrid, unit=legekontor)) == [soon]
    assert list(restanser(ingrid, unit=skole)) == [school]
    assert not restanser(ingrid, unit=skole).filter(pk=late.pk).exists()


# The admin.


def page_of(journalpost):
    return f"/admin/saksarkiv/journalpost/{journalpost.pk}/change/"


def test_admin_writes_off_with_a_code_and_shows_how_when_and_by_whom(client, case_handler):
    application = incoming(case_handler)
    page = client.get(page_of(application)).content.decode()
    assert 'id="id_maate"' in page and 'value="TE"' in page

    response = client.post(
        f"/admin/saksarkiv/journalpost/{application.pk}/avskriv/", {"maate": "TO"}, follow=True
    )

    assert written_off(application).avskrivningsmaate == "TO"
    page = response.content.decode()
    assert case_handler.user.username in page and 'id="id_maate"' not in page


def test_admin_writes_off_by_the_answer_chosen_in_the_case(client, case_handler):
    application = incoming(case_handler)
    decision = post(case_handler, application.saksmappe, finalised=True)
    page = client.get(page_of(application)).content.decode()
    assert f'<option value="{decision.pk}">' in page

    client.post(f"/admin/saksarkiv/journalpost/{application.pk}/avskriv/", {"svar": decision.pk})

    assert written_off(application).referanse_avskrives_av_journalpost == decision
    assert page_of(decision) in client.get(page_of(application)).content.decode()


def test_admin_names_the_pending_answer_until_it_is_finalised(client, case_handler):
    application = incoming(case_handler)
    decision = post(case_handler, application.saksmappe)
    client.post(f"/admin/saksarkiv/journalpost/{application.pk}/avskriv/", {"svar": decision.pk})
    assert written_off(application) is None
    assert page_of(decision) in client.get(page_of(application)).content.decode()


@pytest.mark.parametrize(
    "data", [{"maate": "XX"}, {"svar": "abc"}, {"svar": "999999"}, {"svar": "99999999999999999999"}, {}]
)
def test_admin_bad_write_off_shows_an_error_and_changes_nothing(client, case_handler, data):
    application = incoming(case_handler)
    response = client.post(f"/admin/saksarkiv/journalpost/{application.pk}/avskriv/", data, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])[0].level_tag == "error"
    assert written_off(application) is None


def test_admin_undo_and_get_is_refused(client, case_handler):
    application = incoming(case_handler)
    write_off(application, case_handler, maate="TE")
    assert client.get(f"/admin/saksarkiv/journalpost/{application.pk}/avskriv/angre/").status_code == 403
    client.post(f"/admin/saksarkiv/journalpost/{application.pk}/avskriv/angre/")
    assert written_off(application) is None


def test_restanser_page_shows_mine_by_default_with_overdue_marked_and_the_unit_on_request(
    client, case_handler
):
    colleague = handler()
    late = incoming(case_handler, forfallsdato=TODAY - timedelta(days=2))
    theirs = incoming(colleague, forfallsdato=TODAY + timedelta(days=2))
    done = incoming(case_handler)
    write_off(done, case_handler, maate="TE")

    page = client.get("/admin/saksarkiv/journalpost/restanser/").content.decode()
    assert page_of(late) in page and page_of(theirs) not in page and page_of(done) not in page
    assert "saksarkiv-overdue" in page

    unit = client.get(
        f"/admin/saksarkiv/journalpost/restanser/?saksbehandler=&enhet={case_handler.administrativ_enhet.pk}"
    )
    page = unit.content.decode()
    assert page_of(late) in page and page_of(theirs) in page
    assert page.index(page_of(late)) < page.index(page_of(theirs))


def test_restanser_page_is_linked_from_the_journal_post_list_and_closed_to_others(client, case_handler):
    assert (
        "/admin/saksarkiv/journalpost/restanser/"
        in client.get("/admin/saksarkiv/journalpost/").content.decode()
    )
    client.logout()
    assert client.get("/admin/saksarkiv/journalpost/restanser/").status_code == 302


def test_restanser_page_ignores_a_bad_filter_and_shows_mine(client, case_handler):
    late = incoming(case_handler)
    response = client.get("/admin/saksarkiv/journalpost/restanser/?saksbehandler=abc&enhet=999999")
    assert response.status_code == 200 and page_of(late) in response.content.decode()


def test_a_written_off_post_in_a_closed_case_still_shows_its_write_off(client, case_handler):
    application = incoming(case_handler)
    finalise(application, case_handler)
    write_off(application, case_handler, maate="TE")
    services.close_case(application.saksmappe, case_handler)
    page = client.get(page_of(application)).content.decode()
    assert case_handler.user.username in page and "/avskriv/angre/" not in page
    assert Journalpost.objects.get(pk=application.pk).journalstatus == Journalpost.Status.ARKIVERT
