"""Maskinporten clients, keys and grants for tests, built from Digdir's documented grant shape."""

import base64
import secrets
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt

from maskinporten import services
from tests.virksomheter.factories import new_organisation
from virksomheter import services as virksomheter
from virksomheter.models import CURRENT_TERMS_VERSION, Organisation

ISSUER = "http://testserver/maskinporten/"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def organisation(
    number: str = "974312344", scopes=("krr:global/kontaktinformasjon.read",), name="Velferdsetaten"
):
    """A registered organisation granted `scopes`, having accepted the terms of use."""
    found = Organisation.objects.filter(organisasjonsnummer=number).first()
    if found is None:
        found = virksomheter.save_organisation(
            new_organisation(organisasjonsnummer=number, name_nb=name), changed_by="test"
        )
    latest = virksomheter.latest_terms_acceptance(found)
    if latest is None or latest.version != CURRENT_TERMS_VERSION:
        virksomheter.accept_terms(found, accepted_by="test")
    for scope in scopes:
        virksomheter.grant_scope(found, scope, granted_by="test")
    return found


class KeyPair:
    """A client's own key pair: the private key signs grants, the public JWK is registered."""

    def __init__(self, kind: str = "rsa", bits: int = 2048, kid: str | None = None):
        self.private = (
            ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, bits)
        )
        self.algorithm = "ES256" if kind == "ec" else "RS256"
        self.kid = kid or secrets.token_urlsafe(8)

    @property
    def private_pem(self) -> str:
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    @property
    def public_jwk(self) -> dict:
        public = jwk.construct(self.private_pem, self.algorithm).public_key().to_dict()
        return {**public, "kid": self.kid}

    @property
    def private_jwk(self) -> dict:
        return {**jwk.construct(self.private_pem, self.algorithm).to_dict(), "kid": self.kid}


def client(organisation_, *, scopes=None, keys=(), client_id=None):
    scopes = (
        scopes if scopes is not None else list(organisation_.scope_grants.values_list("scope", flat=True))
    )
    registered = services.register_client(
        organisation_, name="Fagsystem", scopes=scopes, registered_by="test", client_id=client_id
    )
    for key in keys:
        services.add_client_key(registered, key.public_jwk, added_by="test")
    return registered


def grant(
    client_id: str,
    key,
    *,
    kid: str | None = None,
    x5c: list[str] | None = None,
    algorithm: str | None = None,
    audience=ISSUER,
    scope: str = "krr:global/kontaktinformasjon.read",
    lifetime: int = 60,
    issued_at: int | None = None,
    without: tuple[str, ...] = (),
    **claims,
) -> str:
    """A JWT grant as Digdir's maskinporten_protocol_jwtgrant describes it: kid or x5c in the header;
    aud, iss, iat, exp, jti and scope in the body."""
    now = int(time.time()) if issued_at is None else issued_at
    body = {
        "aud": audience,
        "iss": client_id,
        "scope": scope,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(16),
        **claims,
    }
    body = {name: value for name, value in body.items() if name not in without}
    headers = {"kid": kid} if kid is not None else {}
    if x5c is not None:
        headers["x5c"] = x5c
    if isinstance(key, KeyPair):
        pem, algorithm = key.private_pem, algorithm or key.algorithm
        if x5c is None and kid is None:
            headers["kid"] = key.kid
    else:  # a cryptography private key (an enterprise certificate's)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        algorithm = algorithm or ("ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "RS256")
    return jwt.encode(body, pem, algorithm=algorithm, headers=headers)


def x5c(*certificates) -> list[str]:
    return [base64.b64encode(certificate.der).decode() for certificate in certificates]


def agency_token(scope: str, *, organisation_number: str = "974312344", **_ignored) -> str:
    """An access token for `organisation_number`'s machine with `scope`, got from the token service
    with a registered key (the organisation is registered and granted the scopes if need be)."""
    scopes = scope.split()
    agency = organisation(organisation_number, scopes=scopes)
    key = KeyPair()
    registered = client(agency, scopes=scopes, keys=[key])
    body = services.issue_token(
        grant_type=GRANT_TYPE, assertion=grant(registered.client_id, key, scope=scope), issuer=ISSUER
    )
    return body["access_token"]
