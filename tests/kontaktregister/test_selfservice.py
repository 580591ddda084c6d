"""The citizen's self-service in the contact register, through its pages: logged in through
ID-porten at level 3, change and verify contact information, confirm, reserve, choose a
mailbox and a language, and see the change history."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.models import AuditEvent, OutboundSms
from idporten.models import LOA_HIGH, Client
from kontaktregister import services
from kontaktregister.models import ContactRecord
from tests.folkeregister.factories import make_person
from tests.idporten.factories import logged_in, query

pytestmark = pytest.mark.django_db
HOME = "/kontaktinfo/"


def log_in(client, person=None, **session):
    """Log in to the self-service through ID-porten (the browser already has an SSO session)."""
    person = person or make_person()
    logged_in(client, identity_number=person.identity_number, **session)
    authorize = client.get("/kontaktinfo/logg-inn/")
    assert authorize.url.startswith("/idporten/authorize?")
    callback = client.get(authorize.url)
    assert callback.url.startswith("http://testserver/kontaktinfo/innlogget/?code="), callback.url
    assert client.get(callback.url).url == HOME
    return person


def registered(person, **fields):
    now = timezone.now()
    values = {"mobile": "+4791234567", "mobile_verified_at": now, "email": "kari@example.no",
              "email_verified_at": now, **fields}  # fmt: skip
    return ContactRecord.objects.create(person=person, **values)


def sent_code(kind: str) -> str:
    text = OutboundSms.objects.order_by("-id").first().text if kind == "mobile" else mail.outbox[-1].body
    return re.search(r"\b(\d{6})\b", text).group(1)


def history_actions(person) -> list[str]:
    return [entry.action for entry in services.history(person.identity_number)]


def test_anonymous_visitor_sees_what_the_register_is_and_a_login_button(client):
    response = client.get(HOME)
    assert response.status_code == 200
    assert "Logg inn med ID-porten" in response.content.decode()


def test_pages_need_a_login_and_come_back_after_it(client):
    response = client.get("/kontaktinfo/reservasjon/")
    assert response.url == "/kontaktinfo/logg-inn/?next=%2Fkontaktinfo%2Freservasjon%2F"
    person = make_person()
    logged_in(client, identity_number=person.identity_number)
    authorize = client.get(response.url)
    callback = client.get(authorize.url)
    assert client.get(callback.url).url == "/kontaktinfo/reservasjon/"


def test_login_goes_through_id_porten_at_level_3_as_its_own_client(client):
    client.get("/kontaktinfo/logg-inn/")
    params = query(client.get("/kontaktinfo/logg-inn/").url)
    assert params["acr_values"] == "idporten-loa-substantial"
    assert params["code_challenge_method"] == "S256"
    registered_client = Client.objects.get(client_id=params["client_id"])
    assert registered_client.redirect_uris == ["http://testserver/kontaktinfo/innlogget/"]
    assert registered_client.secret_hash == ""  # never usable at the token endpoint from outside


def test_a_forged_or_replayed_callback_is_refused(client):
    person = make_person()
    logged_in(client, identity_number=person.identity_number)
    callback = client.get(client.get("/kontaktinfo/logg-inn/").url).url
    assert client.get(callback).status_code == 302
    client.post("/kontaktinfo/logg-ut/")
    assert client.get(callback).status_code == 400  # the state is used
    assert client.get("/kontaktinfo/innlogget/?code=x&state=y").status_code == 400


def test_logging_out_of_id_porten_elsewhere_ends_the_login_here(client):
    log_in(client)
    assert client.get(HOME).templates[0].name == "kontaktregister/overview.html"
    from idporten.services import current_session, end_session

    end_session(current_session(client), reason="logout")
    assert client.get(HOME).templates[0].name == "kontaktregister/start.html"


def test_logout_goes_to_id_porten_end_session(client):
    log_in(client)
    response = client.post("/kontaktinfo/logg-ut/")
    assert response.url.startswith("/idporten/endsession?id_token_hint=")
    final = client.get(response.url)
    assert final.status_code == 200
    assert client.get(HOME).templates[0].name == "kontaktregister/start.html"


def test_overview_shows_what_is_registered(client):
    person = make_person()
    registered(person, reserved=True)
    log_in(client, person)
    page = client.get(HOME).content.decode()
    assert "+4791234567" in page and "kari@example.no" in page
    assert "Reservert: du får brev fra det offentlige på papir" in page


def test_citizen_registers_a_mobile_number_proved_by_a_code(client):
    person = log_in(client)
    response = client.post("/kontaktinfo/endre/mobile/", {"action": "send", "value": "912 34 567"})
    assert response.status_code == 302
    assert OutboundSms.objects.last().to == "+4791234567"
    assert services.contact_record(person.identity_number) is None  # nothing changes before the code
    response = client.post("/kontaktinfo/endre/mobile/", {"action": "confirm", "code": sent_code("mobile")})
    assert response.url == HOME
    record = services.contact_record(person.identity_number)
    assert record.mobile == "+4791234567" and record.status == ContactRecord.Status.ACTIVE
    assert record.mobile_verified_at and record.mobile_updated_at
    assert history_actions(person)[:2] == ["mobile_changed", "mobile_code_sent"]


def test_a_wrong_code_changes_nothing_and_is_audited(client):
    person = make_person()
    registered(person)
    log_in(client, person)
    client.post("/kontaktinfo/endre/email/", {"action": "send", "value": "Ny@Example.no"})
    response = client.post("/kontaktinfo/endre/email/", {"action": "confirm", "code": "000000x"})
    assert "Koden er feil" in response.content.decode()
    assert services.contact_record(person.identity_number).email == "kari@example.no"
    assert AuditEvent.objects.filter(action="kontaktregister.email_code_wrong", outcome="failure").exists()


def test_too_many_wrong_codes_spend_the_code(client):
    person = log_in(client)
    client.post("/kontaktinfo/endre/email/", {"action": "send", "value": "ny@example.no"})
    code = sent_code("email")
    for _attempt in range(5):
        client.post("/kontaktinfo/endre/email/", {"action": "confirm", "code": "999999"})
    response = client.post("/kontaktinfo/endre/email/", {"action": "confirm", "code": code})
    assert "For mange feil koder" in response.content.decode()
    assert services.contact_record(person.identity_number) is None


def test_an_expired_code_is_refused(client, settings):
    settings.KRR_CODE_TTL_SECONDS = -1
    person = log_in(client)
    client.post("/kontaktinfo/endre/mobile/", {"action": "send", "value": "91234567"})
    response = client.post("/kontaktinfo/endre/mobile/", {"action": "confirm", "code": sent_code("mobile")})
    assert "Koden er utløpt" in response.content.decode()
    assert services.contact_record(person.identity_number) is None


def test_codes_to_one_person_are_limited_per_hour(client, settings):
    settings.KRR_CODES_PER_HOUR = 3
    log_in(client)
    for number in ("912 34 567", "913 45 678"):
        client.post("/kontaktinfo/endre/mobile/", {"action": "send", "value": number})
    client.post("/kontaktinfo/endre/email/", {"action": "send", "value": "ny@example.no"})
    response = client.post("/kontaktinfo/endre/mobile/", {"action": "send", "value": "914 56 789"})
    assert "Du har bedt om mange koder på kort tid. Vent en time og prøv igjen." in response.content.decode()
    assert OutboundSms.objects.count() == 2 and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="kontaktregister.code_refused", outcome="denied").exists()


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("mobile", "12", "Skriv inn et gyldig mobilnummer."),
        ("mobile", "22 22 22 22", "Nummeret er ikke et mobilnummer"),
        ("email", "not-an-address", "Skriv inn en gyldig e-postadresse."),
    ],
)
def test_bad_values_get_a_clear_error_and_no_code(client, kind, value, message):
    log_in(client)
    response = client.post(f"/kontaktinfo/endre/{kind}/", {"action": "send", "value": value})
    assert message in response.content.decode()
    assert not OutboundSms.objects.exists() and not mail.outbox


def test_changing_the_address_tells_the_old_one(client):
    person = make_person()
    registered(person)
    log_in(client, person)
    client.post("/kontaktinfo/endre/email/", {"action": "send", "value": "ny@example.no"})
    client.post("/kontaktinfo/endre/email/", {"action": "confirm", "code": sent_code("email")})
    assert mail.outbox[-1].to == ["kari@example.no"]
    assert services.contact_record(person.identity_number).email == "ny@example.no"


def test_citizen_removes_the_e_mail_address(client):
    person = make_person()
    registered(person)
    log_in(client, person)
    client.post("/kontaktinfo/fjern/email/")
    record = services.contact_record(person.identity_number)
    assert record.email == "" and record.email_verified_at is None and record.mobile


def test_old_contact_information_asks_to_be_confirmed(client):
    person = make_person()
    long_ago = timezone.now() - timedelta(days=600)
    registered(person, mobile_verified_at=long_ago)
    log_in(client, person)
    assert "Er kontaktinformasjonen din fortsatt riktig?" in client.get(HOME).content.decode()
    client.post("/kontaktinfo/bekreft/")
    record = services.contact_record(person.identity_number)
    assert record.mobile_verified_at > long_ago and not services.needs_confirmation(record)
    assert "Er kontaktinformasjonen din fortsatt riktig?" not in client.get(HOME).content.decode()
    assert history_actions(person)[0] == "confirmed"


def test_recently_verified_information_is_not_questioned(client):
    person = make_person()
    registered(person, mobile_verified_at=timezone.now() - timedelta(days=500))
    log_in(client, person)
    assert "Er kontaktinformasjonen din fortsatt riktig?" not in client.get(HOME).content.decode()


def test_citizen_reserves_and_withdraws_the_reservation(client):
    person = log_in(client)
    page = client.get("/kontaktinfo/reservasjon/").content.decode()
    assert "brev på papir" in page
    client.post("/kontaktinfo/reservasjon/", {"reserve": "yes"})
    record = services.contact_record(person.identity_number)
    assert record.reserved and record.reserved_changed_at
    client.post("/kontaktinfo/reservasjon/", {"reserve": "no"})
    assert not services.contact_record(person.identity_number).reserved
    assert history_actions(person)[:2] == ["reservation_withdrawn", "reserved"]


def test_mailbox_page_says_so_when_no_provider_is_registered(client):
    log_in(client)
    page = client.get("/kontaktinfo/postkasse/").content.decode()
    assert "Ingen leverandører av digital postkasse er registrert ennå" in page


def test_citizen_chooses_a_mailbox_provider(client):
    services.register_provider("984661185", name="Digipost", certificate_pem="CERT-PEM")
    person = log_in(client)
    client.post("/kontaktinfo/postkasse/", {"provider": "984661185"})
    record = services.contact_record(person.identity_number)
    assert record.mailbox_provider == "984661185" and record.mailbox_certificate == "CERT-PEM"
    assert re.fullmatch(r"kari\.nordmann#[0-9A-F]{4}", record.mailbox_address)
    services.register_provider("984661185", name="Digipost", certificate_pem="NEW-PEM")
    assert services.contact_record(person.identity_number).mailbox_certificate == "NEW-PEM"


def test_an_unknown_provider_is_refused(client):
    services.register_provider("984661185", name="Digipost", certificate_pem="CERT-PEM")
    person = log_in(client)
    response = client.post("/kontaktinfo/postkasse/", {"provider": "999999999"})
    assert response.status_code == 200 and services.contact_record(person.identity_number) is None


def test_citizen_chooses_a_language(client):
    person = log_in(client)
    client.post("/kontaktinfo/sprak/", {"language": "nn"})
    assert services.contact_record(person.identity_number).language == "nn"
    response = client.post("/kontaktinfo/sprak/", {"language": "xx"})
    assert response.status_code == 200
    assert services.contact_record(person.identity_number).language == "nn"


def test_history_shows_the_citizens_own_changes_only(client):
    other = make_person()
    services.set_reservation(other.identity_number, True)
    log_in(client)
    client.post("/kontaktinfo/sprak/", {"language": "en"})
    page = client.get("/kontaktinfo/historikk/").content.decode()
    assert "Språk endret" in page
    assert "Reservert mot digital post" not in page


def test_a_level_4_session_also_counts(client):
    log_in(client, acr=LOA_HIGH)
    assert client.get(HOME).templates[0].name == "kontaktregister/overview.html"
