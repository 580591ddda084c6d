"""Benchmark: the server CPU one complete ID-porten login costs, beside a peer doing the same.

One run starts Felles under gunicorn (DEBUG off, on the configured database: use PostgreSQL) and the
peer, node oidc-provider 9 in one process with its built-in development interactions
(bench/oidc_provider_peer.mjs), and drives both with the same Python client (requests): the code flow
with PKCE S256, state and nonce; the login (Felles: the eID picker, MinID password and SMS code,
consent when asked; the peer: its login and consent forms); token (client_secret_basic); userinfo.
Each login is a new browser (no single sign-on). Batches alternate between the two, and the CPU time
of every server process (gunicorn's master and workers; node) is read from /proc around each batch.

Felles' Argon2 cost is timed apart: the CPU of one password check with the configured hasher and
parameters (settings.ARGON2_*), in this process, after each batch. The SQL per login is counted in an in-process pass
with Django's test client (one client, its cookies cleared per login); --profile adds cProfile's top
ten (cumulative, Argon2 taken out) for that pass.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles .venv/bin/python bench/idporten_login.py
    ... bench/idporten_login.py --logins 20 --batches 3 --profile

It creates (and afterwards drops) its own database `<name>_bench_idporten` next to the one
DATABASE_URL names, collects the static files into a temporary folder, and stops both servers.
"""

import argparse
import base64
import cProfile
import hashlib
import os
import pstats
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# One citizen logs in many times a minute: lift the caps meant for abuse, here and in the server.
BENCH_LIMITS = {
    "MINID_MESSAGES_PER_HOUR": "1000000",
    "MINID_PERSON_MAX_FAILURES": "1000000",
    "MINID_IP_MAX_FAILURES": "1000000",
    "IDPORTEN_TOKEN_REQUESTS_PER_MINUTE": "1000000",
}
os.environ.update(BENCH_LIMITS)
# The server runs with DEBUG off, which needs a SECRET_KEY; this process and the server share it, so
# that the signing key this process makes is one the server can decrypt.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
REDIRECT_URI = "https://tjeneste.example.no/callback"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
TRANSACTION_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--logins", type=int, default=20, help="logins per batch")
    parser.add_argument("--batches", type=int, default=3, help="batches per server, alternating")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process pass")
    parser.add_argument("--sql-logins", type=int, default=5, help="logins in the in-process pass")
    arguments = parser.parse_args()
    from throwaway import bench_database

    with production_settings(), bench_database("idporten") as connection:
        from minid_login import register_user

        identity_number = register_user()
        client, secret = make_client()
        sql = count_sql(identity_number, client, secret, arguments.sql_logins, profile=arguments.profile)
        with felles_server(connection, arguments.workers) as felles, peer_server() as peer:
            felles.login = lambda browser: felles_login(browser, felles.url, client, secret, identity_number)
            felles.password_check = argon2_cpu_seconds
            peer.login = lambda browser: peer_login(browser, peer.url)
            results = run_batches([felles, peer], arguments.logins, arguments.batches)
        argon2 = results["Felles"]["argon2"] / arguments.batches
        vendor = connection.vendor
    report(vendor, arguments, results, argon2, sql)


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


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_query(client_id: str, challenge: str) -> dict:
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


# The servers


class Server:
    def __init__(self, name: str, url: str, process: subprocess.Popen):
        self.name, self.url, self.process = name, url, process
        self.login = None
        self.database_pids = None
        self.password_check = None

    def cpu_seconds(self) -> float:
        """User + system CPU of the server process and its children (gunicorn's workers)."""
        pids = {self.process.pid}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.process.pid:
                pids.add(int(stat.parent.name))
        return _cpu_seconds(pids)

    def database_cpu_seconds(self) -> float:
        """CPU of the PostgreSQL backends serving the server (not this process's own connection)."""
        return _cpu_seconds(self.database_pids()) if self.database_pids else 0.0


def _cpu_seconds(pids) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / CLOCK_TICKS


def _postgresql_backends(connection):
    """The PostgreSQL backends of the benchmark's database other than this process's, when PostgreSQL
    runs on this machine (their CPU is in /proc); None otherwise."""
    if connection.vendor != "postgresql":
        return None

    def pids() -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return {pid for (pid,) in cursor.fetchall() if Path(f"/proc/{pid}/stat").exists()}

    return pids


