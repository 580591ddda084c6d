"""Benchmark: single letters through the hosted integrasjonspunkt (eFormidling 2, /api/messages/out)
beside Felles' own /api/post/v1/, in one run on one throwaway database. A case system sends one
letter at a time, as in Digdir's "vedtak til innbygger": create the SBD, PUT the PDF, send (three
requests; --multipart sends the SBD and the PDF in one). Prints letters per second from the first
request until every letter is delivered, waiting for print, held or failed, with 2 `manage.py
db_worker` processes, for each API; the CPU milliseconds per letter in each stage (accept, route,
encrypt, print page, notify, and PostgreSQL's share of the run); and the ratio of the two.
Goal (issue 17): at least 100 letters per second end to end through this API with 2 workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles .venv/bin/python bench/eformidling_send.py
    ... bench/eformidling_send.py --persons 20000 --letters 2000      (a quicker run)

The set-up is bench/postkasse_send.py's (the same register, contact records, demo agency, gunicorn
and task workers, CPU meters); the eFormidling sender logs in with HTTP Basic credentials made for
the agency as the admin makes them (--maskinporten: with the agency's Maskinporten token). Which
document type each letter is (digital or print) is decided before the clock starts, from the
capabilities Felles would answer, as a case system looks them up; persons Felles cannot deliver to
are left out of both runs. The stages are measured afterwards in this process with the tasks
inline, as postkasse_send.py does, on a sample sent the same way; `accept` is all the requests of one
letter (for eFormidling all three), and its split by request is printed too."""

import argparse
import base64
import json
import random
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))

import postkasse_send as base  # noqa: E402 (after the path is set; sets DJANGO_SETTINGS_MODULE)

USERNAME = "bench-360"
PASSWORD = "bench-korrekt-hest-batteri"  # noqa: S105 (a throwaway database's credential)
VEDTAK = "urn:no:difi:profile:digitalpost:vedtak:ver1.0"
STAGES = (*base.STAGES, "postgresql")
OUT = "/api/messages/out"
SEND_SCOPE = "digitalpostinnbygger:send"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--letters", type=int, default=5_000, help="letters through each API")
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP senders")
    parser.add_argument("--sample", type=int, default=200, help="letters measured stage by stage, per API")
    parser.add_argument("--multipart", action="store_true", help="one multipart request per letter")
    parser.add_argument("--maskinporten", action="store_true", help="a bearer token instead of Basic")
    parser.add_argument("--only", choices=("eformidling", "post"), help="run one API only")
    arguments = parser.parse_args()
    with base.bench_node("eformidling") as (connection, port):
        base.seed(arguments.persons)
        document = base.one_page_pdf()
        rng = random.Random(1)
        results = {}
        for api in ("eformidling", "post"):
            if arguments.only and arguments.only != api:
                continue
            recipients = deliverable(base.draw(rng, arguments.letters))
            sample = deliverable(base.draw(rng, arguments.sample))
            sender = make_sender(api, port, document, arguments)
            run = send_and_wait(connection, port, recipients, sender, arguments)
            stages, counts, split = measure_stages(port, sample, sender)
            stages["postgresql"] = 1000 * run["cpu"]["postgresql"] / run["letters"]
            counts["postgresql"] = run["letters"]
            results[api] = (run, stages, counts, split)
    report(connection.vendor, arguments, results)


def deliverable(recipients: list[str]) -> list[tuple[str, str]]:
    """(identity number, "digital" or "print") for the persons Felles has a capability for, decided as
    GET /api/capabilities decides it (outside the clock: a case system knows this before it sends)."""
    from eformidling.services import capabilities as capability_service
    from virksomheter.demo import seed_demo_organisations
    from virksomheter.models import Organisation

    seed_demo_organisations()
    organisation = Organisation.objects.get(organisasjonsnummer=base.SENDER)
    chosen = []
    for recipient in recipients:
        try:
            found = {
                c.standard for c in capability_service.capabilities(recipient, organisation, process=VEDTAK)
            }
        except (capability_service.NotAPerson, capability_service.PersonUnknown):
            continue
        for kind, standard in capability_service.STANDARDS.items():
            if standard in found:
                chosen.append((recipient, kind))
                break
    return chosen


