"""Maskinporten's client registry (Samarbeidsportalen's integrations), delegations between
organisations (Altinn's API delegation), and the tokens issued, kept so a revocation bites at once."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from virksomheter.models import Organisation, ScopeGrant, TrustedIssuer


class Client(models.Model):
    """An organisation's Maskinporten integration: the `iss` of its grants."""

    client_id = models.CharField(_("client ID"), max_length=100, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="maskinporten_clients",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    # Real scope names, each one the organisation has been granted when registered.
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Maskinporten client")
        verbose_name_plural = _("Maskinporten clients")
        ordering = ["organisation", "name"]

    def __str__(self):
        return f"{self.name} ({self.client_id})"


class ClientKey(models.Model):
    """A public key registered on a client, named by the `kid` its grants carry."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="keys", verbose_name=_("client")
    )
    kid = models.CharField(_("key ID (kid)"), max_length=200)
    public_jwk = models.JSONField(_("public key (JWK)"))
    added_at = models.DateTimeField(_("added at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("client key")
        verbose_name_plural = _("client keys")
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["client", "kid"], name="maskinporten_client_key_unique"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("added_at")), name="maskinporten_client_key_expires"
            ),
        ]

    def __str__(self):
        return self.kid


class Delegation(models.Model):
    """A customer lets a supplier's clients ask for one of its scopes on its behalf (consumer_org)."""

    customer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="delegations_given", verbose_name=_("customer")
    )
    supplier = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name=_("supplier"),
    )
    scope = models.CharField(_("scope"), max_length=100, choices=ScopeGrant.Scope.choices)
    granted_by = models.CharField(_("granted by"), max_length=200)
    granted_at = models.DateTimeField(_("granted at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "supplier", "scope"],
                condition=Q(revoked_at__isnull=True),
                name="maskinporten_delegation_active_unique",
            ),
            models.CheckConstraint(
                condition=~Q(customer=models.F("supplier")), name="maskinporten_delegation_to_another"
            ),
        ]

    def __str__(self):
        return f"{self.scope}: {self.customer} → {self.supplier}"


class IssuedToken(models.Model):
    """An access token issued, with what it rests on; MaskinportenAuthentication refuses it once
    any of them is revoked."""

    jti = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    client_key = models.ForeignKey(ClientKey, on_delete=models.CASCADE, null=True, related_name="+")
    certificate_issuer = models.ForeignKey(
        TrustedIssuer, on_delete=models.CASCADE, null=True, related_name="+"
    )
    certificate_serial = models.CharField(max_length=64, blank=True)
    consumer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    delegations = models.ManyToManyField(Delegation, related_name="+")
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.jti
