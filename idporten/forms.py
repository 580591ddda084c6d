"""The OIDC client form in the admin: URIs one per line, scopes space-separated, the JWKS as
JSON, and the risk assessment that sets the minimum security level (see idporten.risk)."""

import json
import re
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from jose import jwk
from jose.exceptions import JOSEError

from idporten import risk
from idporten.models import Client
from idporten.services import addresses, cors

LOCAL_HOSTS = {"localhost", "127.0.0.1"}
# RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")
# The algorithm each accepted key type is used with (idporten.services.clients.ASSERTION_ALGORITHMS).
KEY_ALGORITHMS = {"RSA": "RS256", "EC": "ES256"}
# RFC 7518 section 6: the members only a private (or symmetric) key has.
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def _label(field_name: str) -> str:
    return capfirst(Client._meta.get_field(field_name).verbose_name)


def validate_client_uri(value: str) -> None:
    """An absolute https URL without a fragment; plain http only on the developer's own machine."""
    params = {"uri": value}
    if "#" in value:
        raise ValidationError(
            _("%(uri)s: a URI may not have a fragment (#)."), code="fragment", params=params
        )
    try:
        parts = urlsplit(value)
        scheme, host = parts.scheme, parts.hostname
    except ValueError:
        scheme, host = "", None
    secure = scheme == "https" or (scheme == "http" and host in LOCAL_HOSTS)
    if host and secure and not any(character.isspace() for character in value):
        return
    raise ValidationError(
        _("%(uri)s: enter an absolute https URL (http only for localhost or 127.0.0.1)."),
        code="insecure_uri",
        params=params,
    )


def validate_public_address(value: str) -> None:
    """A back-channel logout URI (which the server POSTs to) whose host resolves to loopback, a
    private, link-local or other non-public address is refused with DEBUG off (see
    idporten.services.addresses). A front-channel URI is the browser's to load, never the server's. A name that does not
    resolve yet is accepted here: each back-channel delivery checks the address it connects to."""
    try:
        host, port = urlsplit(value).hostname, urlsplit(value).port
    except ValueError:
        return  # validate_client_uri names it
    if not host:
        return
    try:
        refused = addresses.refused(host, port or 443)
    except (OSError, UnicodeError):
        return
    if refused:
        raise ValidationError(
            _("%(uri)s: the host has an internal (non-public) address, %(address)s, which is not allowed."),
            code="internal_address",
            params={"uri": value, "address": ", ".join(refused)},
        )


class UriListField(forms.Field):
    """A list of URIs, one per line."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 80})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list):
            return value
        lines = [line.strip() for line in (value or "").splitlines()]
        return list(dict.fromkeys(line for line in lines if line))

    def validate(self, value):
        super().validate(value)
        errors = []
        for uri in value:
            try:
                validate_client_uri(uri)
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)


class OriginListField(UriListField):
    """Web origins (scheme://host[:port]), one per line, stored as browsers send them."""

    def to_python(self, value) -> list[str]:
        origins = super().to_python(value)
        try:
            return cors.normalized_origins(origins)
        except ValidationError:
            return origins  # validate() names each bad one

    def validate(self, value):
        forms.Field.validate(self, value)
        cors.normalized_origins(value)


class ScopeListField(forms.CharField):
    """Scopes, separated by spaces."""

    def prepare_value(self, value):
        return " ".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list):
            return value
        return list(dict.fromkeys(super().to_python(value).split()))

    def validate(self, value):
        super().validate(value)
        invalid = [scope for scope in value if not SCOPE_TOKEN.match(scope)]
        if invalid:
            raise ValidationError(
                _("Not a valid scope: %(scopes)s"), code="invalid_scope", params={"scopes": " ".join(invalid)}
            )


