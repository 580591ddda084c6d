"""ID-porten: the OpenID Connect provider's clients, keys, sessions, codes and tokens.

Secrets, codes and refresh tokens are stored as SHA-256 hashes; signing keys'
private parts are encrypted with a key from the environment.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from virksomheter.models import Organisation

# Security levels (acr values), lowest first.
LOA_SUBSTANTIAL = "idporten-loa-substantial"
LOA_HIGH = "idporten-loa-high"
LEVELS = (LOA_SUBSTANTIAL, LOA_HIGH)


class SecurityLevel(models.TextChoices):
    SUBSTANTIAL = LOA_SUBSTANTIAL, _("Substantial (level 3): MinID")
    HIGH = LOA_HIGH, _("High (level 4): smartcard")


class RiskLevel(models.IntegerChoices):
    """How bad a wrongful login could be for one kind of harm (idporten.risk)."""

    LOW = 1, _("1 – low")
    MODERATE = 2, _("2 – moderate")
    SUBSTANTIAL = 3, _("3 – substantial")
    HIGH = 4, _("4 – high")


def _risk(label: str) -> models.PositiveSmallIntegerField:
    # Empty only for clients registered outside the admin (the demo's, older ones) until assessed.
    return models.PositiveSmallIntegerField(label, choices=RiskLevel.choices, null=True, blank=True)


class Client(models.Model):
    """A relying party (a service owner's OIDC client)."""

    class AuthMethod(models.TextChoices):
        SECRET_BASIC = "client_secret_basic", "client_secret_basic"
        SECRET_POST = "client_secret_post", "client_secret_post"
        PRIVATE_KEY_JWT = "private_key_jwt", "private_key_jwt"
        # A public client (a single-page or mobile app) has no secret: PKCE alone binds the code.
        NONE = "none", _("none (public client: single-page or mobile app)")

    client_id = models.CharField(_("client ID"), max_length=100, unique=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name shown to citizens"), max_length=200)
    redirect_uris = models.JSONField(_("redirect URIs"), default=list)
    post_logout_redirect_uris = models.JSONField(_("post-logout redirect URIs"), default=list, blank=True)
    frontchannel_logout_uri = models.URLField(_("front-channel logout URI"), blank=True)
    backchannel_logout_uri = models.URLField(_("back-channel logout URI"), blank=True)
    scopes = models.JSONField(_("allowed scopes"), default=list)
    minimum_level = models.CharField(
        _("minimum security level"), max_length=30, choices=SecurityLevel.choices, default=LOA_SUBSTANTIAL
    )
    may_receive_pid = models.BooleanField(_("may receive the identity number (pid)"), default=False)
    auth_method = models.CharField(
        _("client authentication"), max_length=30, choices=AuthMethod.choices, default=AuthMethod.SECRET_BASIC
    )
    secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    jwks = models.JSONField(_("public keys (JWKS) for private_key_jwt"), default=dict, blank=True)
    # Web origins (scheme://host[:port]) whose browsers may call the token, userinfo, revocation
    # and JWKS endpoints (CORS): a public client's single-page app.
    allowed_origins = models.JSONField(_("allowed web origins (CORS)"), default=list, blank=True)
    # OpenID Connect client metadata (Dynamic Client Registration 1.0 section 2): the algorithm of
    # the ID tokens and back-channel logout tokens this client gets, among those the JWKS publishes.
    id_token_signed_response_alg = models.CharField(
        _("ID token signature algorithm"),
        max_length=10,
        choices=[("RS256", "RS256 (RSA)"), ("ES256", "ES256 (ECDSA P-256)")],
        default="RS256",
    )
    # The risk assessment that sets minimum_level (idporten.risk), kept so that it is not asked again.
    risk_life_and_health = _risk(_("Consequences for life and health"))
    risk_economic_loss = _risk(_("Economic loss"))
    risk_reputation = _risk(_("Damage to reputation"))
    risk_hindrance_of_prosecution = _risk(_("Hindrance of prosecution"))
    risk_contribution_to_crime = _risk(_("Negligent contribution to crime"))
    risk_nuisance = _risk(_("Nuisance"))
    pairwise_salt = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("OIDC client")
        verbose_name_plural = _("OIDC clients")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{name}__isnull": True}) | models.Q(**{f"{name}__range": (1, 4)}),
                name=f"idporten_client_{name}_1_to_4",
            )
            for name in (
                "risk_life_and_health",
                "risk_economic_loss",
                "risk_reputation",
                "risk_hindrance_of_prosecution",
                "risk_contribution_to_crime",
                "risk_nuisance",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.client_id})"


