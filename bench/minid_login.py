"""Benchmark: complete MinID logins (password, then the one-time code by SMS) through the services,
and the share of their time spent checking the password hash.

    .venv/bin/python bench/minid_login.py --logins 200
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles_bench .venv/bin/python bench/minid_login.py

It creates (and afterwards drops) its own database `<name>_bench_minid` next to the one
DATABASE_URL names, so it never touches real data; the PIN letter goes to a temporary
directory. Tasks run inline, so each SMS is in the outbox when start_login returns.
"""

import argparse
import datetime
import io
import os
import re
import sys
import time
from pathlib import Path
from unittest import mock

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PASSWORD = "Fjellet2026"
MOBILE = "+4791234567"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--logins", type=int, default=200)
    arguments = parser.parse_args()

    from throwaway import bench_database

    with bench_database("minid") as connection:
        from django.contrib.auth.hashers import get_hasher

        identity_number = register_user()
        elapsed, hashing = run_logins(identity_number, arguments.logins)
    count = arguments.logins
    print(f"database: {connection.vendor}")
    print(f"password hasher: {get_hasher().algorithm}")
    print(f"logins: {count}")
    print(f"logins per second: {count / elapsed:,.1f}")
    print(f"mean ms per login: {elapsed / count * 1000:,.1f}")
    print(
        f"password hashing: {hashing / elapsed:.0%} of the time ({hashing / count * 1000:,.1f} ms per login)"
    )


def register_user() -> str:
    """A person in the register with a PIN letter, registered as a citizen would; returns the fødselsnummer."""
    from folkeregister.identity import make_identity_number, parse_identity_number
    from folkeregister.models import Person
    from minid import services
    from minid.models import CodeChannel

    birth_date = datetime.date(1985, 5, 17)
    number = next(n for i in range(100, 200) if (n := make_identity_number(birth_date, i)))
    parsed = parse_identity_number(number)
    person = Person.objects.create(
        identity_number=number,
        number_kind=parsed.kind,
        birth_date=parsed.birth_date,
        sex=parsed.sex,
        given_name="Kari",
        family_name="Nordmann",
        residential_street="Storgata",
        residential_house_number=1,
        residential_postal_code="0150",
        residential_postal_town="OSLO",
    )
    letter = services.order_pin_letter(number, ordered_by="bench")
    codes = letter_codes(letter)
    start = services.start_registration(number)
    services.confirm_registration_codes(number, start.letter_id, {n: codes[n] for n in start.numbers})
    user = services.create_profile(
        person, password=PASSWORD, repeated=PASSWORD, mobile=MOBILE, email="", channel=CodeChannel.SMS
    )
    services.confirm_contact(user, "mobile", last_sms_code())
    services.give_consent(user, accepted=True)
    return number


def run_logins(identity_number: str, count: int) -> tuple[float, float]:
    """Seconds spent in start_login + complete_login, and the part of it in check_password."""
    from core.progress import progress
    from minid import services
    from minid.services import accounts

    hashing = 0.0
    check_password = accounts.check_password

    def timed_check_password(*args, **kwargs):
        nonlocal hashing
        started = time.perf_counter()
        try:
            return check_password(*args, **kwargs)
        finally:
            hashing += time.perf_counter() - started

    elapsed = 0.0
    # password_matches() calls the check_password it imported into accounts.
    with (
        mock.patch.object(accounts, "check_password", timed_check_password),
        progress(count, description="Logging in", unit="logins") as bar,
    ):
        for _ in range(count):
            started = time.perf_counter()
            login = services.start_login(identity_number, PASSWORD)
            elapsed += time.perf_counter() - started
            code = last_sms_code()  # reading the "phone" is not part of the login
            started = time.perf_counter()
            services.complete_login(login, code)
            elapsed += time.perf_counter() - started
            bar.update(1)
    return elapsed, hashing


def letter_codes(letter) -> dict[int, str]:
    from pypdf import PdfReader

    with letter.pdf.open("rb") as pdf:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read())).pages)
    return {int(number): code for number, code in re.findall(r"(\d{1,2})\.\s*(\d{5})", text)}


def last_sms_code() -> str:
    from core.models import OutboundSms

    text = OutboundSms.objects.filter(to=MOBILE).order_by("-id").first().text
    return re.search(r"\b([A-Z2-9]{5})\b", text).group(1)


if __name__ == "__main__":
    main()
