"""The case archive, after the Noark 5 standard's entities and code lists: arkiv → arkivdel →
klassifikasjonssystem/klasse → saksmappe → journalpost → korrespondansepart, and
dokumentbeskrivelse → dokumentobjekt (the file, in versions). One archive per organisation.

Finalised records (a journal post from "ferdigstilt" on, a closed case) are not changed in
place: documents get new versions, and every change is in the audit trail."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage
from virksomheter.models import Organisation


class Arkiv(models.Model):
    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="arkiv"
    )
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tittel = models.CharField(_("title"), max_length=200)
    opprettet_dato = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("archive")
        verbose_name_plural = _("archives")

    def __str__(self):
        return self.tittel


class Arkivdel(models.Model):
    class Status(models.TextChoices):
        AKTIV = "A", _("Active period")
        OVERLAPPING = "O", _("Overlapping period")
        AVSLUTTET = "P", _("Closed period")

    arkiv = models.ForeignKey(
        Arkiv, verbose_name=_("archive"), on_delete=models.PROTECT, related_name="arkivdeler"
    )
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tittel = models.CharField(_("title"), max_length=200)
    arkivdelstatus = models.CharField(_("status"), max_length=1, choices=Status.choices, default=Status.AKTIV)
    klassifikasjonssystem = models.ForeignKey(
        "Klassifikasjonssystem", verbose_name=_("classification system"), on_delete=models.PROTECT, null=True
    )
    arkivperiode_start = models.DateField(_("period start"))
    arkivperiode_slutt = models.DateField(_("period end"), null=True, blank=True)

    class Meta:
        verbose_name = _("archive part")
        verbose_name_plural = _("archive parts")

    def __str__(self):
        return self.tittel


class Klassifikasjonssystem(models.Model):
    class Type(models.TextChoices):
        EMNE = "EH", _("Subject-based hierarchical key")
        FUNKSJON = "FU", _("Function-based key")
        GBN = "GBN", _("Farm and property number")

    arkiv = models.ForeignKey(Arkiv, on_delete=models.PROTECT, related_name="klassifikasjonssystemer")
    tittel = models.CharField(_("title"), max_length=200)
    klassifikasjonstype = models.CharField(_("type"), max_length=3, choices=Type.choices, default=Type.EMNE)

    class Meta:
        verbose_name = _("classification system")
        verbose_name_plural = _("classification systems")

    def __str__(self):
        return self.tittel


class Klasse(models.Model):
    klassifikasjonssystem = models.ForeignKey(
        Klassifikasjonssystem, on_delete=models.PROTECT, related_name="klasser"
    )
    klasse_id = models.CharField(_("class ID"), max_length=50)
    tittel = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["klasse_id"]
        constraints = [
            models.UniqueConstraint(fields=["klassifikasjonssystem", "klasse_id"], name="unique_klasse_id")
        ]

    def __str__(self):
        return f"{self.klasse_id} {self.tittel}"


class Skjerming(models.Model):
    """Screening: the legal basis for keeping parts of a record out of the public journal."""

    class Metadata(models.TextChoices):
        TITTEL = "tittel", _("title")
        KORRESPONDANSEPART = "korrespondansepart", _("correspondence parties' names")

    tilgangsrestriksjon = models.CharField(_("access restriction code"), max_length=10)
    skjermingshjemmel = models.CharField(_("legal basis"), max_length=200)
    skjerming_metadata = models.JSONField(_("screened fields"), default=list)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")

    def __str__(self):
        return self.skjermingshjemmel

    def screens(self, field: str) -> bool:
        return field in self.skjerming_metadata


class Saksbehandler(models.Model):
    """A case handler: an admin user working for one organisation, in one administrative unit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="saksbehandler",
    )
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    administrativ_enhet = models.CharField(_("administrative unit"), max_length=100, blank=True)
    initialer = models.CharField(_("initials"), max_length=10)

    class Meta:
        verbose_name = _("case handler")
        verbose_name_plural = _("case handlers")

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.initialer})"


class Saksmappe(models.Model):
    class Status(models.TextChoices):
        UNDER_BEHANDLING = "B", _("Under treatment")
        AVSLUTTET = "A", _("Closed")
        UTGAAR = "U", _("Void")

    arkivdel = models.ForeignKey(
        Arkivdel, verbose_name=_("archive part"), on_delete=models.PROTECT, related_name="saksmapper"
    )
    klasse = models.ForeignKey(
        Klasse, verbose_name=_("class"), on_delete=models.PROTECT, null=True, blank=True
    )
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    saksaar = models.PositiveSmallIntegerField(_("case year"))
    sakssekvensnummer = models.PositiveIntegerField(_("case sequence number"))
    tittel = models.CharField(_("title"), max_length=500)
    offentlig_tittel = models.CharField(_("public title"), max_length=500)
    saksstatus = models.CharField(
        _("case status"), max_length=1, choices=Status.choices, default=Status.UNDER_BEHANDLING
    )
    saksdato = models.DateField(_("case date"))
    saksansvarlig = models.ForeignKey(
        Saksbehandler, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="saksmapper"
    )
    administrativ_enhet = models.CharField(_("administrative unit"), max_length=100, blank=True)
    skjerming = models.ForeignKey(
        Skjerming, verbose_name=_("screening"), on_delete=models.PROTECT, null=True, blank=True
    )
    opprettet_dato = models.DateTimeField(_("created"), auto_now_add=True)
    avsluttet_dato = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-saksaar", "-sakssekvensnummer"]
        constraints = [
            models.UniqueConstraint(
                fields=["arkivdel", "saksaar", "sakssekvensnummer"], name="unique_saksnummer"
            )
        ]

    def __str__(self):
        return f"{self.saksnummer} {self.tittel}"

    @property
    def saksnummer(self) -> str:
        return f"{self.saksaar}/{self.sakssekvensnummer}"


