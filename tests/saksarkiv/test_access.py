"""Internal access control (tilgangskoder and tilgangsgrupper): a coded case or journal post is seen
only by its saksansvarlig (and a post's saksbehandler), the members of groups granting the code and
the archive leaders, in the services, the admin and the agency API; everyone else gets 404 and
does not find it in lists, searches or counts, and the attempt is in the audit trail."""

import uuid

import pytest

from core.models import AuditEvent
from saksarkiv import services
from saksarkiv.models import Journalpost, Tilgangsgruppe, Tilgangskode
from saksarkiv.services import access
from saksarkiv.services.api_handler import system_handler
from tests.postkasse.factories import citizen, pdf, providers
from tests.postkasse.test_mailbox import log_in
from tests.postkasse.test_replies import answer, dispatched, incoming
from tests.saksarkiv.factories import handler, organisation
from tests.saksarkiv.test_api import Agency

pytestmark = pytest.mark.django_db

SECRET = "Bekymringsmelding Ola Hemmelig"
OPEN = "Byggesak Storgata 1"


class Archive:
    """One organisation with a child-welfare code: an archive leader, the case's saksansvarlig,
    a member of the child-welfare group, and an ordinary handler who is in no group."""

    def __init__(self):
        org = organisation()
        self.leader = handler(org, first_name="Arne", last_name="Arkiv")
        self.leader.arkivleder = True
        self.leader.save()
        self.owner = handler(org, first_name="Siri", last_name="Sak")
        self.member = handler(org, first_name="Kari", last_name="Nilsen")
        self.plain = handler(org, first_name="Per", last_name="Vanlig")
        self.bv = access.save_tilgangskode(self.leader, kode="BV", navn="Barnevern", tilgangsrestriksjon="13")
        self.pers = access.save_tilgangskode(self.leader, kode="PERS", navn="Personal")
        self.group = access.save_tilgangsgruppe(
            self.leader, navn="Barnevernstjenesten", tilgangskoder=[self.bv], medlemmer=[self.member]
        )
        self.coded = services.create_saksmappe(self.owner, tittel=SECRET, tilgangskode=self.bv)
        self.coded_post = services.add_journalpost(
            self.coded, self.owner, journalposttype="I", tittel="Bekymringsmelding fra skolen"
        )
        self.open = services.create_saksmappe(self.owner, tittel=OPEN)
        self.open_post = services.add_journalpost(self.open, self.owner, journalposttype="I", tittel="Søknad")


@pytest.fixture
def archive():
    return Archive()


def visible_cases(who):
    return set(access.cases_for(who).values_list("tittel", flat=True))


def visible_posts(who):
    return set(access.journalposts_for(who).values_list("pk", flat=True))


# The rule, at the service.


def test_a_coded_case_and_its_posts_are_hidden_from_a_handler_without_the_code(archive):
    assert visible_cases(archive.plain) == {OPEN}
    assert visible_posts(archive.plain) == {archive.open_post.pk}


def test_the_saksansvarlig_sees_their_own_coded_case(archive):
    assert visible_cases(archive.owner) == {OPEN, SECRET}
    assert archive.coded_post.pk in visible_posts(archive.owner)
    assert visible_cases(archive.plain) == {OPEN}


def test_a_member_of_a_group_granting_the_code_sees_the_case(archive):
    assert visible_cases(archive.member) == {OPEN, SECRET}
    assert visible_posts(archive.member) == {archive.open_post.pk, archive.coded_post.pk}
    archive.group.medlemmer.clear()
    assert visible_cases(archive.member) == {OPEN}


def test_a_group_granting_another_code_opens_nothing(archive):
    access.save_tilgangsgruppe(
        archive.leader, navn="Personalkontoret", tilgangskoder=[archive.pers], medlemmer=[archive.plain]
    )
    assert visible_cases(archive.plain) == {OPEN}


def test_an_archive_leader_sees_every_coded_record(archive):
    assert visible_cases(archive.leader) == {OPEN, SECRET}
    assert visible_posts(archive.leader) == {archive.open_post.pk, archive.coded_post.pk}
    archive.leader.arkivleder = False
    assert visible_cases(archive.leader) == {OPEN}


def test_a_journal_post_takes_its_case_code_when_made(archive):
    assert archive.coded_post.tilgangskode == archive.bv


def test_a_post_without_a_code_is_still_hidden_by_its_case_code(archive):
    Journalpost.objects.filter(pk=archive.coded_post.pk).update(tilgangskode=None)
    assert archive.coded_post.pk not in visible_posts(archive.plain)
    assert archive.coded_post.pk in visible_posts(archive.member)