# What one letter is, through each API ------------------------------------------------------------


def sbd(recipient: str, kind: str, message_id: str) -> dict:
    document = {
        "standardBusinessDocumentHeader": {
            "headerVersion": "1.0",
            "sender": [{"identifier": {"value": f"0192:{base.SENDER}", "authority": "iso6523-actorid-upis"}}],
            "receiver": [{"identifier": {"value": recipient, "authority": "iso6523-actorid-upis"}}],
            "documentIdentification": {
                "standard": f"urn:no:difi:digitalpost:xsd:{'digital' if kind == 'digital' else 'fysisk'}::{kind}",
                "typeVersion": "1.0",
                "instanceIdentifier": message_id,
                "type": kind,
            },
            "businessScope": {"scope": [{"type": "ConversationId", "identifier": VEDTAK}]},
        },
    }
    if kind == "digital":
        document["digital"] = {
            "sikkerhetsnivaa": 3,
            "hoveddokument": "vedtak.pdf",
            "tittel": "Vedtak om bostøtte",
            "spraak": "NO",
            "digitalPostInfo": {"virkningsdato": "2022-02-14", "aapningskvittering": False},
        }
    else:
        document["print"] = {
            "hoveddokument": "vedtak.pdf",
            "posttype": "B_OEKONOMI",
            "utskriftsfarge": "SORT_HVIT",
        }
    return document


def make_sender(api: str, port: int, document: bytes, arguments):
    """A function `send(http, recipient, kind) -> letter or message id` over a requests-like session or
    Django's test client (`http(method, path, body, headers) -> (status, body bytes)`), with its auth."""
    if api == "post":
        return PostApi(document)
    return EformidlingApi(document, multipart=arguments.multipart, maskinporten=arguments.maskinporten)


class PostApi:
    name = "/api/post/v1/"

    def __init__(self, document: bytes):
        self.document = document

    def auth(self, post_form, issuer: str) -> dict:
        return {"Authorization": f"Bearer {base.agency_token(post_form, issuer)}"}

    def send(self, http, recipient: str, kind: str) -> str:
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        status, body = http("POST", "/api/post/v1/forsendelser", json.dumps(
            base.letter_body(recipient, self.document)).encode(), headers, "accept")  # fmt: skip
        expect(status, 201, body)
        return json.loads(body)["id"]


class EformidlingApi:
    name = "eFormidling /api/messages/out"

    def __init__(self, document: bytes, *, multipart: bool, maskinporten: bool):
        self.document, self.multipart, self.maskinporten = document, multipart, maskinporten

    def auth(self, post_form, issuer: str) -> dict:
        if self.maskinporten:
            return {"Authorization": f"Bearer {base.agency_token(post_form, issuer)}"}
        from eformidling.models import Credential
        from virksomheter import services as virksomheter
        from virksomheter.demo import seed_demo_organisations
        from virksomheter.models import Organisation

        seed_demo_organisations()
        organisation = Organisation.objects.get(organisasjonsnummer=base.SENDER)
        # Basic credentials send only while the organisation holds the send grant, as a token does.
        virksomheter.grant_scope(organisation, SEND_SCOPE, granted_by="bench")
        credential = Credential.objects.filter(username=USERNAME).first()
        if credential is None:
            credential = Credential(organisation=organisation, username=USERNAME)
            credential.set_password(PASSWORD)
            credential.save()
        return {"Authorization": "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()}

    def send(self, http, recipient: str, kind: str) -> str:
        message_id = str(uuid.uuid4())
        document = json.dumps(sbd(recipient, kind, message_id)).encode()
        if self.multipart:
            boundary = uuid.uuid4().hex
            body = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="sbd"\r\n'
                    "Content-Type: application/json\r\n\r\n"
                ).encode()
                + document
                + (
                    f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="Vedtak"; filename="vedtak.pdf"\r\n'
                    "Content-Type: application/pdf\r\n\r\n"
                ).encode()
                + self.document
                + f"\r\n--{boundary}--\r\n".encode()
            )
            status, answer = http(
                "POST", f"{OUT}/multipart", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"},
                "multipart",
            )  # fmt: skip
            expect(status, 200, answer)
            return message_id
        status, answer = http("POST", OUT, document, {"Content-Type": "application/json"}, "create")
        expect(status, 200, answer)
        status, answer = http("PUT", f"{OUT}/{message_id}", self.document, {
            "Content-Type": "application/pdf",
            "Content-Disposition": "attachment; name=Vedtak; filename=vedtak.pdf",
        }, "upload")  # fmt: skip
        expect(status, 200, answer)
        status, answer = http("POST", f"{OUT}/{message_id}", b"", {}, "send")
        expect(status, 200, answer)
        return message_id


