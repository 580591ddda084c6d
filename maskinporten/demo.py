"""The demo's Maskinporten clients: one per demo organisation with the scopes it has, and for
Velferdsetaten a registered key whose private JWK is written beside the demo certificates, so a
client can sign grants with `kid` as Digdir's self-registered keys do."""

import json
import os
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk

from maskinporten import services
from maskinporten.models import Client
from virksomheter.models import Organisation

SEEDED_BY = "demo-seed"
KEY_ORGANISATION = "974312344"
KEY_ID = "felles-demo-1"


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


def _write_private_jwk(path: Path, private_jwk: dict) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(private_jwk, file, indent=2)


def _key(client: Client, folder: Path) -> Path:
    """A registered key for `client`, its private JWK in `folder` (made again if either is missing)."""
    path = folder / f"{client.organisation.organisasjonsnummer}-client.jwk.json"
    in_force = client.keys.filter(kid=KEY_ID, revoked_at__isnull=True).exists()
    if path.exists() and in_force:
        return path
    if client.keys.filter(kid=KEY_ID).exists():
        client.keys.filter(kid=KEY_ID).delete()  # a demo key whose private half is lost
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    private_jwk = {**jwk.construct(pem, "RS256").to_dict(), "kid": KEY_ID, "alg": "RS256", "use": "sig"}
    public_jwk = {name: private_jwk[name] for name in ("kty", "kid", "alg", "use", "n", "e")}
    services.add_client_key(client, public_jwk, added_by=SEEDED_BY)
    _write_private_jwk(path, private_jwk)
    return path


def seed_demo_clients(organisations, folder: Path) -> list[tuple[Client, Path | None]]:
    """Each organisation's demo client, and the private JWK file of the one with a registered key."""
    seeded = []
    for organisation in organisations:
        client = _client(organisation)
        key_file = _key(client, folder) if organisation.organisasjonsnummer == KEY_ORGANISATION else None
        seeded.append((client, key_file))
    return seeded