def test_a_coded_post_in_an_open_case_is_hidden_and_the_case_is_not(archive):
    Journalpost.objects.filter(pk=archive.open_post.pk).update(tilgangskode=archive.pers)
    assert visible_cases(archive.plain) == {OPEN}
    assert archive.open_post.pk not in visible_posts(archive.plain)
    # The Barnevern group is not granted PERS either; the case's saksansvarlig is.
    assert archive.open_post.pk not in visible_posts(archive.member)
    assert archive.open_post.pk in visible_posts(archive.owner)


def test_the_journal_posts_saksbehandler_sees_their_coded_post(archive):
    written = services.add_journalpost(
        archive.open, archive.plain, journalposttype="N", tittel="Notat", tilgangskode=archive.pers
    )
    assert written.pk in visible_posts(archive.plain)
    assert written.pk not in visible_posts(archive.member)


def test_another_organisations_group_grants_nothing(archive):
    other_org = organisation("974312344", "Velferdsetaten")
    other_code = Tilgangskode.objects.create(organisation=other_org, kode="BV", navn="Barnevern")
    stray = Tilgangsgruppe.objects.create(organisation=other_org, navn="Barnevern")
    stray.tilgangskoder.add(archive.bv, other_code)
    stray.medlemmer.add(archive.plain)
    assert visible_cases(archive.plain) == {OPEN}


def test_the_rule_is_one_query_however_many_groups(archive, django_assert_num_queries):
    for number in range(5):
        code = access.save_tilgangskode(archive.leader, kode=f"K{number}", navn=f"Kode {number}")
        access.save_tilgangsgruppe(
            archive.leader, navn=f"Gruppe {number}", tilgangskoder=[code], medlemmer=[archive.member]
        )
    with django_assert_num_queries(1):
        assert len(list(access.cases_for(archive.member))) == 2
    with django_assert_num_queries(1):
        assert len(list(access.journalposts_for(archive.member))) == 2
    with django_assert_num_queries(1):
        assert len(list(access.cases_for(archive.plain))) == 1


def test_a_denied_lookup_looks_like_a_missing_one_and_is_audited(archive):
    with pytest.raises(services.NotFound) as denied:
        access.get_case(archive.plain, pk=archive.coded.pk)
    with pytest.raises(services.NotFound) as missing:
        access.get_case(archive.plain, pk=archive.coded.pk + 1000)
    assert denied.value.message == missing.value.message
    event = AuditEvent.objects.get(action=access.DENIED_ACTION)
    assert event.outcome == AuditEvent.Outcome.DENIED
    assert event.actor_user == archive.plain.user
    assert (event.object_type, event.object_id) == ("saksarkiv.saksmappe", str(archive.coded.pk))
    assert event.details["tilgangskode"] == "BV"
    assert SECRET not in str(event.details)


def test_a_denied_journal_post_lookup_is_audited(archive):
    with pytest.raises(services.NotFound):
        services.get_journalpost(archive.plain, archive.coded_post.pk)
    event = AuditEvent.objects.get(action=access.DENIED_ACTION)
    assert event.object_id == str(archive.coded_post.pk)


def test_a_granted_lookup_is_not_a_security_event(archive):
    assert access.get_case(archive.member, pk=archive.coded.pk) == archive.coded
    assert not AuditEvent.objects.filter(action=access.DENIED_ACTION).exists()


def test_only_an_archive_leader_manages_codes_and_groups(archive):
    with pytest.raises(access.NotArchiveLeader):
        access.save_tilgangskode(archive.member, kode="HEL", navn="Helse")
    with pytest.raises(access.NotArchiveLeader):
        access.save_tilgangsgruppe(archive.member, gruppe=archive.group, navn="Alle", tilgangskoder=[archive.bv],
                                   medlemmer=[archive.member, archive.plain])  # fmt: skip
    assert not Tilgangskode.objects.filter(kode="HEL").exists()
    assert list(archive.group.medlemmer.all()) == [archive.member]


def test_a_grant_is_audited_with_before_and_after(archive):
    access.save_tilgangsgruppe(
        archive.leader, gruppe=archive.group, navn="Barnevernstjenesten", tilgangskoder=[archive.bv],
        medlemmer=[archive.member, archive.plain],
    )  # fmt: skip
    event = AuditEvent.objects.filter(action=access.GROUP_SAVED_ACTION).order_by("pk").last()
    assert event.details["old"]["medlemmer"] == [archive.member.user.username]
    assert event.details["new"]["medlemmer"] == sorted(
        [archive.member.user.username, archive.plain.user.username]
    )
    assert visible_cases(archive.plain) == {OPEN, SECRET}