class SigningKey(models.Model):
    """A key that signs ID tokens and access tokens. Retired keys stay in the JWKS until
    every token they signed has expired."""

    kid = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=10)
    public_jwk = models.JSONField()
    encrypted_private_pem = models.BinaryField()
    created = models.DateTimeField(auto_now_add=True)
    # Published in the JWKS from `created`, signs from `signs_from`: relying parties that cache the
    # JWKS learn the key before any token carries it. Empty for keys that signed from the start.
    signs_from = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.algorithm} {self.kid}"


class SsoSession(models.Model):
    """The citizen's single sign-on session across service owners."""

    sid = models.CharField(max_length=64, unique=True)
    identity_number = models.CharField(max_length=11, db_index=True)
    acr = models.CharField(max_length=30)
    amr = models.CharField(max_length=30)
    auth_time = models.DateTimeField()
    created = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # Why it ended (logout, timeout, replaced, ...), and when the browser was shown the clients'
    # front-channel logout frames: a session that ended without the browser there (timeout, step-up)
    # shows them on the next page of Felles the browser opens.
    end_reason = models.CharField(max_length=20, blank=True)
    frontchannel_shown_at = models.DateTimeField(null=True, blank=True)


class Authorization(models.Model):
    """What one client got in one session: codes and refresh tokens hang on it, so that a
    replayed code or the end of the session revokes them all."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="authorizations")
    session = models.ForeignKey(SsoSession, on_delete=models.CASCADE, related_name="authorizations")
    scope = models.CharField(max_length=500)
    nonce = models.CharField(max_length=200)
    locale = models.CharField(max_length=2, default="nb")
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)


class AuthorizationCode(models.Model):
    code_hash = models.CharField(max_length=64, unique=True)
    authorization = models.ForeignKey(Authorization, on_delete=models.CASCADE, related_name="codes")
    redirect_uri = models.CharField(max_length=2000)
    code_challenge = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class RefreshToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    authorization = models.ForeignKey(Authorization, on_delete=models.CASCADE, related_name="refresh_tokens")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class AccessToken(models.Model):
    """Issued access tokens by jti, for revocation and introspection."""

    jti = models.CharField(max_length=64, unique=True)
    authorization = models.ForeignKey(Authorization, on_delete=models.CASCADE, related_name="access_tokens")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)


class PushedRequest(models.Model):
    """A pushed authorization request (RFC 9126), used once by its request_uri."""

    request_uri = models.CharField(max_length=100, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    parameters = models.JSONField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class UsedAssertion(models.Model):
    """jti values of client assertions already seen (private_key_jwt), until they expire."""

    jti = models.CharField(max_length=200)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "jti"], name="assertion_jti_once")]


class Consent(models.Model):
    """The citizen's consent to common public login, until withdrawn."""

    identity_number = models.CharField(max_length=11, db_index=True)
    given_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)


class LoginEvent(models.Model):
    """A login handed to a service: the citizen's "my logins" list."""

    identity_number = models.CharField(max_length=11, db_index=True)
    client = models.ForeignKey(Client, on_delete=models.SET_NULL, null=True, related_name="+")
    client_name = models.CharField(max_length=200)
    acr = models.CharField(max_length=30)
    at = models.DateTimeField(auto_now_add=True, db_index=True)


class BackchannelDelivery(models.Model):
    """One back-channel logout token (OIDC Back-Channel Logout 1.0) to deliver to one client,
    with every attempt's answer, retried with backoff until delivered or given up."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="backchannel_deliveries"
    )
    sid = models.CharField(_("session ID (sid)"), max_length=64)
    sub = models.CharField(_("subject (sub) the client knows"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("back-channel logout delivery")
        verbose_name_plural = _("back-channel logout deliveries")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.client.client_id} {self.sid} ({self.get_state_display()})"
