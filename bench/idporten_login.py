"""Benchmark: complete ID-porten logins per second through the real endpoints
(authorize → picker → MinID password + SMS code → code → token → userinfo), each
in a fresh browser session so that single sign-on does not skip the login, and the
time per login spent outside password hashing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles .venv/bin/python bench/idporten_login.py --logins 50
"""

import argparse
import base64
import hashlib
import os
import secrets
import sys
import time
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs, urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
REDIRECT_URI = "https://tjeneste.example.no/callback"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--logins", type=int, default=50)
    arguments = parser.parse_args()
    from throwaway import bench_database

    with bench_database("idporten") as connection:
        from minid_login import register_user

        identity_number = register_user()
        client, secret = make_client()
        elapsed, hashing = run_logins(identity_number, client, secret, arguments.logins)
    count = arguments.logins
    print(f"database: {connection.vendor}")
    print(f"complete logins: {count}")
    print(f"logins per second: {count / elapsed:,.1f}")
    print(f"mean ms per login: {elapsed / count * 1000:,.1f}")
    print(f"password hashing: {hashing / count * 1000:,.1f} ms per login ({hashing / elapsed:.0%})")
    print(f"outside password hashing: {(elapsed - hashing) / count * 1000:,.1f} ms per login")


def make_client():
    from idporten import services
    from virksomheter.models import Organisation

    organisation = Organisation.objects.create(
        organisasjonsnummer="974312344", name_nb="Velferdsetaten", kind=Organisation.Kind.STATE_AGENCY
    )
    return services.create_client(
        organisation=organisation,
        name="Benchmark",
        redirect_uris=[REDIRECT_URI],
        scopes=["openid"],
        may_receive_pid=True,
        created_by="bench",
    )


def one_login(browser, client, secret, identity_number) -> None:
    from minid_login import PASSWORD, last_sms_code

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    response = browser.get(
        "/idporten/authorize",
        {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "state": "s",
            "nonce": secrets.token_urlsafe(8),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    browser.get(response.url)  # the picker
    to_minid = browser.get(response.url + "minid/")
    next_url = parse_qs(urlsplit(to_minid.url).query)["next"][0]
    step_one = browser.post(
        f"/minid/logg-inn/?next={next_url}", {"fodselsnummer": identity_number, "password": PASSWORD}
    )
    resume = browser.post(step_one.url, {"code": last_sms_code()})
    back = browser.get(resume.url)
    if "/samtykke/" in back.url:
        back = browser.post(back.url, {"answer": "yes"})
    code = parse_qs(urlsplit(back.url).query)["code"][0]
    basic = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    tokens = browser.post(
        "/idporten/token",
        urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            }
        ),
        content_type="application/x-www-form-urlencoded",  # as RFC 6749 section 3.2 requires
        HTTP_AUTHORIZATION=f"Basic {basic}",
    ).json()
    info = browser.get("/idporten/userinfo", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()
    assert info["pid"] == identity_number


def run_logins(identity_number, client, secret, count) -> tuple[float, float]:
    from django.test import Client

    from core.progress import progress
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

    started = time.perf_counter()
    with (
        mock.patch.object(accounts, "check_password", timed_check_password),
        progress(count, description="Logging in", unit="logins") as bar,
    ):
        for _ in range(count):
            one_login(Client(HTTP_HOST="127.0.0.1"), client, secret, identity_number)
            bar.update(1)
    return time.perf_counter() - started, hashing


if __name__ == "__main__":
    main()