def test_a_duplicate_code_is_a_clear_error_and_changes_nothing(archive):
    with pytest.raises(services.InvalidInput):
        access.save_tilgangskode(archive.leader, kode="bv", navn="Barnevern igjen")
    assert Tilgangskode.objects.get(kode="BV").navn == "Barnevern"


# The admin.


@pytest.fixture
def login(client):
    def as_handler(who):
        client.force_login(who.user)
        return client

    return as_handler


CASES = "/admin/saksarkiv/saksmappe/"
POSTS = "/admin/saksarkiv/journalpost/"


def test_the_case_list_leaves_the_coded_case_out_of_rows_and_count(archive, login):
    page = login(archive.plain).get(CASES)
    assert page.status_code == 200
    assert SECRET not in page.content.decode() and OPEN in page.content.decode()
    assert page.context["cl"].result_count == 1
    granted = login(archive.member).get(CASES)
    assert SECRET in granted.content.decode() and granted.context["cl"].result_count == 2


def test_search_by_title_or_case_number_does_not_find_the_coded_case(archive, login):
    client = login(archive.plain)
    for term in ("Bekymringsmelding", archive.coded.saksnummer):
        page = client.get(CASES, {"q": term})
        assert page.context["cl"].result_count == 0, term
        assert SECRET not in page.content.decode()
    assert login(archive.member).get(CASES, {"q": archive.coded.saksnummer}).context["cl"].result_count == 1


def test_the_coded_case_page_is_404_and_the_attempt_is_audited(archive, login):
    answer = login(archive.plain).get(f"{CASES}{archive.coded.pk}/change/")
    assert answer.status_code == 404
    assert SECRET not in answer.content.decode()
    assert AuditEvent.objects.filter(action=access.DENIED_ACTION, object_id=str(archive.coded.pk)).exists()
    assert login(archive.member).get(f"{CASES}{archive.coded.pk}/change/").status_code == 200


def test_a_missing_case_page_is_the_same_404(archive, login):
    assert login(archive.plain).get(f"{CASES}{archive.coded.pk + 1000}/change/").status_code == 404
    assert login(archive.plain).get(f"{CASES}nonsense/change/").status_code == 404
    assert not AuditEvent.objects.filter(action=access.DENIED_ACTION).exists()


def test_the_coded_journal_post_page_and_its_file_are_404(archive, login):
    services.add_document(archive.coded_post, archive.owner, tittel="Melding", content=pdf(), filnavn="melding.pdf",
                          hoveddokument=True)  # fmt: skip
    version = archive.coded_post.dokumenter.get().versjoner.get()
    client = login(archive.plain)
    assert client.get(f"{POSTS}{archive.coded_post.pk}/change/").status_code == 404
    assert client.get(f"{POSTS}{archive.coded_post.pk}/dokument/{version.pk}/").status_code == 404
    assert client.get(f"{POSTS}nonsense/change/").status_code == 404
    member = login(archive.member)
    assert member.get(f"{POSTS}{archive.coded_post.pk}/dokument/{version.pk}/").status_code == 200


def test_the_journal_post_list_leaves_coded_posts_out(archive, login):
    page = login(archive.plain).get(POSTS)
    assert page.context["cl"].result_count == 1
    assert "Bekymringsmelding fra skolen" not in page.content.decode()


def test_the_case_page_hides_a_coded_post_in_an_open_case(archive, login):
    services.add_journalpost(archive.open, archive.owner, journalposttype="N", tittel="Personalnotat Lønn",
                             tilgangskode=archive.pers)  # fmt: skip
    page = login(archive.plain).get(f"{CASES}{archive.open.pk}/change/").content.decode()
    assert "Søknad" in page and "Personalnotat Lønn" not in page
    assert (
        "Personalnotat Lønn"
        in login(archive.leader).get(f"{CASES}{archive.open.pk}/change/").content.decode()
    )


def test_the_dashboard_counts_only_visible_open_cases(archive, login):
    assert login(archive.plain).get(f"{CASES}oversikt/").context["open_cases"] == 1
    assert login(archive.member).get(f"{CASES}oversikt/").context["open_cases"] == 2


