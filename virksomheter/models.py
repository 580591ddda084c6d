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
