"""A Maskinporten client written only from Digdir's documentation, usable against the real service
(https://maskinporten.no/, https://test.maskinporten.no/) or any other issuer that follows it.

What it does, and where the documentation says so (docs.digdir.no, Maskinporten):
- maskinporten_func_wellknown: the issuer's metadata (RFC 8414) is at
  `<issuer>.well-known/oauth-authorization-server`; `issuer` and `token_endpoint` are read from it.
- maskinporten_protocol_jwtgrant: the grant is a JWT (RFC 7523) whose header has `alg` and either
  `kid` (a key registered on the client) or `x5c` (the enterprise certificate chain, RFC 7517 §4.7),
  and whose claims are `aud` (the issuer), `iss` (the client_id), `scope`, `iat`, `exp` (at most
  120 s after iat) and a fresh `jti`; `consumer_org` asks for a token on a customer's behalf, and
  `resource` for an audience-restricted token.
- maskinporten_protocol_token: the grant is POSTed form-encoded to the token endpoint with
  grant_type urn:ietf:params:oauth:grant-type:jwt-bearer; the answer has access_token, token_type,
  expires_in and scope, or an OAuth error (RFC 6749 §5.2).

Nothing here knows any server but by the issuer URL it is given. Signs with joserfc.

    python examples/maskinporten_client.py --issuer http://127.0.0.1:8000/maskinporten/ \\
        --client-id 5f2c… --key my-key.pem --kid my-key-2026 --scope krr:global/kontaktinformasjon.read
    python examples/maskinporten_client.py --issuer http://127.0.0.1:8000/maskinporten/ \\
        --client-id 5f2c… --key var/demo-certificates/974312344.key \\
        --certificate var/demo-certificates/974312344.pem --scope krr:global/kontaktinformasjon.read
"""

import argparse
import base64
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey, import_key

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
METADATA_PATH = ".well-known/oauth-authorization-server"
GRANT_LIFETIME = 120  # the most maskinporten_protocol_jwtgrant allows (exp - iat <= 120)


class MaskinportenError(Exception):
    """The issuer refused or answered something a client cannot use. `error` and `description` are the
    OAuth error's (RFC 6749 §5.2) when there was one; `status` the HTTP status when there was an answer."""

    def __init__(
        self, message: str, *, status: int | None = None, error: str | None = None, description=None
    ):
        super().__init__(message)
        self.status = status
        self.error = error
        self.description = description


@dataclass(frozen=True)
class Metadata:
    issuer: str
    token_endpoint: str
    jwks_uri: str | None


@dataclass(frozen=True)
class Credentials:
    """A client's means to sign grants: its private key, and either the `kid` it was registered under
    or the enterprise certificate chain (leaf first) that is sent as `x5c`."""

    client_id: str
    key: RSAKey | ECKey
    kid: str | None = None
    certificate_chain: tuple[x509.Certificate, ...] = ()

    def __post_init__(self):
        if bool(self.kid) == bool(self.certificate_chain):
            raise ValueError("Give either a kid or a certificate chain, not both or neither.")

    @classmethod
    def from_files(
        cls, client_id: str, key_path: Path, *, kid: str | None = None, certificate_path: Path | None = None
    ) -> "Credentials":
        """The key as PEM or as a private JWK (JSON; its own `kid` is used unless one is given); the
        certificate file as PEM, the leaf first and then any intermediates."""
        data = key_path.read_bytes()
        if data.lstrip().startswith(b"{"):
            jwk = json.loads(data)
            kid = kid or (None if certificate_path else jwk.get("kid"))
            key = import_key(jwk, jwk.get("kty"))
        else:
            private_key = load_pem_private_key(data, password=None)
            key = import_key(data, "EC" if isinstance(private_key, ec.EllipticCurvePrivateKey) else "RSA")
        chain = (
            tuple(x509.load_pem_x509_certificates(certificate_path.read_bytes())) if certificate_path else ()
        )
        return cls(client_id, key, kid=kid, certificate_chain=chain)

    @property
    def algorithm(self) -> str:
        return "ES256" if isinstance(self.key, ECKey) else "RS256"

    def header(self) -> dict:
        if self.kid:
            return {"alg": self.algorithm, "kid": self.kid}
        x5c = [
            base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()
            for certificate in self.certificate_chain
        ]
        return {"alg": self.algorithm, "x5c": x5c}


