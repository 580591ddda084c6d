"""Organisations that use Felles (as in Samarbeidsportalen): agencies, counties, municipalities."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from stdnum.no import orgnr

from core.phone import validate_phone_number

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def validate_organisasjonsnummer(value: str) -> None:
    if not orgnr.is_valid(value) or orgnr.compact(value) != value:
        raise ValidationError(
            _("Enter a valid organisasjonsnummer (9 digits)."), code="invalid_organisasjonsnummer"
        )


def validate_png(file) -> None:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(len(PNG_SIGNATURE))
    file.seek(position)
    if head != PNG_SIGNATURE:
        raise ValidationError(_("The logo must be a PNG image."), code="not_png")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        STATE_AGENCY = "state_agency", _("State agency")
        COUNTY = "county", _("County")
        MUNICIPALITY = "municipality", _("Municipality")
        OTHER_PUBLIC = "other_public", _("Other public body")

    organisasjonsnummer = models.CharField(
        _("organisasjonsnummer"), max_length=9, unique=True, validators=[validate_organisasjonsnummer]
    )
    name_nb = models.CharField(_("name (Bokmål)"), max_length=200)
    name_nn = models.CharField(_("name (Nynorsk)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    logo = models.FileField(_("logo (PNG)"), upload_to="logos/", blank=True, validators=[validate_png])
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("general e-mail"), blank=True)
    phone = models.CharField(
        _("general phone"), max_length=20, blank=True, validators=[validate_phone_number]
    )
    invoice_reference = models.CharField(_("invoice reference"), max_length=100, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_nb"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisasjonsnummer__regex=r"^[0-9]{9}$"),
                name="organisation_number_digits",
            ),
        ]

    def __str__(self):
        return f"{self.name_nb} ({self.organisasjonsnummer})"

    def display_name(self, language: str | None = None) -> str:
        """The name citizens see, in their language where the organisation has given one."""
        language = language or get_language() or "nb"
        return {"nn": self.name_nn, "en": self.name_en}.get(language[:2], "") or self.name_nb


# The terms of use an organisation must have accepted before any of its scopes can be used.
CURRENT_TERMS_VERSION = "2026-1"


def validate_ca_certificate_pem(value: str) -> None:
    from virksomheter.certificates import load_ca_certificate

    try:
        load_ca_certificate(value)
    except ValueError as error:
        raise ValidationError(str(error), code="invalid_ca_certificate") from None


def normalise_serial(value: str) -> str:
    """A certificate serial as lowercase hex without separators or leading zeros."""
    cleaned = value.strip().lower().replace(":", "").replace(" ", "").removeprefix("0x")
    return cleaned.lstrip("0") or "0"


class TrustedIssuer(models.Model):
    """A CA whose enterprise certificates (virksomhetssertifikat) are accepted, as Buypass or Commfides."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    certificate_pem = models.TextField(_("CA certificate (PEM)"), validators=[validate_ca_certificate_pem])
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("trusted certificate issuer")
        verbose_name_plural = _("trusted certificate issuers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class RevokedCertificate(models.Model):
    issuer = models.ForeignKey(
        TrustedIssuer, on_delete=models.CASCADE, related_name="revoked", verbose_name=_("issuer")
    )
    serial = models.CharField(_("serial number (hex)"), max_length=64)
    revoked_at = models.DateTimeField(_("revoked at"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("revoked certificate")
        verbose_name_plural = _("revoked certificates")
        ordering = ["-revoked_at"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "serial"], name="revoked_certificate_unique"),
        ]

    def __str__(self):
        return f"{self.serial} ({self.issuer})"

    def save(self, *args, **kwargs):
        self.serial = normalise_serial(self.serial)
        super().save(*args, **kwargs)


# Felles' first scope names, before it took Digdir's real ones (KRR) and prefixed its own;
# grants, tokens and APIs still accept them as aliases of the real name.
SCOPE_ALIASES = {
    "krr:kontaktinformasjon": "krr:global/kontaktinformasjon.read",
    "krr:digitalpost": "krr:global/digitalpost.read",
    "noark5:arkiv.les": "felles:noark5/arkiv.read",
    "noark5:arkiv.skriv": "felles:noark5/arkiv.write",
    "signering:oppdrag": "felles:signering/oppdrag",
}


class ScopeGrant(models.Model):
    """A scope an organisation's machines may ask Maskinporten for (stored by its real name)."""

    class Scope(models.TextChoices):
        KONTAKTINFORMASJON = "krr:global/kontaktinformasjon.read", _("KRR: contact information")
        DIGITALPOST = "krr:global/digitalpost.read", _("KRR: digital mailbox and certificate")
        DIGITAL_POST_SEND = "digitalpostinnbygger:send", _("Digital post: send letters to citizens")
        ARKIV_LES = (
            "felles:noark5/arkiv.read",
            _("Case archive (Noark 5): read cases, journal posts and documents"),
        )
        ARKIV_SKRIV = "felles:noark5/arkiv.write", _("Case archive (Noark 5): register, change and dispatch")
        SIGNERING = "felles:signering/oppdrag", _("Signing: ask citizens to sign documents")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="scope_grants", verbose_name=_("organisation")
    )
    scope = models.CharField(_("scope"), max_length=100, choices=Scope.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scope grant")
        verbose_name_plural = _("scope grants")
        ordering = ["scope"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "scope"], name="scope_grant_unique"),
        ]

    def __str__(self):
        return self.scope


class TermsAcceptance(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="terms_acceptances",
        verbose_name=_("organisation"),
    )
    version = models.CharField(_("terms version"), max_length=20)
    accepted_at = models.DateTimeField(_("accepted at"))

    class Meta:
        verbose_name = _("terms of use acceptance")
        verbose_name_plural = _("terms of use acceptances")
        ordering = ["-accepted_at"]

    def __str__(self):
        return f"{self.version} ({self.accepted_at:%Y-%m-%d})"


class UsedGrantJti(models.Model):
    """The jti of a JWT grant already used, kept until the grant would have expired anyway."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "jti"], name="used_grant_jti_unique"),
        ]

    def __str__(self):
        return self.jti
