"""MinID self-service pages ("Min side"), through the client as a logged-in citizen."""

import json
import re
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse
from django.views.i18n import set_language

from core.models import AuditEvent, OutboundSms
from minid import services
from minid import urls as minid_urls
from minid.models import CodeChannel, Login, MinidUser, PinLetter
from minid.session import AMR_KEY, AUTH_TIME_KEY, USER_KEY
from tests.minid.factories import PASSWORD, last_code_sent, registered_user


def _stand_in(request):
    return HttpResponse("stand-in")


# The login, logout and start pages are written separately; until they exist, stand-ins
# under their names keep these tests independent of them.
_defined = {pattern.name for pattern in minid_urls.urlpatterns}
_stand_ins = [
    path(f"stand-in/{name}/", _stand_in, name=name)
    for name in ("login", "logout", "start")
    if name not in _defined
]
urlpatterns = [
    path("", include("core.urls")),
    path("sprak/", set_language, name="set_language"),
    path("minid/", include(([*minid_urls.urlpatterns, *_stand_ins], "minid"))),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def log_in(client, user, codes) -> None:
    """A completed MinID login through the services, put in the session as minid.session.log_in does."""
    login = services.start_login(user.person.identity_number, PASSWORD)
    code = last_code_sent(user, "mobile") if login.method == Login.Method.SMS else codes[login.pin_number]
    login = services.complete_login(login, code)
    session = client.session
    session[USER_KEY] = user.pk
    session[AUTH_TIME_KEY] = int(login.completed_at.timestamp())
    session[AMR_KEY] = login.get_method_display()
    session.save()


@pytest.fixture
def citizen(client):
    user, letter, codes = registered_user()
    log_in(client, user, codes)
    return user


def code_sent_to(target: str) -> str:
    sms = OutboundSms.objects.filter(to=target).order_by("-id").first()
    text = sms.text if sms else next(m.body for m in reversed(mail.outbox) if target in m.to)
    return re.search(r"\b([A-Z2-9]{5})\b", text).group(1)


def shown_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


SELF_SERVICE_PAGES = [
    ("minid:profile", {}),
    ("minid:change_password", {}),
    ("minid:change_contact", {"kind": "mobile"}),
    ("minid:change_contact", {"kind": "email"}),
    ("minid:code_channel", {}),
    ("minid:order_letter", {}),
    ("minid:block_codes", {}),
    ("minid:own_log", {}),
    ("minid:export", {}),
    ("minid:delete", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), SELF_SERVICE_PAGES)
def test_anonymous_visitor_is_sent_to_login_and_back(client, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('minid:login')}?{urlencode({'next': url})}"


def test_every_page_renders_for_the_citizen_and_is_not_cached(client, citizen):
    for name, kwargs in SELF_SERVICE_PAGES:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name


def test_unknown_contact_kind_is_not_found(client, citizen):
    assert client.get("/minid/min-side/kontakt/fax/").status_code == 404


def test_profile_shows_the_registered_information(client, citizen):
    text = shown_text(client.get(reverse("minid:profile")))
    number = citizen.person.identity_number
    assert citizen.person.full_name in text
    assert f"{number[:6]}*****" in text
    assert number not in text
    assert "+4791234567 (verified)" in text
    assert "kari@example.no (verified)" in text
    assert "SMS to +4791234567" in text
    assert f'action="{reverse("minid:logout")}"' in text


def test_profile_names_the_letter_when_codes_come_from_it(client):
    user, letter, codes = registered_user(channel=CodeChannel.PIN)
    log_in(client, user, codes)
    text = shown_text(client.get(reverse("minid:profile")))
    assert f"PIN code from letter {letter.serial} dated" in text


def test_wrong_current_password_is_refused(client, citizen):
    response = client.post(
        reverse("minid:change_password"),
        {"current": "Feil12345", "new": "Nyttpass99", "repeated": "Nyttpass99"},
    )
    assert response.status_code == 200
    assert "The current password is wrong." in shown_text(response)
    services.start_login(citizen.person.identity_number, PASSWORD)


def test_new_password_breaking_the_rules_is_refused_with_every_reason(client, citizen):
    response = client.post(
        reverse("minid:change_password"), {"current": PASSWORD, "new": "kort", "repeated": "annet"}
    )
    text = shown_text(response)
    assert "between 8 and 16 characters" in text
    assert "both letters and digits" in text
    assert "not the same" in text
    services.start_login(citizen.person.identity_number, PASSWORD)


def test_changed_password_is_the_one_that_logs_in(client, citizen):
    response = client.post(
        reverse("minid:change_password"),
        {"current": PASSWORD, "new": "Nyttpass99", "repeated": "Nyttpass99"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("minid:profile"), 302)]
    assert "Your password is changed." in shown_text(response)
    assert services.start_login(citizen.person.identity_number, "Nyttpass99")
    with pytest.raises(services.InvalidCredentials):
        services.start_login(citizen.person.identity_number, PASSWORD)


def test_invalid_new_mobile_is_refused_and_nothing_is_sent(client, citizen):
    sent = OutboundSms.objects.count()
    response = client.post(
        reverse("minid:change_contact", kwargs={"kind": "mobile"}), {"action": "send", "value": "12"}
    )
    assert "Enter a valid mobile number." in shown_text(response)
    assert OutboundSms.objects.count() == sent


def test_wrong_code_changes_nothing(client, citizen):
    url = reverse("minid:change_contact", kwargs={"kind": "email"})
    client.post(url, {"action": "send", "value": "Ola@Example.no"})
    assert "We have sent a code to ola@example.no" in shown_text(client.get(url))

    response = client.post(url, {"action": "confirm", "code": "AAAAA"})
    assert "The code is wrong" in shown_text(response)
    citizen.refresh_from_db()
    assert citizen.email == "kari@example.no"


def test_right_code_changes_the_email_and_tells_the_old_address(client, citizen):
    url = reverse("minid:change_contact", kwargs={"kind": "email"})
    client.post(url, {"action": "send", "value": "ola@example.no"})
    code = code_sent_to("ola@example.no")
    mail.outbox.clear()

    response = client.post(url, {"action": "confirm", "code": code}, follow=True)
    assert "Your e-mail address is now ola@example.no." in shown_text(response)
    citizen.refresh_from_db()
    assert citizen.email == "ola@example.no"
    assert citizen.email_verified_at is not None
    assert [m.to for m in mail.outbox] == [["kari@example.no"]]
    assert "ola@example.no" not in client.session.values()


def test_only_the_code_sent_last_changes_the_mobile(client, citizen):
    url = reverse("minid:change_contact", kwargs={"kind": "mobile"})
    client.post(url, {"action": "send", "value": "926 54 321"})
    first = code_sent_to("+4792654321")
    response = client.post(url, {"action": "resend"}, follow=True)
    assert "We have sent a new code to +4792654321." in shown_text(response)
    second = code_sent_to("+4792654321")
    assert OutboundSms.objects.filter(to="+4792654321").count() == 2

    client.post(url, {"action": "confirm", "code": first})
    citizen.refresh_from_db()
    assert citizen.mobile == "+4791234567"
    client.post(url, {"action": "confirm", "code": second})
    citizen.refresh_from_db()
    assert citizen.mobile == "+4792654321"


def test_starting_over_forgets_the_pending_value(client, citizen):
    url = reverse("minid:change_contact", kwargs={"kind": "email"})
    client.post(url, {"action": "send", "value": "ola@example.no"})
    client.post(url, {"action": "restart"})
    text = shown_text(client.get(url))
    assert "New e-mail address" in text
    assert "ola@example.no" not in text


def test_code_channel_switches_to_pin_letter(client, citizen):
    response = client.post(reverse("minid:code_channel"), {"channel": CodeChannel.PIN})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.code_channel == CodeChannel.PIN


def test_sms_without_a_mobile_is_refused(client):
    user, letter, codes = registered_user(channel=CodeChannel.PIN, mobile="")
    log_in(client, user, codes)
    response = client.post(reverse("minid:code_channel"), {"channel": CodeChannel.SMS})
    text = shown_text(response)
    assert "register a mobile number first" in text
    assert 'href="#id_channel_0"' in text
    user.refresh_from_db()
    assert user.code_channel == CodeChannel.PIN


def test_code_channel_page_warns_when_there_is_no_letter(client, citizen):
    services.block_letter(services.current_letter(citizen.person), blocked_by="test", reason="test")
    assert "You have no valid PIN letter now." in shown_text(client.get(reverse("minid:code_channel")))


def test_ordering_a_letter_makes_a_new_one_that_replaces_the_old(client, citizen):
    old = services.current_letter(citizen.person)
    response = client.post(reverse("minid:order_letter"), follow=True)
    assert "Your new PIN letter is ordered." in shown_text(response)
    # The old letter stays in use until a code from the new one is used (issue 13); the new one is the newest.
    new = PinLetter.objects.filter(person=citizen.person).order_by("-created", "-id").first()
    assert new != old
    assert PinLetter.objects.filter(person=citizen.person).count() == 2
    assert AuditEvent.objects.get(action="minid.pin_letter_ordered", details__letter=new.serial).actor == (
        citizen.person.identity_number
    )


def test_blocking_stops_the_current_letter_now(client, citizen):
    letter = services.current_letter(citizen.person)
    response = client.post(reverse("minid:block_codes"), follow=True)
    assert f"The PIN codes in letter {letter.serial} are blocked." in shown_text(response)
    letter.refresh_from_db()
    assert letter.blocked_at is not None
    assert services.current_letter(citizen.person) is None
    assert "no codes to block" in shown_text(client.get(reverse("minid:block_codes")))


def test_own_log_lists_events_in_plain_language(client, citizen):
    with pytest.raises(services.InvalidCredentials):
        services.start_login(citizen.person.identity_number, "Feil12345")
    text = shown_text(client.get(reverse("minid:own_log")))
    assert "Your use of MinID is logged" in text
    assert "You logged in" in text
    assert "Login with wrong password" in text
    assert "You registered as a MinID user" in text
    assert "minid.login" not in text


def test_own_log_describes_security_events_in_plain_language(client, citizen):
    client.post(
        reverse("minid:change_password"),
        {"current": "Feil12345", "new": "Nyttpass99", "repeated": "Nyttpass99"},
    )
    client.post(reverse("minid:confirm_password"), {"password": "Feil12345"})
    client.post(reverse("minid:confirm_password"), {"password": PASSWORD})
    text = shown_text(client.get(reverse("minid:own_log")))
    assert "Password change with wrong current password" in text
    assert "Wrong password given again on your own pages" in text
    assert "You gave your password again" in text
    assert "minid.password" not in text


def test_own_log_shows_fifty_events_a_page(client, citizen):
    for _ in range(50):
        services.accounts.record("minid.something_new", citizen)
    first = client.get(reverse("minid:own_log"))
    assert shown_text(first).count("minid.something_new") == 50
    second = shown_text(client.get(reverse("minid:own_log"), {"side": 2}))
    assert "minid.something_new" not in second
    assert "You logged in" in second


def test_export_downloads_the_citizens_data_as_json(client, citizen):
    response = client.get(reverse("minid:export"))
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="minid-data.json"'
    data = json.loads(response.content)
    assert data["fodselsnummer"] == citizen.person.identity_number
    assert data["email"] == "kari@example.no"


def test_delete_needs_the_box_ticked(client, citizen):
    response = client.post(reverse("minid:delete"))
    assert "Tick the box" in shown_text(response)
    assert MinidUser.objects.filter(pk=citizen.pk).exists()


def test_delete_removes_the_user_and_logs_out(client, citizen):
    response = client.post(reverse("minid:delete"), {"understood": "on"})
    assert response.url == reverse("minid:start")
    assert not MinidUser.objects.filter(pk=citizen.pk).exists()
    assert USER_KEY not in client.session
    assert client.get(reverse("minid:profile")).url.startswith(reverse("minid:login"))


def test_changes_need_the_csrf_token():
    user, letter, codes = registered_user()
    client = Client(enforce_csrf_checks=True)
    log_in(client, user, codes)
    response = client.post(
        reverse("minid:change_password"), {"current": PASSWORD, "new": "Nyttpass99", "repeated": "Nyttpass99"}
    )
    assert response.status_code == 403
    services.start_login(user.person.identity_number, PASSWORD)


def test_blocking_stops_a_newer_letter_too(client, citizen):
    """A letter someone else ordered, or one lost in the post, is valid beside the one in use: blocking
    must leave no code of the citizen's in circulation."""
    in_use = services.current_letter(citizen.person)
    newer = services.order_pin_letter(citizen.person.identity_number, ordered_by="someone else")
    response = client.post(reverse("minid:block_codes"), follow=True)
    assert f"The PIN codes in letters {in_use.serial}, {newer.serial} are blocked." in shown_text(response)
    for letter in (in_use, newer):
        letter.refresh_from_db()
        assert letter.blocked_at is not None
    assert services.current_letter(citizen.person) is None
