"""MinID test helpers: a citizen in the register, a PIN letter read as the citizen reads it."""

import io
import re

from pypdf import PdfReader

from minid import services
from minid.models import CodeChannel, MinidUser
from tests.folkeregister.factories import make_person

PASSWORD = "Fjellet2026"


def read_codes(letter) -> dict[int, str]:
    """The codes printed on the letter, read from its PDF."""
    letter.pdf.open("rb")
    try:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.pdf.read())).pages)
    finally:
        letter.pdf.close()
    return {int(number): code for number, code in re.findall(r"(\d{1,2})\.\s*(\d{5})", text)}


def citizen(**overrides):
    """A living person with an address and a fresh PIN letter: (person, letter, codes)."""
    person = make_person(**overrides)
    letter = services.order_pin_letter(person.identity_number, ordered_by="test")
    return person, letter, read_codes(letter)


def registered_user(channel=CodeChannel.SMS, mobile="+4791234567", email="kari@example.no", **overrides):
    """An active MinID user, registered through the services as a citizen would."""
    person, letter, codes = citizen(**overrides)
    start = services.start_registration(person.identity_number)
    services.confirm_registration_codes(
        person.identity_number, start.letter_id, {n: codes[n] for n in start.numbers}
    )
    user = services.create_profile(
        person, password=PASSWORD, repeated=PASSWORD, mobile=mobile, email=email, channel=channel
    )
    for kind in services.unverified_contacts(user):
        services.confirm_contact(user, kind, last_code_sent(user, kind))
    services.give_consent(user, accepted=True)
    user.refresh_from_db()
    return user, letter, codes


def last_code_sent(user: MinidUser, kind: str) -> str:
    """The code in the newest SMS (outbox) or e-mail (locmem outbox) to the user's mobile/e-mail."""
    from django.core import mail

    from core.models import OutboundSms

    if kind == "mobile":
        text = OutboundSms.objects.filter(to=user.mobile).order_by("-id").first().text
    else:
        text = next(m.body for m in reversed(mail.outbox) if user.email in m.to)
    return re.search(r"\b([A-Z2-9]{5})\b", text).group(1)


def unused_code(letter, codes: dict[int, str]) -> str:
    """A code from the letter that registration or a login has not used up."""
    number = letter.codes.filter(used_at__isnull=True).values_list("number", flat=True).first()
    return codes[number]