def _wait_until_up(url: str, process: subprocess.Popen, name: str) -> None:
    import requests

    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"{name} stopped before it answered (exit {process.returncode})")
        try:
            requests.get(url, timeout=30).raise_for_status()
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise SystemExit(f"{name} did not answer at {url}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _database_url(connection) -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return (
        f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@contextmanager
def production_settings():
    """DEBUG off, here (the in-process pass) and in the server, with the static files collected into a
    temporary folder (DEBUG off serves them from WhiteNoise's manifest); plain HTTP on loopback."""
    with tempfile.TemporaryDirectory(prefix="felles-bench-static-") as static_root:
        os.environ.update(
            DEBUG="false", SECURE_SSL_REDIRECT="false", ALLOWED_HOSTS="127.0.0.1", STATIC_ROOT=static_root
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, check=True
        )
        yield


@contextmanager
def felles_server(connection, workers: int):
    """gunicorn on the benchmark's database, with this process's settings."""
    from throwaway import free_port

    port = free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(connection)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603 (our own gunicorn, on loopback)
        [str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(workers), "--log-level", "warning"],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url + "/.well-known/openid-configuration", process, "gunicorn")
        server = Server("Felles", url, process)
        server.database_pids = _postgresql_backends(connection)
        yield server
    finally:
        _stop(process)


@contextmanager
def peer_server():
    from throwaway import free_port

    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is needed for the peer (node oidc-provider 9)")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own peer, on loopback)
        [node, "bench/oidc_provider_peer.mjs", str(port), PEER_CLIENT_ID, PEER_SECRET, REDIRECT_URI],
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # its warnings about development-only settings, on purpose here
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url + "/.well-known/openid-configuration", process, "oidc-provider")
        yield Server("peer (oidc-provider 9)", url, process)
    finally:
        _stop(process)


PEER_CLIENT_ID = "bench"
PEER_SECRET = secrets.token_urlsafe(32)


# The client: the same code flow against each


def new_browser():
    """A browser with no cookies. Felles sets its cookies Secure (DEBUG off); over the benchmark's
    plain HTTP to 127.0.0.1 they are sent back anyway, as a browser would over TLS."""
    import requests

    class Browser(requests.Session):
        def send(self, request, **kwargs):
            response = super().send(request, **kwargs)
            for cookie in self.cookies:
                cookie.secure = False
            return response

    return Browser()


def follow(browser, response, base: str):
    """Follow redirects within the server; stop at the relying party's redirect URI."""
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(REDIRECT_URI):
            return location
        response = browser.get(location, allow_redirects=False)
    response.raise_for_status()
    return response


def _code(location) -> str:
    if not isinstance(location, str):
        raise SystemExit(f"the login did not come back to the client: {location.url}")
    query = parse_qs(urlsplit(location).query)
    if "code" not in query:
        raise SystemExit(f"the login came back without a code: {location}")
    return query["code"][0]


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _token_and_userinfo(browser, token_url, userinfo_url, client_id, secret, code, verifier) -> dict:
    tokens = browser.post(
        token_url,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        headers={"Authorization": _basic(client_id, secret)},
    )
    tokens.raise_for_status()
    info = browser.get(userinfo_url, headers={"Authorization": f"Bearer {tokens.json()['access_token']}"})
    info.raise_for_status()
    return info.json()


def felles_login(browser, base: str, client, secret: str, identity_number: str) -> None:
    from minid_login import PASSWORD, last_sms_code

    verifier, challenge = pkce()
    authorize = base + "/idporten/authorize?" + urlencode(authorize_query(client.client_id, challenge))
    picker = follow(browser, browser.get(authorize, allow_redirects=False), base)
    login_page = follow(browser, browser.get(picker.url + "minid/", allow_redirects=False), base)
    code_page = follow(
        browser,
        browser.post(
            login_page.url,
            data={
                "csrfmiddlewaretoken": CSRF_FIELD.search(login_page.text).group(1),
                "fodselsnummer": identity_number,
                "password": PASSWORD,
            },
            allow_redirects=False,
        ),
        base,
    )
    answer = {"csrfmiddlewaretoken": CSRF_FIELD.search(code_page.text).group(1), "code": last_sms_code()}
    back = follow(browser, browser.post(code_page.url, data=answer, allow_redirects=False), base)
    if not isinstance(back, str) and "/samtykke/" in back.url:
        consent = {"csrfmiddlewaretoken": CSRF_FIELD.search(back.text).group(1), "answer": "yes"}
        back = follow(browser, browser.post(back.url, data=consent, allow_redirects=False), base)
    info = _token_and_userinfo(
        browser,
        base + "/idporten/token",
        base + "/idporten/userinfo",
        client.client_id,
        secret,
        _code(back),
        verifier,
    )
    assert info["pid"] == identity_number, info


