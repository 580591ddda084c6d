"""The demo's two services and their OIDC clients, registered through idporten.services.

A client secret is shown only once, so the demo keeps its own in a file under var/
(never committed); seeding again makes a new secret when the file has none that fits.
The clients' addresses follow where the demo is served (seeding with --base-url, or the
first login on a new address in development), so the demo runs on any port.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from idporten import risk
from idporten import services as idporten
from idporten.forms import validate_client_uri
from idporten.models import Client
from idporten.services.clients import hash_secret
from virksomheter.demo import seed_demo_organisations
from virksomheter.models import Organisation

SEED_ACTOR = "demo-seed"
DEFAULT_BASE_URLS = ("http://127.0.0.1:8000", "http://localhost:8000")
# A demo service could do no more harm than a moderate one: level 3 (MinID) is enough.
DEMO_RISK = 2
ADDRESS_FIELDS = ("redirect_uris", "post_logout_redirect_uris", "frontchannel_logout_uri")


@dataclass(frozen=True)
class DemoService:
    slug: str
    client_id: str
    organisasjonsnummer: str
    name: str

    def organisation(self) -> Organisation | None:
        return Organisation.objects.filter(organisasjonsnummer=self.organisasjonsnummer).first()


SERVICES = {
    service.slug: service
    for service in (
        DemoService("velferd", "demo-velferd", "974312344", "Velferdsetaten – Min side"),
        DemoService("lanefond", "demo-lanefond", "964201013", "Lånefondet – Mine lån"),
    )
}


def secrets_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-clients.json"


def _read_secrets() -> dict[str, str]:
    try:
        return json.loads(secrets_file().read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_secrets(secrets: dict[str, str]) -> None:
    descriptor = os.open(secrets_file(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(secrets, file, indent=2)


def client_secret(service: DemoService) -> str | None:
    return _read_secrets().get(service.client_id)


def _addresses(service: DemoService, base_urls: list[str]) -> dict:
    return {
        "redirect_uris": [f"{base}/demo/{service.slug}/callback" for base in base_urls],
        "post_logout_redirect_uris": [f"{base}/demo/{service.slug}/" for base in base_urls],
        "frontchannel_logout_uri": f"{base_urls[0]}/demo/{service.slug}/frontchannel-logout",
    }


def _registration(service: DemoService, base_urls: list[str]) -> dict:
    return {
        "client_id": service.client_id,
        "organisation": service.organisation(),
        "name": service.name,
        **_addresses(service, base_urls),
        "scopes": ["openid", "profile"],
        "may_receive_pid": True,
        "auth_method": Client.AuthMethod.SECRET_BASIC,
        **{row.field_name: DEMO_RISK for row in risk.ROWS},
    }


def _follow(client: Client, service: DemoService, base_urls: list[str], *, changed_by: str) -> Client:
    """Give an existing demo client these addresses; it keeps any others it has, so that the
    demo still answers where it was served before (127.0.0.1 and localhost, an earlier port)."""
    wanted = _addresses(service, base_urls)
    changed = []
    for field in ("redirect_uris", "post_logout_redirect_uris"):
        merged = list(dict.fromkeys([*wanted[field], *getattr(client, field)]))
        if merged != getattr(client, field):
            setattr(client, field, merged)
            changed.append(field)
    # One front-channel address only: the newest, where the citizen is now.
    if client.frontchannel_logout_uri != wanted["frontchannel_logout_uri"]:
        client.frontchannel_logout_uri = wanted["frontchannel_logout_uri"]
        changed.append("frontchannel_logout_uri")
    unassessed = [row.field_name for row in risk.ROWS if getattr(client, row.field_name) is None]
    for field in unassessed:
        setattr(client, field, DEMO_RISK)
    if changed or unassessed:
        client = idporten.update_client(client, changed_fields=changed + unassessed, changed_by=changed_by)
    return client


def seed_demo_clients(*, base_urls: list[str]) -> list[Client]:
    """Register the clients that are missing, give existing ones the addresses of base_urls,
    and make sure the secrets file fits every client."""
    base_urls = [url.rstrip("/") for url in base_urls]
    if any(service.organisation() is None for service in SERVICES.values()):
        seed_demo_organisations()
    stored = _read_secrets()
    secrets = dict(stored)
    clients = []
    for service in SERVICES.values():
        client = Client.objects.filter(client_id=service.client_id).first()
        if client is None:
            client, secrets[service.client_id] = idporten.create_client(
                created_by=SEED_ACTOR, **_registration(service, base_urls)
            )
        else:
            client = _follow(client, service, base_urls, changed_by=SEED_ACTOR)
            if hash_secret(secrets.get(service.client_id, "")) != client.secret_hash:
                secrets[service.client_id] = idporten.reset_secret(client, changed_by=SEED_ACTOR)
        clients.append(client)
    if secrets != stored:
        _write_secrets(secrets)
    return clients


def serve_at(service: DemoService, base_url: str) -> None:
    """In development, the demo served at a new address (another port or host) registers it for
    its client before the login starts: ID-porten sends the citizen back only to a registered
    address (RFC 6749 section 4.1.2.1). Outside development the registration stays as seeded."""
    if not settings.DEBUG:
        return
    client = Client.objects.filter(client_id=service.client_id).first()
    callback = f"{base_url.rstrip('/')}/demo/{service.slug}/callback"
    if client is None or callback in client.redirect_uris:
        return
    try:
        # The rule the admin applies to every client: plain http only on the developer's own machine.
        validate_client_uri(callback)
    except ValidationError:
        return
    _follow(client, service, [base_url.rstrip("/")], changed_by="demo-" + service.slug)