def validate_public_jwks(jwks) -> None:
    """{"keys": [...]} with RSA or EC (P-256) public keys only."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        raise ValidationError(
            _('Enter a JWKS: a JSON object {"keys": [...]} with at least one key.'), code="not_jwks"
        )
    for number, key in enumerate(jwks["keys"], start=1):
        params = {"number": number}
        if not isinstance(key, dict) or key.get("kty") not in KEY_ALGORITHMS:
            raise ValidationError(
                _("Key %(number)s: only RSA and EC keys (kty) are accepted."), code="key_type", params=params
            )
        private = sorted(PRIVATE_MEMBERS & key.keys())
        if private:
            raise ValidationError(
                _(
                    "Key %(number)s contains private key material (%(members)s): register only the public key."
                ),
                code="private_key",
                params={**params, "members": ", ".join(private)},
            )
        if key["kty"] == "EC" and key.get("crv") != "P-256":
            raise ValidationError(
                _("Key %(number)s: EC keys must use the curve P-256."), code="curve", params=params
            )
        try:
            jwk.construct(key, KEY_ALGORITHMS[key["kty"]])
        except (JOSEError, ValueError, TypeError):
            raise ValidationError(
                _("Key %(number)s is not a valid public key."), code="invalid_key", params=params
            ) from None


class JwksField(forms.Field):
    widget = forms.Textarea(attrs={"rows": 6, "cols": 80, "spellcheck": "false"})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, indent=2) if value else ""
        return value

    def to_python(self, value) -> dict:
        if isinstance(value, dict):
            return value
        if not (value or "").strip():
            return {}
        try:
            return json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            raise ValidationError(_("Enter valid JSON."), code="invalid_json") from None

    def validate(self, value):
        super().validate(value)
        if value:
            validate_public_jwks(value)


class ClientForm(forms.ModelForm):
    redirect_uris = UriListField(
        label=_label("redirect_uris"),
        help_text=_("One per line. Absolute https URLs (http only for localhost or 127.0.0.1), no fragment."),
    )
    post_logout_redirect_uris = UriListField(
        label=_label("post_logout_redirect_uris"), required=False, help_text=_("One per line, as above.")
    )
    frontchannel_logout_uri = forms.URLField(
        label=_label("frontchannel_logout_uri"),
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[validate_client_uri],
    )
    backchannel_logout_uri = forms.URLField(
        label=_label("backchannel_logout_uri"),
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[validate_client_uri, validate_public_address],
    )
    allowed_origins = OriginListField(
        label=_label("allowed_origins"),
        required=False,
        help_text=_(
            "One per line, scheme://host[:port] with no path: the web origins whose pages may call the "
            "token, userinfo, revocation and JWKS endpoints (a single-page app). https only (http for "
            "localhost or 127.0.0.1)."
        ),
    )
    scopes = ScopeListField(
        label=_label("scopes"), initial=["openid", "profile"], help_text=_("Separated by spaces.")
    )
    jwks = JwksField(
        label=_label("jwks"),
        required=False,
        help_text=_(
            'Public keys only, as JSON: {"keys": [...]}, RSA or EC P-256. Required for private_key_jwt.'
        ),
    )

    class Meta:
        model = Client
        fields = [
            "organisation",
            "name",
            "active",
            "redirect_uris",
            "post_logout_redirect_uris",
            "frontchannel_logout_uri",
            "backchannel_logout_uri",
            "allowed_origins",
            "scopes",
            "may_receive_pid",
            "auth_method",
            "jwks",
            "id_token_signed_response_alg",
            *(row.field_name for row in risk.ROWS),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Stored on the client, so a change shows the ratings given; a client registered outside
        # the admin is assessed the first time it is edited here.
        for row in risk.ROWS:
            self.fields[row.field_name].required = True

    def risk_assessment(self) -> dict[str, int]:
        return {row.key: self.cleaned_data[row.field_name] for row in risk.ROWS}

    def clean(self):
        cleaned = super().clean()
        needs_jwks = cleaned.get("auth_method") == Client.AuthMethod.PRIVATE_KEY_JWT
        if needs_jwks and not cleaned.get("jwks") and "jwks" not in self.errors:
            self.add_error("jwks", _("Register the client's public keys (JWKS) to use private_key_jwt."))
        public = cleaned.get("auth_method") == Client.AuthMethod.NONE
        if public and cleaned.get("jwks"):
            self.add_error(
                "jwks",
                ValidationError(_("A public client has no keys: leave the JWKS empty."), code="public_jwks"),
            )
        if all(cleaned.get(row.field_name) is not None for row in risk.ROWS):
            self.instance.minimum_level = risk.minimum_level(self.risk_assessment())
        return cleaned