def expect(status: int, wanted: int, body: bytes) -> None:
    if status != wanted:
        raise SystemExit(f"Request failed: {status} {body[:500]!r}")


# The run: HTTP into a real server, real workers ------------------------------------------------


def send_and_wait(connection, port: int, recipients: list[tuple[str, str]], sender, arguments) -> dict:
    import requests
    from django.db.models import Count

    from postkasse.models import Letter

    server, workers = base.start_server_and_workers(connection, port, arguments.workers)
    already = set(Letter.objects.values_list("pk", flat=True))
    try:
        base.wait_for_server(server, port)
        root = f"http://127.0.0.1:{port}"

        def post_form(path: str, form: dict) -> dict:
            response = requests.post(root + path, data=form, timeout=10)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.text[:500]}")
            return response.json()

        headers = sender.auth(post_form, root)
        sessions = {}

        def http(method, path, body, extra, _stage):
            session = sessions.setdefault(threading.get_ident(), requests.Session())
            response = session.request(
                method, root + path, data=body, headers={**headers, **extra}, timeout=60
            )
            return response.status_code, response.content

        http("GET", "/healthz", None, {}, "")  # one warm request per server process is not the point
        meter = base.CpuMeter(server, workers)
        cpu_before = meter.read()
        started = time.perf_counter()
        with ThreadPoolExecutor(arguments.clients) as pool:
            list(pool.map(lambda pair: sender.send(http, *pair), recipients))
        sent = time.perf_counter() - started
        while Letter.objects.filter(status=Letter.Status.ACCEPTED).exists():
            for process in (server, *workers):
                if process.poll() is not None:
                    raise SystemExit("The server or a worker stopped during the run.")
            time.sleep(0.1)
        done = time.perf_counter() - started
        drained = base.wait_for_queue(started)
        cpu = {part: seconds - cpu_before[part] for part, seconds in meter.read().items()}
    finally:
        for process in (server, *workers):
            process.terminate()
        for process in (server, *workers):
            process.wait(timeout=30)
    ours = Letter.objects.exclude(pk__in=already)
    statuses = Counter(dict(ours.values_list("status").annotate(n=Count("pk")).order_by()))
    if sum(statuses.values()) != len(recipients):
        raise SystemExit(f"{len(recipients)} letters sent, {sum(statuses.values())} made")
    return {"letters": len(recipients), "sent": sent, "done": done, "drained": drained, "cpu": cpu,
            "statuses": statuses}  # fmt: skip


# The stages, measured in this process ------------------------------------------------------------


