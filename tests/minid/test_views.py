"""MinID's public pages: login, registration, PIN letters and forgot password."""

import re

import pytest
from django.test import Client

from core.models import AuditEvent, OutboundSms
from minid.models import CodeChannel, MinidUser, PinLetter
from tests.folkeregister.factories import unique_identity_number
from tests.minid.factories import PASSWORD, citizen, last_code_sent, registered_user

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


def log_in(client, user, password=PASSWORD, *, next_url=""):
    query = f"?next={next_url}" if next_url else ""
    response = client.post(
        f"/minid/logg-inn/{query}", {"fodselsnummer": user.person.identity_number, "password": password}
    )
    return response


# Login


def test_login_with_sms_code_reaches_the_profile(client):
    user, _letter, _codes = registered_user()
    response = log_in(client, user)
    assert response.status_code == 302 and "/minid/logg-inn/kode/" in response.url
    code_page = client.get(response.url)
    assert "67" in page(code_page)  # the mobile number's last digits
    response = client.post(response.url, {"code": last_code_sent(user, "mobile")})
    assert response.status_code == 302
    assert response.url == "/minid/min-side/"
    user.refresh_from_db()
    assert user.last_login_at is not None
    assert AuditEvent.objects.filter(action="minid.login", object_id=user.person.identity_number).exists()


def test_login_returns_to_a_safe_next_address_only(client):
    user, _letter, _codes = registered_user()
    response = log_in(client, user, next_url="https://evil.example.com/")
    response = client.post(response.url, {"code": last_code_sent(user, "mobile")})
    assert response.url == "/minid/min-side/"

    other = Client()
    response = log_in(other, user, next_url="/minid/")
    response = other.post(response.url, {"code": last_code_sent(user, "mobile")})
    assert response.url == "/minid/"


def test_login_with_a_pin_code_from_the_letter(client):
    user, _letter, codes = registered_user(channel=CodeChannel.PIN)
    response = log_in(client, user)
    code_page = page(client.get(response.url))
    number = int(code_page.split("PIN-kode nr. ")[1].split(" ")[0])
    response = client.post(response.url, {"code": codes[number]})
    assert response.url == "/minid/min-side/"


def test_citizen_can_switch_from_sms_to_pin_code(client):
    user, _letter, codes = registered_user()
    log_in(client, user)
    sms_code = last_code_sent(user, "mobile")
    client.post("/minid/logg-inn/pinkode/")
    code_page = page(client.get("/minid/logg-inn/kode/"))
    assert "PIN-kode nr." in code_page
    assert (
        client.post("/minid/logg-inn/kode/", {"code": sms_code}).status_code == 200
    )  # the SMS code is void now
    number = int(code_page.split("PIN-kode nr. ")[1].split(" ")[0])
    assert client.post("/minid/logg-inn/kode/", {"code": codes[number]}).url == "/minid/min-side/"


def test_wrong_password_and_unknown_person_look_the_same(client):
    user, _letter, _codes = registered_user()
    wrong = page(log_in(client, user, "Feilpassord1"))
    unknown = page(
        client.post("/minid/logg-inn/", {"fodselsnummer": unique_identity_number(), "password": PASSWORD})
    )
    message = "Fødselsnummeret eller passordet er feil"
    assert message in wrong and message in unknown


def test_wrong_code_is_refused_and_counted(client):
    user, _letter, _codes = registered_user()
    log_in(client, user)
    response = client.post("/minid/logg-inn/kode/", {"code": "AAAAA"})
    assert response.status_code == 200
    assert "Koden er feil" in page(response)
    user.refresh_from_db()
    assert user.failed_attempts == 1


def test_five_wrong_codes_lock_the_user_and_show_how_to_unlock(client):
    user, _letter, _codes = registered_user()
    log_in(client, user)
    for _ in range(4):
        client.post("/minid/logg-inn/kode/", {"code": "AAAAA"})
    response = client.post("/minid/logg-inn/kode/", {"code": "AAAAA"})
    assert response.url == "/minid/sperret/"
    assert "Bestill nytt PIN-brev" in page(client.get("/minid/sperret/"))
    user.refresh_from_db()
    assert user.status == MinidUser.Status.LOCKED
    # Behind the lock the right password gets the wrong password's answer (tests/minid/test_no_leaks.py).
    assert "Fødselsnummeret eller passordet er feil" in page(log_in(client, user))