def peer_login(browser, base: str) -> None:
    verifier, challenge = pkce()
    login_form = follow(
        browser,
        browser.get(
            base + "/auth?" + urlencode(authorize_query(PEER_CLIENT_ID, challenge)), allow_redirects=False
        ),
        base,
    )
    action = urljoin(login_form.url, FORM_ACTION.search(login_form.text).group(1))
    consent_form = follow(
        browser,
        browser.post(
            action, data={"prompt": "login", "login": "bench-user", "password": "x"}, allow_redirects=False
        ),
        base,
    )
    action = urljoin(consent_form.url, FORM_ACTION.search(consent_form.text).group(1))
    back = follow(browser, browser.post(action, data={"prompt": "consent"}, allow_redirects=False), base)
    info = _token_and_userinfo(
        browser, base + "/token", base + "/me", PEER_CLIENT_ID, PEER_SECRET, _code(back), verifier
    )
    assert info["sub"] == "bench-user", info


def run_batches(servers, logins: int, batches: int) -> dict:
    """Alternating batches; per server the CPU seconds and wall seconds summed over its batches."""
    from core.progress import progress

    totals = {
        server.name: {"cpu": 0.0, "database": 0.0, "wall": 0.0, "logins": 0, "argon2": 0.0}
        for server in servers
    }
    for server in servers:  # warm up: imports, caches, the first signing key, the first consent
        for _ in range(2):
            server.login(new_browser())
    with progress(logins * batches * len(servers), description="Logging in", unit="logins") as bar:
        for _ in range(batches):
            for server in servers:
                cpu, database = server.cpu_seconds(), server.database_cpu_seconds()
                started = time.perf_counter()
                for _ in range(logins):
                    server.login(new_browser())
                    bar.update(1)
                totals[server.name]["wall"] += time.perf_counter() - started
                totals[server.name]["cpu"] += server.cpu_seconds() - cpu
                totals[server.name]["database"] += server.database_cpu_seconds() - database
                if server.password_check:  # timed right after each batch, on the machine as the batch saw it
                    totals[server.name]["argon2"] += server.password_check()
                totals[server.name]["logins"] += logins
    return totals


# Argon2, SQL and the profile, in this process


def argon2_cpu_seconds(checks: int = 10) -> float:
    """The CPU of one password check with the configured hasher and parameters."""
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password("Fjellet2026")
    check_password("Fjellet2026", encoded)
    started = time.process_time()
    for _ in range(checks):
        check_password("Fjellet2026", encoded)
    return (time.process_time() - started) / checks