@dataclass(frozen=True)
class Token:
    access_token: str
    token_type: str
    expires_in: int
    scope: str


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        body = body if isinstance(body, dict) else {}
        raise MaskinportenError(
            f"{response.request.method} {response.url}: {response.status_code} {response.text[:500]}",
            status=response.status_code,
            error=body.get("error"),
            description=body.get("error_description"),
        )
    return body


def discover(session: requests.Session, issuer: str) -> Metadata:
    """The issuer's metadata; its `issuer` must be the one asked for (RFC 8414 §3.3)."""
    issuer = issuer if issuer.endswith("/") else f"{issuer}/"
    body = _json(session.get(f"{issuer}{METADATA_PATH}", timeout=10))
    if body.get("issuer") != issuer or not body.get("token_endpoint"):
        raise MaskinportenError(
            f"{issuer}{METADATA_PATH} names issuer {body.get('issuer')!r}, not {issuer!r}"
        )
    return Metadata(
        issuer=body["issuer"], token_endpoint=body["token_endpoint"], jwks_uri=body.get("jwks_uri")
    )


def make_grant(
    metadata: Metadata,
    credentials: Credentials,
    scope: str,
    *,
    consumer_org: str | None = None,
    resource: list[str] | None = None,
) -> str:
    """A JWT grant for `scope` (space-separated), signed with the client's key."""
    now = int(time.time())
    claims = {
        "aud": metadata.issuer,
        "iss": credentials.client_id,
        "scope": scope,
        "iat": now,
        "exp": now + GRANT_LIFETIME,
        "jti": str(uuid.uuid4()),
    }
    if consumer_org:
        claims["consumer_org"] = consumer_org
    if resource:
        claims["resource"] = resource
    return jwt.encode(
        credentials.header(), claims, credentials.key, algorithms=[credentials.algorithm], default_type=None
    )


def request_token(session: requests.Session, metadata: Metadata, grant: str) -> Token:
    response = session.post(
        metadata.token_endpoint, data={"grant_type": GRANT_TYPE, "assertion": grant}, timeout=10
    )
    body = _json(response)
    return Token(
        access_token=body["access_token"],
        token_type=body.get("token_type", "Bearer"),
        expires_in=int(body.get("expires_in", 0)),
        scope=body.get("scope", ""),
    )


class MaskinportenClient:
    """One client at one issuer: discovers the issuer once, then gets a token per call."""

    def __init__(self, issuer: str, credentials: Credentials, *, session: requests.Session | None = None):
        self.session = session or requests.Session()
        self.credentials = credentials
        self.metadata = discover(self.session, issuer)

    def token(
        self, scope: str, *, consumer_org: str | None = None, resource: list[str] | None = None
    ) -> Token:
        grant = make_grant(
            self.metadata, self.credentials, scope, consumer_org=consumer_org, resource=resource
        )
        return request_token(self.session, self.metadata, grant)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every example client shares to get its token."""
    parser.add_argument(
        "--issuer", default="http://127.0.0.1:8000/maskinporten/", help="Maskinporten's issuer"
    )
    parser.add_argument(
        "--client-id", required=True, help="the client_id the integration was registered with"
    )
    parser.add_argument(
        "--key", type=Path, required=True, help="the private key: PEM, or a private JWK (JSON)"
    )
    parser.add_argument("--kid", default=None, help="the registered key's kid (or take it from the JWK)")
    parser.add_argument(
        "--certificate", type=Path, default=None, help="instead of kid: the enterprise certificate"
    )
    parser.add_argument(
        "--consumer-org", default=None, help="the customer's organisation number, if delegated"
    )


def client_from(arguments: argparse.Namespace) -> MaskinportenClient:
    credentials = Credentials.from_files(
        arguments.client_id, arguments.key, kid=arguments.kid, certificate_path=arguments.certificate
    )
    return MaskinportenClient(arguments.issuer, credentials)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    parser.add_argument("--scope", required=True, help="space-separated scopes")
    arguments = parser.parse_args()
    try:
        token = client_from(arguments).token(arguments.scope, consumer_org=arguments.consumer_org)
    except MaskinportenError as refused:
        raise SystemExit(f"Refused: {refused}") from None
    print(json.dumps(token.__dict__, indent=2))


if __name__ == "__main__":
    main()