def test_a_new_journal_post_cannot_be_filed_on_a_coded_case(archive, login):
    client = login(archive.plain)
    form = client.get(f"{POSTS}add/").content.decode()
    assert SECRET not in form
    answer = client.post(f"{POSTS}add/", {"saksmappe": archive.coded.pk, "journalposttype": "I", "tittel": "Ny",
                                          "dokumentdato": "2026-11-25"})  # fmt: skip
    assert answer.status_code == 200
    assert not Journalpost.objects.filter(tittel="Ny").exists()


def test_the_filter_by_saksansvarlig_does_not_betray_a_coded_case(archive, login):
    lonely = handler(archive.owner.organisation, first_name="Liv", last_name="Einsam")
    services.create_saksmappe(lonely, tittel="Barnevern Liv", tilgangskode=archive.bv)
    page = login(archive.plain).get(CASES).content.decode()
    assert "Liv Einsam" not in page
    assert "Liv Einsam" in login(archive.member).get(CASES).content.decode()


def test_a_handler_sees_the_codes_but_only_an_archive_leader_changes_them(archive, login):
    client = login(archive.plain)
    assert client.get("/admin/saksarkiv/tilgangskode/").status_code == 200
    assert client.get("/admin/saksarkiv/tilgangskode/add/").status_code == 403
    assert client.get(f"/admin/saksarkiv/tilgangskode/{archive.bv.pk}/change/").status_code == 200
    assert client.get(f"/admin/saksarkiv/tilgangsgruppe/{archive.group.pk}/change/").status_code == 200
    refused = client.post(
        f"/admin/saksarkiv/tilgangskode/{archive.bv.pk}/change/", {"kode": "BV", "navn": "Åpen"}
    )
    assert refused.status_code == 403
    assert Tilgangskode.objects.get(pk=archive.bv.pk).navn == "Barnevern"
    answer = login(archive.leader).post(
        "/admin/saksarkiv/tilgangskode/add/",
        {"kode": "HEL", "navn": "Helse", "tilgangsrestriksjon": "13", "skjermingshjemmel": "Offl. § 13"},
    )
    assert answer.status_code == 302
    assert Tilgangskode.objects.get(kode="HEL").organisation == archive.leader.organisation
    assert AuditEvent.objects.filter(action=access.CODE_SAVED_ACTION, object_id=str(
        Tilgangskode.objects.get(kode="HEL").pk)).exists()  # fmt: skip


def test_a_duplicate_code_in_the_admin_is_a_form_error(archive, login):
    answer = login(archive.leader).post("/admin/saksarkiv/tilgangskode/add/", {"kode": "BV", "navn": "Igjen"})
    assert answer.status_code == 200
    assert "BV" in str(answer.context["adminform"].form.non_field_errors())
    assert Tilgangskode.objects.filter(kode="BV").count() == 1


def test_another_organisations_codes_and_groups_are_not_listed(archive, login):
    other_org = organisation("974312344", "Velferdsetaten")
    Tilgangskode.objects.create(organisation=other_org, kode="ANNEN", navn="Andres kode")
    page = login(archive.leader).get("/admin/saksarkiv/tilgangskode/").content.decode()
    assert "ANNEN" not in page and "Barnevern" in page


def test_an_archive_leader_grants_a_code_to_the_api_in_the_admin(archive, login):
    client = login(archive.leader)
    form = client.get(f"/admin/saksarkiv/tilgangsgruppe/{archive.group.pk}/change/")
    system = system_handler(archive.leader.organisation)
    members = form.context["adminform"].form.fields["medlemmer"].queryset
    assert system in members
    assert set(members) == {archive.leader, archive.owner, archive.member, archive.plain, system}
    answer = client.post(
        f"/admin/saksarkiv/tilgangsgruppe/{archive.group.pk}/change/",
        {"navn": "Barnevernstjenesten", "tilgangskoder": [archive.bv.pk], "medlemmer": [archive.member.pk, system.pk]},
    )  # fmt: skip
    assert answer.status_code == 302
    assert visible_cases(system) == {OPEN, SECRET}
    assert (
        AuditEvent.objects.filter(action=access.GROUP_SAVED_ACTION, object_id=str(archive.group.pk)).count()
        == 2
    )


# The agency API: the organisation's machine acts as its system handler.


@pytest.fixture
def agency(client):
    return Agency(client)


