"""Smartcards at level 4 (Buypass- and Commfides-style person certificates): the issuer CAs we
trust, their certificate revocation lists, certificates registered to a person by hand, and the
one-time challenges a card signs at login."""

import re

from cryptography import x509
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from folkeregister.identity import validate_identity_number

SERIAL_HEX = re.compile(r"^[0-9a-f]{1,40}$")  # RFC 5280 4.1.2.2: at most 20 octets


class Provider(models.TextChoices):
    """The smartcard eIDs; the values are ID-porten's amr values for them."""

    BUYPASS = "Buypass", "Buypass"
    COMMFIDES = "Commfides", "Commfides"


def serial_hex(value: int | str) -> str:
    """A certificate serial number as lowercase hex without leading zeros, as stored here.
    Accepts an int, or hex as certificate viewers show it ("0A:1B:…", "0a 1b", "0x0a1b")."""
    if isinstance(value, int):
        return format(value, "x")
    text = re.sub(r"[\s:]", "", str(value).lower()).removeprefix("0x").lstrip("0") or "0"
    if not SERIAL_HEX.match(text):
        raise ValidationError(_("Enter the serial number in hexadecimal (up to 40 digits)."), code="serial")
    return text


def load_ca_certificate(pem: str) -> x509.Certificate:
    """The CA certificate in `pem`, or ValidationError saying what is wrong with it."""
    try:
        certificate = x509.load_pem_x509_certificate(pem.strip().encode())
    except ValueError:
        raise ValidationError(_("This is not a PEM-encoded X.509 certificate."), code="not_pem") from None
    try:
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise ValidationError(
            _("This certificate is not a CA certificate (basic constraints CA:TRUE)."), code="not_ca"
        )
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not (usage.key_cert_sign and usage.crl_sign):
        raise ValidationError(
            _("The CA certificate's key usage must allow signing certificates and revocation lists."),
            code="ca_key_usage",
        )
    return certificate


def validate_ca_certificate_pem(value: str) -> None:
    load_ca_certificate(value)


class Issuer(models.Model):
    """A CA that issues person certificates on smartcards, such as Buypass Class 3."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    certificate_pem = models.TextField(_("CA certificate (PEM)"), validators=[validate_ca_certificate_pem])
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("person certificate issuer")
        verbose_name_plural = _("person certificate issuers")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.get_provider_display()})"

    def ca_certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem.strip().encode())


class RevocationList(models.Model):
    """A certificate revocation list (CRL) from an issuer, its signature checked on upload. It is
    current from thisUpdate until nextUpdate; with none current, the issuer's cards are refused."""

    issuer = models.ForeignKey(
        Issuer, on_delete=models.CASCADE, related_name="revocation_lists", verbose_name=_("issuer")
    )
    this_update = models.DateTimeField(_("issued (thisUpdate)"))
    next_update = models.DateTimeField(_("next update (nextUpdate)"))
    crl_number = models.CharField(_("CRL number"), max_length=50, blank=True)
    revoked_count = models.PositiveIntegerField(_("revoked certificates"))
    der = models.BinaryField(_("the list (DER)"))
    uploaded_by = models.CharField(_("uploaded by"), max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate revocation list")
        verbose_name_plural = _("certificate revocation lists")
        ordering = ["-this_update"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "this_update"], name="smartkort_crl_once"),
            models.CheckConstraint(
                condition=models.Q(next_update__gt=models.F("this_update")), name="smartkort_crl_dates"
            ),
        ]

    def __str__(self):
        return f"{self.issuer.name}: {self.this_update:%Y-%m-%d %H:%M}"


class RevokedSerial(models.Model):
    """One entry of a revocation list, kept so that a login looks up one row, not the whole list."""

    revocation_list = models.ForeignKey(RevocationList, on_delete=models.CASCADE, related_name="revoked")
    serial = models.CharField(max_length=40)
    revoked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["revocation_list", "serial"], name="smartkort_revoked_once")
        ]


class CertificateMapping(models.Model):
    """A card whose certificate does not carry the identity number, registered to a person."""

    issuer = models.ForeignKey(
        Issuer, on_delete=models.CASCADE, related_name="mappings", verbose_name=_("issuer")
    )
    serial = models.CharField(_("certificate serial number (hex)"), max_length=40)
    identity_number = models.CharField(
        _("identity number"), max_length=11, validators=[validate_identity_number]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("registered card certificate")
        verbose_name_plural = _("registered card certificates")
        ordering = ["issuer", "serial"]
        constraints = [models.UniqueConstraint(fields=["issuer", "serial"], name="smartkort_mapping_once")]

    def __str__(self):
        return f"{self.issuer.name} {self.serial}"


class LoginChallenge(models.Model):
    """A random nonce the card signs at login: for one login attempt in one browser session, at
    one origin, for one provider; used once and within five minutes."""

    nonce = models.CharField(max_length=64, unique=True)
    attempt_hash = models.CharField(max_length=64)
    origin = models.CharField(max_length=200)
    provider = models.CharField(max_length=20, choices=Provider.choices)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