def test_malformed_and_very_long_input_get_form_errors(client):
    response = client.post("/minid/logg-inn/", {"fodselsnummer": "1234", "password": "x"})
    assert "Skriv inn et gyldig fødselsnummer eller D-nummer" in page(response)
    response = client.post("/minid/logg-inn/", {"fodselsnummer": "1" * 5000, "password": "x" * 5000})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in page(response)


def test_code_page_without_a_login_goes_back_to_step_one(client):
    assert client.get("/minid/logg-inn/kode/").url.startswith("/minid/logg-inn/")


def test_csrf_is_required(client):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/minid/logg-inn/", {"fodselsnummer": unique_identity_number(), "password": "x"})
    assert response.status_code == 403


def test_too_many_failures_from_one_address_are_rate_limited(client, settings):
    settings.MINID_IP_MAX_FAILURES = 3
    for _ in range(3):
        client.post("/minid/logg-inn/", {"fodselsnummer": unique_identity_number(), "password": "Feil12345"})
    response = client.post(
        "/minid/logg-inn/", {"fodselsnummer": unique_identity_number(), "password": "Feil12345"}
    )
    assert "For mange mislykkede forsøk" in page(response)


# Registration


def register_until_profile(client, person, codes):
    client.post("/minid/registrer/", {"fodselsnummer": person.identity_number})
    codes_page = client.get("/minid/registrer/pinkoder/")
    numbers = [int(n) for n in re.findall(r"PIN-kode nr\. (\d+)", page(codes_page))]
    assert len(numbers) == 2
    return client.post("/minid/registrer/pinkoder/", {f"pin_{n}": codes[n] for n in numbers})


def test_full_registration_with_mobile_and_email(client):
    person, _letter, codes = citizen()
    assert register_until_profile(client, person, codes).url == "/minid/registrer/profil/"
    response = client.post(
        "/minid/registrer/profil/",
        {
            "password": PASSWORD,
            "repeated": PASSWORD,
            "mobile": "912 34 567",
            "email": "kari@example.no",
            "channel": "sms",
        },
    )
    assert response.url == "/minid/registrer/bekreft/"
    user = MinidUser.objects.get(person=person)
    response = client.post(
        "/minid/registrer/bekreft/",
        {"mobile": last_code_sent(user, "mobile"), "email": last_code_sent(user, "email")},
    )
    assert response.url == "/minid/registrer/samtykke/"
    assert "Ja, jeg vil bruke MinID og samtykker i behandling av personopplysninger" in page(
        client.get(response.url)
    )
    response = client.post("/minid/registrer/samtykke/", {"consent": "yes"})
    assert response.url == "/minid/registrer/ferdig/"
    user.refresh_from_db()
    assert user.status == MinidUser.Status.ACTIVE and user.mobile == "+4791234567"


def test_saying_no_at_consent_deletes_everything(client):
    person, _letter, codes = citizen()
    register_until_profile(client, person, codes)
    client.post(
        "/minid/registrer/profil/",
        {
            "password": PASSWORD,
            "repeated": PASSWORD,
            "mobile": "",
            "email": "kari@example.no",
            "channel": "pin",
        },
    )
    user = MinidUser.objects.get(person=person)
    client.post("/minid/registrer/bekreft/", {"email": last_code_sent(user, "email")})
    response = client.post("/minid/registrer/samtykke/", {"consent": "no"})
    assert response.url == "/minid/registrer/slettet/"
    assert not MinidUser.objects.filter(person=person).exists()


