"""The demo's Maskinporten clients: one per demo organisation with the scopes it has, and for
Velferdsetaten a registered key whose private JWK is written beside the demo certificates, so a
client can sign grants with `kid` as Digdir's self-registered keys do."""

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone
from jose import jwk

from maskinporten import services
from maskinporten.models import Client
from virksomheter.models import Organisation

SEEDED_BY = "demo-seed"
KEY_ORGANISATION = "974312344"
# The first key is felles-demo-1; one made again after its private half was lost gets the next number.
KEY_ID_PREFIX = "felles-demo-"


def demo_client_id(organisation: Organisation) -> str:
    """A stable UUID per demo organisation, so seeding again finds the same client."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"felles-demo-maskinporten-{organisation.organisasjonsnummer}"))


def _client(organisation: Organisation) -> Client:
    scopes = list(organisation.scope_grants.values_list("scope", flat=True))
    client = Client.objects.filter(client_id=demo_client_id(organisation)).first()
    if client is None:
        return services.register_client(
            organisation,
            name=f"{organisation.name_nb} (demo)",
            scopes=scopes,
            registered_by=SEEDED_BY,
            client_id=demo_client_id(organisation),
        )
    return services.change_client(client, scopes=scopes, active=True, changed_by=SEEDED_BY)


@dataclass
class DemoKey:
    kid: str
    path: Path


def _write_private_jwk(path: Path, private_jwk: dict) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(private_jwk, file, indent=2)


def _saved_private_jwk(path: Path) -> dict | None:
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return saved if isinstance(saved, dict) else None


def _key(client: Client, folder: Path) -> DemoKey:
    """The demo key of `client` whose private JWK is in `folder`: the one registered if it matches
    the file, otherwise a new one (a key whose private half is lost is revoked, through the service,
    so its record and the tokens it got stay in the trail)."""
    path = folder / f"{client.organisation.organisasjonsnummer}-client.jwk.json"
    saved = _saved_private_jwk(path)
    in_force = client.keys.filter(
        kid__startswith=KEY_ID_PREFIX, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    for key in in_force:
        if saved and key.kid == saved.get("kid") and key.public_jwk.get("n") == saved.get("n"):
            return DemoKey(key.kid, path)
    for key in in_force:
        services.revoke_client_key(client, key.kid, revoked_by=SEEDED_BY)
    kid = f"{KEY_ID_PREFIX}{client.keys.filter(kid__startswith=KEY_ID_PREFIX).count() + 1}"
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    private_jwk = {**jwk.construct(pem, "RS256").to_dict(), "kid": kid, "alg": "RS256", "use": "sig"}
    public_jwk = {name: private_jwk[name] for name in ("kty", "kid", "alg", "use", "n", "e")}
    services.add_client_key(client, public_jwk, added_by=SEEDED_BY)
    _write_private_jwk(path, private_jwk)
    return DemoKey(kid, path)


def seed_demo_clients(organisations, folder: Path) -> list[tuple[Client, DemoKey | None]]:
    """Each organisation's demo client, and the demo key of the one that has a registered key."""
    seeded = []
    for organisation in organisations:
        client = _client(organisation)
        key = _key(client, folder) if organisation.organisasjonsnummer == KEY_ORGANISATION else None
        seeded.append((client, key))
    return seeded