class Journalpost(models.Model):
    class Type(models.TextChoices):
        INNGAAENDE = "I", _("Incoming document")
        UTGAAENDE = "U", _("Outgoing document")
        NOTAT = "N", _("Internal memo")

    class Status(models.TextChoices):
        # In the order a journal post normally goes through them.
        RESERVERT = "R", _("Reserved document")
        MIDLERTIDIG = "M", _("Temporarily registered")
        REGISTRERT = "S", _("Registered by case handler")
        FERDIGSTILT = "F", _("Finalised by case handler")
        GODKJENT = "G", _("Approved by manager")
        EKSPEDERT = "E", _("Dispatched")
        JOURNALFOERT = "J", _("Journalised")
        ARKIVERT = "A", _("Archived")
        UTGAAR = "U", _("Void")

    saksmappe = models.ForeignKey(
        Saksmappe, verbose_name=_("case"), on_delete=models.PROTECT, related_name="journalposter"
    )
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    journalaar = models.PositiveSmallIntegerField(_("journal year"))
    journalsekvensnummer = models.PositiveIntegerField(_("journal sequence number"))
    journalpostnummer = models.PositiveIntegerField(_("number in the case"))
    journalposttype = models.CharField(_("type"), max_length=1, choices=Type.choices)
    journalstatus = models.CharField(
        _("journal status"), max_length=1, choices=Status.choices, default=Status.RESERVERT
    )
    tittel = models.CharField(_("title"), max_length=500)
    offentlig_tittel = models.CharField(_("public title"), max_length=500)
    dokumentdato = models.DateField(_("document date"))
    journaldato = models.DateField(_("journal date"))
    mottatt_dato = models.DateTimeField(_("received"), null=True, blank=True)
    sendt_dato = models.DateTimeField(_("sent"), null=True, blank=True)
    saksbehandler = models.ForeignKey(Saksbehandler, verbose_name=_("case handler"), on_delete=models.PROTECT)
    skjerming = models.ForeignKey(
        Skjerming, verbose_name=_("screening"), on_delete=models.PROTECT, null=True, blank=True
    )
    brevmal = models.ForeignKey(
        "Brevmal", verbose_name=_("letter template"), on_delete=models.PROTECT, null=True, blank=True
    )
    # Whether the persons among the parties are named in the public journal: the handler's decision
    # (True), decided when filed (False: a reply to a mass dispatch), or by the rule (None: named
    # unless it is a mass dispatch). See saksarkiv.services.public.
    offentlig_med_navn = models.BooleanField(_("public with names"), null=True, blank=True, default=None)
    opprettet_dato = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("journal post")
        verbose_name_plural = _("journal posts")
        ordering = ["-journaldato", "-journalsekvensnummer"]
        constraints = [
            models.UniqueConstraint(
                fields=["saksmappe", "journalpostnummer"], name="unique_journalpostnummer_in_case"
            ),
        ]
        indexes = [
            models.Index(fields=["journalaar", "journalsekvensnummer"], name="journalpost_sequence"),
            models.Index(fields=["journalstatus", "journalposttype"], name="journalpost_status_type"),
            models.Index(fields=["-journaldato"], name="journalpost_newest"),
        ]

    def __str__(self):
        return f"{self.saksmappe.saksnummer}-{self.journalpostnummer} {self.tittel}"

    FINALISED = (Status.FERDIGSTILT, Status.GODKJENT, Status.EKSPEDERT, Status.JOURNALFOERT, Status.ARKIVERT)

    @property
    def is_finalised(self) -> bool:
        return self.journalstatus in self.FINALISED