def test_a_token_without_the_code_gets_404_and_an_empty_list(archive, agency):
    case = agency.get(f"saksmappe/{archive.coded.system_id}")
    assert case.status_code == 404
    missing = agency.get(f"saksmappe/{uuid.uuid4()}")
    assert case.json()["detail"] == missing.json()["detail"]
    assert agency.get(f"journalpost/{archive.coded_post.system_id}").status_code == 404
    assert agency.get(f"saksmappe/{archive.coded.system_id}/journalpost").status_code == 404
    cases = [row["tittel"] for row in agency.get("saksmappe", **{"$top": 100}).json()["results"]]
    assert cases == [OPEN]
    posts = [row["systemID"] for row in agency.get("journalpost").json()["results"]]
    assert posts == [str(archive.open_post.system_id)]
    assert AuditEvent.objects.filter(action=access.DENIED_ACTION, object_id=str(archive.coded.pk)).exists()


def test_a_token_does_not_reach_a_coded_document(archive, agency):
    dokument = services.add_document(archive.coded_post, archive.owner, tittel="Melding", content=pdf(),
                                     filnavn="melding.pdf", hoveddokument=True)  # fmt: skip
    assert agency.get(f"dokumentbeskrivelse/{dokument.system_id}").status_code == 404
    assert agency.get(f"dokumentbeskrivelse/{dokument.system_id}/dokumentobjekt/1/fil").status_code == 404
    assert agency.get(f"journalpost/{archive.coded_post.system_id}/dokumentbeskrivelse").status_code == 404


def test_a_coded_post_in_an_open_case_is_left_out_of_the_cases_list(archive, agency):
    Journalpost.objects.filter(pk=archive.open_post.pk).update(tilgangskode=archive.pers)
    answer = agency.get(f"saksmappe/{archive.open.system_id}/journalpost")
    assert answer.status_code == 200
    assert answer.json()["results"] == []


def test_a_token_sees_the_coded_case_once_its_system_handler_is_granted_the_code(archive, agency):
    assert agency.get(f"saksmappe/{archive.coded.system_id}").status_code == 404
    access.save_tilgangsgruppe(
        archive.leader, gruppe=archive.group, navn=archive.group.navn, tilgangskoder=[archive.bv],
        medlemmer=[archive.member, system_handler(archive.leader.organisation)],
    )  # fmt: skip
    assert agency.get(f"saksmappe/{archive.coded.system_id}").status_code == 200
    assert agency.get(f"journalpost/{archive.coded_post.system_id}").status_code == 200
    cases = {row["tittel"] for row in agency.get("saksmappe").json()["results"]}
    assert cases == {OPEN, SECRET}


def test_a_request_for_access_to_a_coded_post_is_shown_only_to_those_who_see_the_post(archive, login):
    services.public.request_access(archive.coded_post, email="journalist@avis.no")
    services.public.request_access(archive.open_post, email="nabo@eksempel.no")
    page = login(archive.plain).get("/admin/saksarkiv/innsynskrav/")
    assert page.context["cl"].result_count == 1
    assert "Bekymringsmelding" not in page.content.decode()
    granted = login(archive.member).get("/admin/saksarkiv/innsynskrav/")
    assert granted.context["cl"].result_count == 2


# Replies from the mailbox, filed by the organisation's system handler.


def _reply(client, person, letter):
    log_in(client, person)
    assert answer(client, letter).status_code == 302


def test_a_reply_to_a_coded_letter_carries_the_letters_code(client, archive, settings, tmp_path):
    kari = citizen(mailbox_provider=providers(settings, tmp_path)[0])
    original, letter = dispatched(archive.owner, kari, tilgangskode=archive.pers)
    _reply(client, kari, letter)
    filed = incoming(original)
    assert filed.tilgangskode == archive.pers
    assert filed.pk not in visible_posts(archive.plain)
    assert filed.pk in visible_posts(archive.owner)


def test_a_reply_in_a_coded_case_is_filed_for_the_saksansvarlig_without_granting_the_system_handler(
    client, archive, settings, tmp_path
):
    kari = citizen(mailbox_provider=providers(settings, tmp_path)[0])
    original, letter = dispatched(archive.owner, kari)
    Journalpost.objects.filter(saksmappe=original.saksmappe).update(tilgangskode=archive.bv)
    type(original.saksmappe).objects.filter(pk=original.saksmappe_id).update(tilgangskode=archive.bv)
    _reply(client, kari, letter)
    filed = incoming(original)
    assert filed.tilgangskode == archive.bv
    assert filed.saksbehandler == original.saksmappe.saksansvarlig
    assert filed.pk not in visible_posts(archive.plain)
    assert filed.pk not in visible_posts(system_handler(archive.leader.organisation))
