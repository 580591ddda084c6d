"""The case handler's overview and journal post page in the archive's life: the dashboard counts the
handler's restanser and links the list, and a post past dispatching offers no Dispatch."""

import pytest

from saksarkiv import services
from saksarkiv.models import Journalpost, Tilgangskode
from saksarkiv.services.avskrivning import answer
from tests.postkasse.factories import pdf
from tests.saksarkiv.factories import handler

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_the_handlers_restanser_and_links_the_list(client, case_handler):
    case = services.create_saksmappe(case_handler, tittel="Søknad om bostøtte")
    services.add_journalpost(case, case_handler, journalposttype="I", tittel="Søknad")
    services.add_journalpost(case, handler(case_handler.organisation), journalposttype="I", tittel="Klage")

    page = client.get("/admin/saksarkiv/saksmappe/oversikt/").content.decode()

    count = page.split('id="my-restanser">')[1].split("</p>")[0]
    assert count.strip().startswith("1 ")  # the other handler's post is theirs, not this handler's
    assert 'href="/admin/saksarkiv/journalpost/restanser/"' in page


def test_an_archived_outgoing_post_offers_no_dispatch(client, case_handler):
    case = services.create_saksmappe(case_handler, tittel="Sak")
    letter = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Vedtak")
    services.add_document(
        letter, case_handler, tittel="Vedtak", content=pdf(), filnavn="v.pdf", hoveddokument=True
    )
    Journalpost.objects.filter(pk=letter.pk).update(journalstatus=Journalpost.Status.ARKIVERT)

    page = client.get(f"/admin/saksarkiv/journalpost/{letter.pk}/change/").content.decode()

    assert f"/admin/saksarkiv/journalpost/{letter.pk}/ekspeder/" not in page


def test_the_write_off_box_does_not_name_an_answer_under_a_code_the_viewer_lacks(client, case_handler):
    owner, colleague = handler(case_handler.organisation), handler(case_handler.organisation)
    personal = Tilgangskode.objects.create(
        organisation=case_handler.organisation, kode="PERS", navn="Personal"
    )
    case = services.create_saksmappe(owner, tittel="Søknad om permisjon")
    application = services.add_journalpost(case, owner, journalposttype="I", tittel="Søknad")
    reply = services.add_journalpost(
        case, colleague, journalposttype="U", tittel="Svar om sykdom hos Ola", tilgangskode=personal
    )
    answer(application, reply, colleague)  # not finalised: the application waits for it

    page = client.get(f"/admin/saksarkiv/journalpost/{application.pk}/change/").content.decode()

    assert "Svar om sykdom hos Ola" not in page