class Korrespondansepart(models.Model):
    class Type(models.TextChoices):
        AVSENDER = "EA", _("Sender")
        MOTTAKER = "EM", _("Recipient")
        KOPIMOTTAKER = "EK", _("Copy recipient")

    class Ekspedering(models.TextChoices):
        IKKE_SENDT = "", _("Not sent")
        SENDT = "sendt", _("Handed to digital post")
        LEVERT = "levert", _("Delivered")
        AAPNET = "aapnet", _("Opened")
        PRINTET = "printet", _("Printed")
        FEILET = "feilet", _("Failed")

    journalpost = models.ForeignKey(
        Journalpost, on_delete=models.CASCADE, related_name="korrespondanseparter"
    )
    korrespondanseparttype = models.CharField(_("type"), max_length=2, choices=Type.choices)
    foedselsnummer = models.CharField(_("identity number"), max_length=11, blank=True)
    organisasjonsnummer = models.CharField(_("organisation number"), max_length=9, blank=True)
    navn = models.CharField(_("name"), max_length=200)
    # Never filled for a person with a protected address: only that it is protected.
    postadresse = models.JSONField(_("postal address"), default=list, blank=True)
    adresse_beskyttet = models.BooleanField(_("protected address"), default=False)
    forsendelse_id = models.UUIDField(_("digital post letter"), null=True, blank=True)
    ekspedering = models.CharField(_("dispatch"), max_length=10, choices=Ekspedering.choices, blank=True)
    ekspedering_aarsak = models.CharField(_("dispatch reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("correspondence party")
        verbose_name_plural = _("correspondence parties")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(foedselsnummer="") & ~models.Q(organisasjonsnummer=""))
                | (~models.Q(foedselsnummer="") & models.Q(organisasjonsnummer="")),
                name="party_is_a_person_or_an_organisation",
            )
        ]

    def __str__(self):
        return self.navn


class Dokumentbeskrivelse(models.Model):
    class Tilknytning(models.TextChoices):
        HOVEDDOKUMENT = "H", _("Main document")
        VEDLEGG = "V", _("Attachment")

    class Status(models.TextChoices):
        UNDER_REDIGERING = "B", _("Being edited")
        FERDIGSTILT = "F", _("Finalised")

    journalpost = models.ForeignKey(Journalpost, on_delete=models.CASCADE, related_name="dokumenter")
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dokumentnummer = models.PositiveSmallIntegerField(_("document number"))
    tilknyttet_registrering_som = models.CharField(_("linked as"), max_length=1, choices=Tilknytning.choices)
    tittel = models.CharField(_("title"), max_length=500)
    dokumentstatus = models.CharField(
        _("status"), max_length=1, choices=Status.choices, default=Status.UNDER_REDIGERING
    )
    opprettet_dato = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["dokumentnummer"]
        constraints = [
            models.UniqueConstraint(fields=["journalpost", "dokumentnummer"], name="unique_dokumentnummer"),
            models.UniqueConstraint(
                fields=["journalpost"],
                condition=models.Q(tilknyttet_registrering_som="H"),
                name="one_main_document",
            ),
        ]

    def __str__(self):
        return self.tittel


class Dokumentobjekt(models.Model):
    """One version of a document in one format: the file, with its checksum."""

    class Variantformat(models.TextChoices):
        PRODUKSJON = "P", _("Production format")
        ARKIV = "A", _("Archive format")

    dokumentbeskrivelse = models.ForeignKey(
        Dokumentbeskrivelse, on_delete=models.CASCADE, related_name="versjoner"
    )
    versjonsnummer = models.PositiveSmallIntegerField(_("version"))
    variantformat = models.CharField(
        _("variant"), max_length=1, choices=Variantformat.choices, default=Variantformat.ARKIV
    )
    format = models.CharField(_("format"), max_length=20, default="PDF")
    sjekksum = models.CharField(_("checksum (SHA-256)"), max_length=64)
    filstoerrelse = models.PositiveIntegerField(_("file size"))
    filnavn = models.CharField(_("file name"), max_length=200)
    fil = models.FileField(storage=private_storage, upload_to="saksarkiv/%Y/%m/")
    opprettet_dato = models.DateTimeField(_("created"), auto_now_add=True)
    opprettet_av = models.CharField(_("created by"), max_length=150)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["versjonsnummer"]
        constraints = [
            models.UniqueConstraint(
                fields=["dokumentbeskrivelse", "versjonsnummer", "variantformat"],
                name="unique_document_version",
            )
        ]


class JournalSequence(models.Model):
    """The next journal and case sequence numbers per archive and year, taken under a row lock."""

    arkiv = models.ForeignKey(Arkiv, on_delete=models.CASCADE)
    aar = models.PositiveSmallIntegerField()
    neste_saksnummer = models.PositiveIntegerField(default=1)
    neste_journalnummer = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["arkiv", "aar"], name="one_sequence_per_archive_and_year")
        ]


class Brevmal(models.Model):
    """A letter template: subject and body with fields like {{ mottaker_navn }} and {{ saksnummer }}."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    navn = models.CharField(_("name"), max_length=100)
    emne = models.CharField(_("subject"), max_length=300)
    tekst = models.TextField(_("body"))

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["navn"]
        constraints = [models.UniqueConstraint(fields=["organisation", "navn"], name="unique_template_name")]

    def __str__(self):
        return self.navn


class Innsynskrav(models.Model):
    """A request for access to a journal post, made from the public journal."""

    journalpost = models.ForeignKey(Journalpost, on_delete=models.CASCADE, related_name="innsynskrav")
    epost = models.EmailField(_("e-mail"))
    begrunnelse = models.TextField(_("reason"), blank=True)
    mottatt = models.DateTimeField(_("received"), auto_now_add=True)
    behandlet = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("request for access")
        verbose_name_plural = _("requests for access")