def measure_stages(port: int, recipients: list[tuple[str, str]], sender) -> tuple[dict, Counter, dict]:
    """Send the sample with the tasks inline and the stages' functions timed; returns CPU ms per
    letter in each stage, how many letters went through it, and accept's CPU ms per request kind."""
    from urllib.parse import urlencode

    from django.test import Client

    from postkasse import crypto
    from postkasse.models import Letter
    from postkasse.services import keys, printing, sending

    client = Client(HTTP_HOST=f"127.0.0.1:{port}")

    def post_form(path: str, form: dict) -> dict:
        response = client.post(path, urlencode(form), content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200, response.content
        return response.json()

    headers = sender.auth(post_form, f"http://127.0.0.1:{port}")
    clock = base.StageClock()

    def http(method, path, body, extra, kind):
        # Each request is a stage of its own: the tasks it runs inline count in their stages.
        with clock.stage(f"request {kind}"):
            response = client.generic(
                method, path, body or b"", content_type=extra.get("Content-Type", ""),
                headers={**headers, **{k: v for k, v in extra.items() if k != "Content-Type"}},
            )  # fmt: skip
        return response.status_code, response.content

    patched = [
        clock.wrap(sending, "route_letters", "route"),
        clock.wrap(keys, "unseal", "encrypt", only_inside="route"),
        clock.wrap(crypto, "encrypt_for", "encrypt", only_inside="route"),
        clock.wrap(printing, "queue_for_print_many", "print page"),
        clock.wrap(sending, "notify_recipients", "notify"),
    ]
    already = set(Letter.objects.values_list("pk", flat=True))
    try:
        for recipient, kind in recipients[:10]:  # warm-up: imports, caches, the PDF engine
            sender.send(http, recipient, kind)
        clock.seconds.clear()
        for recipient, kind in recipients[10:]:
            sender.send(http, recipient, kind)
    finally:
        for owner, attribute, original in patched:
            setattr(owner, attribute, original)
    measured = len(recipients) - 10
    letters = Letter.objects.exclude(pk__in=already)
    ids = list(letters.values_list("pk", flat=True))[-measured:] if measured > 0 else []
    channels = Counter(Letter.objects.filter(pk__in=ids).values_list("channel", flat=True))
    statuses = Counter(Letter.objects.filter(pk__in=ids).values_list("status", flat=True))
    counts = Counter({
        "accept": measured, "route": measured, "encrypt": channels[Letter.Channel.DIGITAL],
        "print page": statuses[Letter.Status.AWAITING_PRINT], "notify": channels[Letter.Channel.DIGITAL],
    })  # fmt: skip
    requests = {name: seconds for name, seconds in clock.seconds.items() if name.startswith("request ")}
    clock.seconds["accept"] = sum(requests.values())
    stages = {stage: 1000 * clock.seconds[stage] / max(counts[stage], 1) for stage in base.STAGES}
    split = {
        name.removeprefix("request "): 1000 * seconds / max(measured, 1) for name, seconds in requests.items()
    }
    return stages, counts, split


def report(vendor: str, arguments, results: dict) -> None:
    print(f"database: {vendor}; register: {arguments.persons:,} persons; workers: {arguments.workers}; "
          f"clients: {arguments.clients}")  # fmt: skip
    rates = {}
    for api, (run, stages, counts, split) in results.items():
        letters = run["letters"]
        label = EformidlingApi.name if api == "eformidling" else PostApi.name
        if api == "eformidling":
            label += " (multipart)" if arguments.multipart else " (create, PUT, send)"
            label += ", Maskinporten" if arguments.maskinporten else ", Basic"
        rates[api] = letters / run["done"]
        print(f"\n== {label}")
        print(f"letters: {letters:,}, all sent in {run['sent']:.1f} s ({letters / run['sent']:.0f}/s)")
        print(f"end to end: {run['done']:.1f} s, {rates[api]:.1f} letters per second")
        print(f"notices sent too (queue empty): {run['drained']:.1f} s")
        cpu = run["cpu"]
        parts = ", ".join(f"{part} {1000 * seconds / letters:.1f}" for part, seconds in cpu.items())
        print(f"CPU ms per letter, whole run: {1000 * sum(cpu.values()) / letters:.1f} ({parts})")
        mix = ", ".join(f"{status} {count / letters:.1%}" for status, count in run["statuses"].most_common())
        print(f"channel mix: {mix}")
        print(f"CPU ms per letter by stage ({counts['accept']} sample letters in this process; "
              "postgresql: the whole run's server CPU):")  # fmt: skip
        for stage in STAGES:
            print(f"  {stage:<11} {stages[stage]:6.1f}   ({counts[stage]} letters)")
        print("  accept by request: " + ", ".join(f"{kind} {ms:.1f}" for kind, ms in split.items()))
    if len(rates) == 2:
        print(f"\nletters/s eFormidling : /api/post/v1/ = {rates['eformidling']:.1f} : {rates['post']:.1f} "
              f"= {rates['eformidling'] / rates['post']:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
