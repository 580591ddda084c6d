"""Dispatch and the Noark 5 archive around it: the incoming posts a dispatched letter answers are
written off, and a party typed in by name and address is refused before anything is sent."""

import pytest

from postkasse.models import Letter
from saksarkiv import services
from saksarkiv.models import Avskrivning, Journalpost
from saksarkiv.services.avskrivning import answer, restanser
from tests.postkasse.factories import citizen, pdf, providers
from tests.saksarkiv.factories import handler

pytestmark = pytest.mark.django_db


@pytest.fixture
def digipost(settings, tmp_path):
    return providers(settings, tmp_path)[0]


def case_with_application(case_handler):
    case = services.create_saksmappe(case_handler, tittel="Søknad om bostøtte")
    application = services.add_journalpost(
        case, case_handler, journalposttype="I", tittel="Søknad om bostøtte"
    )
    reply = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Vedtak om bostøtte")
    services.add_document(
        reply, case_handler, tittel="Vedtak", content=pdf(), filnavn="v.pdf", hoveddokument=True
    )
    return application, reply


def test_dispatching_the_answer_writes_the_incoming_post_off(digipost):
    case_handler = handler()
    application, reply = case_with_application(case_handler)
    services.add_party(
        reply, case_handler, identity_number=citizen(mailbox_provider=digipost).identity_number
    )
    answer(application, reply, case_handler)  # the reply is not finalised yet: linked, not written off
    assert list(restanser(case_handler)) == [application]

    services.dispatch(reply, case_handler)

    avskrivning = Avskrivning.objects.get(journalpost=application)
    assert (avskrivning.avskrivningsmaate, avskrivning.referanse_avskrives_av_journalpost) == ("BU", reply)
    assert not restanser(case_handler).exists()


def test_a_typed_in_recipient_is_refused_before_anything_is_sent(digipost):
    case_handler = handler()
    _application, reply = case_with_application(case_handler)
    services.add_party(
        reply, case_handler, identity_number=citizen(mailbox_provider=digipost).identity_number
    )
    services.add_party(
        reply,
        case_handler,
        navn="Ola Hansen",
        postadresse=["Storgata 2"],
        postnummer="9990",
        poststed="Båtsfjord",
    )

    with pytest.raises(services.DispatchRefused, match="Ola Hansen.*(identity number|fødselsnummer)"):
        services.dispatch(reply, case_handler)

    assert not Letter.objects.exists()
    assert Journalpost.objects.get(pk=reply.pk).journalstatus == Journalpost.Status.REGISTRERT


@pytest.mark.parametrize("code", ["TR1", "TM1", "TRO"])
def test_a_title_screened_in_any_way_never_reaches_the_notification(digipost, code):
    case_handler = handler()
    screening = services.screening(
        tilgangsrestriksjon="13", skjermingshjemmel="Offl. § 13", skjerming_metadata=[code]
    )
    _application, reply = case_with_application(case_handler)
    services.update_journalpost(reply, case_handler, skjerming=screening)
    services.add_party(
        reply, case_handler, identity_number=citizen(mailbox_provider=digipost).identity_number
    )

    services.dispatch(reply, case_handler)

    assert Letter.objects.get().title != reply.offentlig_tittel