def test_client_login(browser, client, secret, identity_number) -> None:
    """The same login through Django's test client (in this process), for counting and profiling."""
    from minid_login import PASSWORD, last_sms_code

    verifier, challenge = pkce()
    response = browser.get("/idporten/authorize", authorize_query(client.client_id, challenge))
    browser.get(response.url)  # the picker
    to_minid = browser.get(response.url + "minid/")
    next_url = parse_qs(urlsplit(to_minid.url).query)["next"][0]
    step_one = browser.post(
        f"/minid/logg-inn/?next={next_url}", {"fodselsnummer": identity_number, "password": PASSWORD}
    )
    code = last_sms_code()
    back = browser.get(browser.post(step_one.url, {"code": code}).url)
    if "/samtykke/" in back.url:
        back = browser.post(back.url, {"answer": "yes"})
    tokens = browser.post(
        "/idporten/token",
        urlencode(
            {
                "grant_type": "authorization_code",
                "code": parse_qs(urlsplit(back.url).query)["code"][0],
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            }
        ),
        content_type="application/x-www-form-urlencoded",  # as RFC 6749 section 3.2 requires
        HTTP_AUTHORIZATION=_basic(client.client_id, secret),
    ).json()
    info = browser.get("/idporten/userinfo", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()
    assert info["pid"] == identity_number, info


def count_sql(identity_number, client, secret, logins: int, *, profile: bool) -> dict:
    """Statements, transaction control and transactions per login, in-process with one test client
    (each login with its cookies cleared, as a new browser); with profile, cProfile's top ten."""
    from django.db import connection
    from django.test import Client

    browser = Client(HTTP_HOST="127.0.0.1")
    test_client_login(browser, client, secret, identity_number)  # the first login gives consent
    statements, control = [], []

    def counting(execute, sql, params, many, context):
        if "core_outboundsms" not in sql or not sql.lstrip().upper().startswith("SELECT"):
            (control if TRANSACTION_CONTROL.match(sql) else statements).append(sql)
        return execute(sql, params, many, context)

    # CPU time, as the server figures: waiting for PostgreSQL is not this process's cost.
    profiler = cProfile.Profile(time.process_time) if profile else None
    with (
        connection.execute_wrapper(counting),
        mock.patch.object(connection, "commit", wraps=connection.commit) as commits,
    ):
        if profiler:
            profiler.enable()
        for _ in range(logins):
            browser.cookies.clear()
            test_client_login(browser, client, secret, identity_number)
        if profiler:
            profiler.disable()
    result = {
        "statements": len(statements) / logins,
        "control": len(control) / logins,
        "transactions": commits.call_count / logins,
    }
    if profiler:
        result["profile"] = top_ten(profiler, logins)
    return result


def top_ten(profiler, logins: int) -> list[tuple[str, float, float]]:
    """The ten project functions with the most cumulative time per login, less the Argon2 check
    inside them; middleware, which wraps every request, is left out."""
    stats = pstats.Stats(profiler).stats
    argon2 = [key for key in stats if "argon2_verify" in key[2] or "argon2_hash" in key[2]]
    argon2_time = sum(stats[key][3] for key in argon2)
    inside = set()
    frontier = list(argon2)
    while frontier:  # every function that (transitively) calls the hash
        for caller in stats.get(frontier.pop(), (0, 0, 0, 0, {}))[4]:
            if caller not in inside:
                inside.add(caller)
                frontier.append(caller)
    project = str(BASE_DIR) + "/"
    rows = []
    for key, (_cc, calls, _tt, cumulative, _callers) in stats.items():
        filename, line, name = key
        if not filename.startswith(project) or "/.venv/" in filename or "/bench/" in filename:
            continue
        if name == "__call__":  # a middleware: it wraps every request
            continue
        own = cumulative - (argon2_time if key in inside else 0.0)
        rows.append((f"{filename.removeprefix(project)}:{line} {name}", own / logins * 1000, calls / logins))
    return sorted(rows, key=lambda row: row[1], reverse=True)[:10]


def report(vendor: str, arguments, results: dict, argon2: float, sql: dict) -> None:
    felles, peer = results["Felles"], results["peer (oidc-provider 9)"]
    felles_cpu = felles["cpu"] / felles["logins"]
    peer_cpu = peer["cpu"] / peer["logins"]
    outside = felles_cpu - argon2
    print(f"database: {vendor}; gunicorn workers: {arguments.workers}")
    print(
        f"logins: {felles['logins']} each, in {arguments.batches} alternating batches of {arguments.logins}"
    )
    print()
    print("| per login | Felles | peer (oidc-provider 9) |")
    print("|---|---:|---:|")
    print(f"| server CPU | {felles_cpu * 1000:.1f} ms | {peer_cpu * 1000:.1f} ms |")
    print(f"| of which one Argon2 check | {argon2 * 1000:.1f} ms | - |")
    print(f"| server CPU outside Argon2 | {outside * 1000:.1f} ms | {peer_cpu * 1000:.1f} ms |")
    if felles["database"]:
        database = felles["database"] / felles["logins"]
        print(f"| PostgreSQL's CPU (not in the figures above) | {database * 1000:.1f} ms | - (in memory) |")
    print(
        f"| logins per second (one client) | {felles['logins'] / felles['wall']:.1f} | "
        f"{peer['logins'] / peer['wall']:.1f} |"
    )
    print(f"| logins per CPU second | {1 / felles_cpu:.1f} | {1 / peer_cpu:.1f} |")
    print()
    print(f"Felles outside Argon2 / peer: {outside / peer_cpu:.1f}x (goal: at most 2x)")
    print(
        f"SQL per login (in-process pass): {sql['statements']:.0f} statements (goal: at most 25), "
        f"{sql['transactions']:.0f} transactions, {sql['control']:.0f} savepoint statements"
    )
    if "profile" in sql:
        print()
        print("| function (cumulative CPU, Argon2 taken out) | ms per login | calls per login |")
        print("|---|---:|---:|")
        for name, milliseconds, calls in sql["profile"]:
            print(f"| {name} | {milliseconds:.1f} | {calls:g} |")


if __name__ == "__main__":
    main()