def test_wrong_registration_codes_are_refused(client):
    person, _letter, codes = citizen()
    client.post("/minid/registrer/", {"fodselsnummer": person.identity_number})
    response = client.post("/minid/registrer/pinkoder/", {f"pin_{n}": "00000" for n in range(1, 26)})
    assert response.status_code == 200
    assert not MinidUser.objects.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort1", "mellom 8 og 16 tegn"),
        ("bareordogingentall", "både bokstaver og siffer"),
        ("12345678901", "både bokstaver og siffer"),
    ],
)
def test_password_rules_are_checked_on_the_server(client, password, message):
    person, _letter, codes = citizen()
    register_until_profile(client, person, codes)
    response = client.post(
        "/minid/registrer/profil/",
        {"password": password, "repeated": password, "mobile": "91234567", "email": "", "channel": "sms"},
    )
    assert message in page(response)
    assert not MinidUser.objects.filter(person=person).exists()


def test_password_with_the_birth_date_is_refused(client):
    person, _letter, codes = citizen()
    register_until_profile(client, person, codes)
    password = "Kari" + person.birth_date.strftime("%d%m%y")
    response = client.post(
        "/minid/registrer/profil/",
        {"password": password, "repeated": password, "mobile": "91234567", "email": "", "channel": "sms"},
    )
    assert "fødselsnummeret eller fødselsdatoen din" in page(response)


# PIN letters and forgot password


def test_ordering_a_letter_without_logging_in(client):
    person, _letter, _codes = citizen()
    response = client.post("/minid/pinbrev/", {"fodselsnummer": person.identity_number})
    assert response.url == "/minid/pinbrev/bestilt/"
    assert PinLetter.objects.filter(person=person).count() == 2


def test_blocking_codes_with_one_code_from_the_letter(client):
    person, letter, codes = citizen()
    response = client.post(
        "/minid/pinbrev/sperr/", {"fodselsnummer": person.identity_number, "code": "00000"}
    )
    assert response.status_code == 200
    response = client.post(
        "/minid/pinbrev/sperr/", {"fodselsnummer": person.identity_number, "code": codes[7]}
    )
    assert response.url == "/minid/pinbrev/sperret/"
    letter.refresh_from_db()
    assert letter.blocked_at is not None


def test_forgot_password_with_two_codes_sets_a_new_password(client):
    user, letter, codes = registered_user()
    client.post("/minid/glemt-passord/", {"fodselsnummer": user.person.identity_number})
    form = page(client.get("/minid/glemt-passord/nytt/"))
    numbers = [int(n) for n in re.findall(r"PIN-kode nr\. (\d+)", form)]
    response = client.post(
        "/minid/glemt-passord/nytt/",
        {"password": "Nyttpass77", "repeated": "Nyttpass77", **{f"pin_{n}": codes[n] for n in numbers}},
    )
    assert response.url == "/minid/glemt-passord/ferdig/"
    assert log_in(client, user, "Nyttpass77").url.startswith("/minid/logg-inn/kode/")


def test_sms_codes_go_through_the_outbox(client):
    user, _letter, _codes = registered_user()
    OutboundSms.objects.all().delete()
    log_in(client, user)
    assert OutboundSms.objects.get().to == "+4791234567"


def test_double_submit_of_the_login_code_keeps_the_citizen_logged_in(client):
    user, _letter, _codes = registered_user()
    log_in(client, user)
    code = last_code_sent(user, "mobile")
    assert client.post("/minid/logg-inn/kode/", {"code": code}).url == "/minid/min-side/"
    assert client.post("/minid/logg-inn/kode/", {"code": code}).url == "/minid/min-side/"
    user.refresh_from_db()
    assert user.failed_attempts == 0


def test_double_submit_of_registration_codes_goes_on_to_the_profile(client):
    person, _letter, codes = citizen()
    client.post("/minid/registrer/", {"fodselsnummer": person.identity_number})
    numbers = [
        int(n) for n in re.findall(r"PIN-kode nr\. (\d+)", page(client.get("/minid/registrer/pinkoder/")))
    ]
    answers = {f"pin_{n}": codes[n] for n in numbers}
    assert client.post("/minid/registrer/pinkoder/", answers).url == "/minid/registrer/profil/"
    assert client.post("/minid/registrer/pinkoder/", answers).url == "/minid/registrer/profil/"
