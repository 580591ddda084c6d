"""The population register (Folkeregisteret / DSF): one row per person."""

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from folkeregister.identity import Kind, validate_identity_number
from folkeregister.postal import validate_postnummer


class Status(models.TextChoices):
    BOSATT = "bosatt", _("Resident")
    UTFLYTTET = "utflyttet", _("Emigrated")
    DOED = "doed", _("Deceased")
    FORSVUNNET = "forsvunnet", _("Missing")
    MIDLERTIDIG = "midlertidig", _("Temporary (D-number)")
    IKKE_BOSATT = "ikke_bosatt", _("Not resident")
    OPPHOERT = "opphoert", _("Discontinued")


class AddressProtection(models.TextChoices):
    UGRADERT = "ugradert", _("Not protected")
    FORTROLIG = "fortrolig", _("Confidential (fortrolig)")
    STRENGT_FORTROLIG = "strengt_fortrolig", _("Strictly confidential (strengt fortrolig)")


class NumberKind(models.TextChoices):
    FODSELSNUMMER = Kind.FODSELSNUMMER, _("Fødselsnummer")
    D_NUMMER = Kind.D_NUMMER, _("D-nummer")
    H_NUMMER = Kind.H_NUMMER, _("H-nummer")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "", _("Not encoded")


def join_name(given_name: str, middle_name: str, family_name: str) -> str:
    return " ".join(part for part in (given_name, middle_name, family_name) if part)


ADDRESS_FIELDS = ("street", "house_number", "house_letter", "postal_code", "postal_town", "municipality")


class Person(models.Model):
    identity_number = models.CharField(
        _("identity number"), max_length=11, unique=True, validators=[validate_identity_number]
    )
    number_kind = models.CharField(
        _("kind of number"), max_length=3, choices=NumberKind.choices, default=NumberKind.FODSELSNUMMER
    )
    given_name = models.CharField(_("given name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BOSATT)
    status_date = models.DateField(_("status since"), null=True, blank=True)
    address_protection = models.CharField(
        _("address protection"),
        max_length=17,
        choices=AddressProtection.choices,
        default=AddressProtection.UGRADERT,
    )

    residential_street = models.CharField(_("street"), max_length=100, blank=True)
    residential_house_number = models.PositiveIntegerField(_("house number"), null=True, blank=True)
    residential_house_letter = models.CharField(_("house letter"), max_length=2, blank=True)
    residential_postal_code = models.CharField(
        _("postnummer"), max_length=4, blank=True, validators=[validate_postnummer]
    )
    residential_postal_town = models.CharField(_("poststed"), max_length=60, blank=True)
    residential_municipality = models.CharField(_("municipality"), max_length=60, blank=True)

    # A postal address is registered only where it differs from the residential one.
    postal_street = models.CharField(_("street or PO box"), max_length=100, blank=True)
    postal_house_number = models.PositiveIntegerField(_("house number"), null=True, blank=True)
    postal_house_letter = models.CharField(_("house letter"), max_length=2, blank=True)
    postal_postal_code = models.CharField(
        _("postnummer"), max_length=4, blank=True, validators=[validate_postnummer]
    )
    postal_postal_town = models.CharField(_("poststed"), max_length=60, blank=True)
    postal_municipality = models.CharField(_("municipality"), max_length=60, blank=True)

    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(Upper("family_name"), Upper("given_name"), name="person_name_upper"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(sex__in=["F", "M", ""]), name="person_sex_valid"),
            models.CheckConstraint(
                condition=models.Q(identity_number__regex=r"^[0-9]{11}$"),
                name="person_identity_number_digits",
            ),
        ]
        permissions = [
            ("view_protected_address", _("Can see and change protected addresses")),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.identity_number[:6]}*****)"

    @property
    def full_name(self) -> str:
        return join_name(self.given_name, self.middle_name, self.family_name)

    @property
    def is_address_protected(self) -> bool:
        return self.address_protection != AddressProtection.UGRADERT
