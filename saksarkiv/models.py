"""The case archive, after the Noark 5 standard's entities and code lists: arkiv → arkivdel →
klassifikasjonssystem/klasse → saksmappe → journalpost → korrespondansepart, and
dokumentbeskrivelse → dokumentobjekt (the file, in versions). One archive per organisation.

Finalised records (a journal post from "ferdigstilt" on, a closed case) are not changed in
place: documents get new versions, and every change is in the audit trail."""

import functools
import operator
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage
from virksomheter.models import Organisation


class Dokumentmedium(models.TextChoices):
    FYSISK = "F", _("Physical medium")
    ELEKTRONISK = "E", _("Electronic archive")
    BLANDET = "B", _("Mixed physical and electronic archive")


class Arkiv(models.Model):
    class Status(models.TextChoices):
        OPPRETTET = "O", _("Created")
        AVSLUTTET = "A", _("Closed")

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="arkiv"
    )
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tittel = models.CharField(_("title"), max_length=200)
    beskrivelse = models.TextField(_("description"), blank=True)
    arkivstatus = models.CharField(
        _("status"), max_length=1, choices=Status.choices, default=Status.OPPRETTET
    )
    dokumentmedium = models.CharField(
        _("document medium"), max_length=1, choices=Dokumentmedium.choices, default=Dokumentmedium.ELEKTRONISK
    )
    opprettet_dato = models.DateTimeField(_("created"), auto_now_add=True)
    opprettet_av = models.CharField(_("created by"), max_length=150, blank=True)
    avsluttet_dato = models.DateTimeField(_("closed"), null=True, blank=True)
    avsluttet_av = models.CharField(_("closed by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("archive")
        verbose_name_plural = _("archives")

    def __str__(self):
        return self.tittel


class Arkivskaper(models.Model):
    """The body that created the archive: the organisation itself, or one it took over."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="arkivskapere"
    )
    # Registered before the archive exists (the service interface's arkivstruktur/ny-arkivskaper), a creator
    # has no archive yet; the archive, once made, takes the organisation's creators.
    arkiv = models.ForeignKey(
        Arkiv, on_delete=models.CASCADE, related_name="arkivskapere", null=True, blank=True
    )
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    arkivskaper_id = models.CharField(_("creator ID"), max_length=50)
    arkivskaper_navn = models.CharField(_("creator name"), max_length=200)
    beskrivelse = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("archive creator")
        verbose_name_plural = _("archive creators")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "arkivskaper_id"], name="unique_arkivskaper_id")
        ]

    def __str__(self):
        return self.arkivskaper_navn


class Kassasjon(models.Model):
    """Disposal: whether the records are kept or destroyed, by what authority, and when."""

    class Vedtak(models.TextChoices):
        BEVARES = "B", _("Keep")
        KASSERES = "K", _("Dispose")
        VURDERES = "G", _("Assess later")

    kassasjonsvedtak = models.CharField(_("disposal decision"), max_length=1, choices=Vedtak.choices)
    kassasjonshjemmel = models.CharField(_("disposal authority"), max_length=200, blank=True)
    bevaringstid = models.PositiveSmallIntegerField(_("retention period (years)"))
    kassasjonsdato = models.DateField(_("disposal date"), null=True, blank=True)

    class Meta:
        verbose_name = _("disposal")
        verbose_name_plural = _("disposals")

    def __str__(self):
        return f"{self.get_kassasjonsvedtak_display()} ({self.bevaringstid})"


class Gradering(models.Model):
    """Security classification under the Security Act or the protection instruction."""

    class Grad(models.TextChoices):
        STRENGT_HEMMELIG = "SH", _("Top secret (security grade)")
        HEMMELIG = "H", _("Secret (security grade)")
        KONFIDENSIELT = "K", _("Confidential (security grade)")
        BEGRENSET = "B", _("Restricted (security grade)")
        FORTROLIG = "F", _("Confidential (protection grade)")
        STRENGT_FORTROLIG = "SF", _("Strictly confidential (protection grade)")

    grad = models.CharField(_("grade"), max_length=2, choices=Grad.choices)
    graderingsdato = models.DateTimeField(_("graded"))
    gradert_av = models.CharField(_("graded by"), max_length=150)
    nedgraderingsdato = models.DateTimeField(_("downgraded"), null=True, blank=True)
    nedgradert_av = models.CharField(_("downgraded by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("security classification")
        verbose_name_plural = _("security classifications")

    def __str__(self):
        return self.get_grad_display()


class Arkivdel(models.Model):
    class Status(models.TextChoices):
        AKTIV = "A", _("Active period")
        OVERLAPPING = "O", _("Overlapping period")
        AVSLUTTET = "P", _("Closed period")
        UAKTUELLE = "U", _("Inactive folders moved to a new period")

    arkiv = models.ForeignKey(
        Arkiv, verbose_name=_("archive"), on_delete=models.PROTECT, related_name="arkivdeler"
    )
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tittel = models.CharField(_("title"), max_length=200)
    beskrivelse = models.TextField(_("description"), blank=True)
    arkivdelstatus = models.CharField(_("status"), max_length=1, choices=Status.choices, default=Status.AKTIV)
    dokumentmedium = models.CharField(
        _("document medium"), max_length=1, choices=Dokumentmedium.choices, default=Dokumentmedium.ELEKTRONISK
    )
    klassifikasjonssystem = models.ForeignKey(
        "Klassifikasjonssystem",
        verbose_name=_("primary classification system"),
        on_delete=models.PROTECT,
        null=True,
    )
    sekundaere_klassifikasjonssystemer = models.ManyToManyField(
        "Klassifikasjonssystem",
        verbose_name=_("secondary classification systems"),
        related_name="sekundaer_for",
        blank=True,
    )
    arkivperiode_start = models.DateField(_("period start"))
    arkivperiode_slutt = models.DateField(_("period end"), null=True, blank=True)
    # The period before this one (periodisering): its open cases move here when it closes.
    referanse_forloeper = models.OneToOneField(
        "self",
        verbose_name=_("predecessor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referanse_arvtaker",
    )
    kassasjon = models.ForeignKey(
        Kassasjon, verbose_name=_("disposal"), on_delete=models.PROTECT, null=True, blank=True
    )
    opprettet_dato = models.DateTimeField(_("created"), default=timezone.now)
    opprettet_av = models.CharField(_("created by"), max_length=150, blank=True)
    avsluttet_dato = models.DateTimeField(_("closed"), null=True, blank=True)
    avsluttet_av = models.CharField(_("closed by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("archive part")
        verbose_name_plural = _("archive parts")
        ordering = ["-arkivperiode_start"]

    def __str__(self):
        return self.tittel


class Klassifikasjonssystem(models.Model):
    class Type(models.TextChoices):
        GBN = "GBN", _("Farm and property number")
        FUNKSJON = "FH", _("Function-based, hierarchical")
        EMNE = "EH", _("Subject-based hierarchical key")
        EMNE_ETT_NIVAA = "E1", _("Subject-based, one level")
        K_KODER = "KK", _("K codes")
        MANGEFASETTERT = "MF", _("Multi-faceted, not hierarchical")
        OBJEKT = "UO", _("Object-based")
        FOEDSELSNUMMER = "PNR", _("National identity number")

    arkiv = models.ForeignKey(Arkiv, on_delete=models.PROTECT, related_name="klassifikasjonssystemer")
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tittel = models.CharField(_("title"), max_length=200)
    beskrivelse = models.TextField(_("description"), blank=True)
    klassifikasjonstype = models.CharField(_("type"), max_length=3, choices=Type.choices, default=Type.EMNE)
    opprettet_dato = models.DateTimeField(_("created"), default=timezone.now)
    opprettet_av = models.CharField(_("created by"), max_length=150, blank=True)
    avsluttet_dato = models.DateTimeField(_("closed"), null=True, blank=True)
    avsluttet_av = models.CharField(_("closed by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("classification system")
        verbose_name_plural = _("classification systems")

    def __str__(self):
        return self.tittel


class Klasse(models.Model):
    klassifikasjonssystem = models.ForeignKey(
        Klassifikasjonssystem, on_delete=models.PROTECT, related_name="klasser"
    )
    # A class under another in a hierarchical key (K-koder: 233 under 23 under 2).
    forelder = models.ForeignKey(
        "self", verbose_name=_("parent class"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="underklasser",
    )  # fmt: skip
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    klasse_id = models.CharField(_("class ID"), max_length=50)
    tittel = models.CharField(_("title"), max_length=200)
    beskrivelse = models.TextField(_("description"), blank=True)
    kassasjon = models.ForeignKey(
        Kassasjon, verbose_name=_("disposal"), on_delete=models.PROTECT, null=True, blank=True
    )
    # Secondary classes made on the fly (a gbnr, an identity number) are screened with the case.
    skjerming = models.ForeignKey(
        "Skjerming", verbose_name=_("screening"), on_delete=models.PROTECT, null=True, blank=True
    )
    opprettet_dato = models.DateTimeField(_("created"), default=timezone.now)
    opprettet_av = models.CharField(_("created by"), max_length=150, blank=True)
    avsluttet_dato = models.DateTimeField(_("closed"), null=True, blank=True)
    avsluttet_av = models.CharField(_("closed by"), max_length=150, blank=True)

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
    """Screening: the legal basis for keeping parts of a record out of the public journal, with
    the standard's codes for what is screened (skjermingMetadata) and for the document."""

    class Metadata(models.TextChoices):
        KLASSE_ID = "KID", _("Class ID")
        TITTEL_KLASSE = "TKL", _("Class title")
        TITTEL_MAPPE_FOERSTE_LINJE = "TM1", _("Case title except the first line")
        TITTEL_MAPPE_ORD = "TMO", _("Case title, selected words")
        NAVN_PART = "NPS", _("Names of parties to the case")
        TITTEL_REGISTRERING_FOERSTE_LINJE = "TR1", _("Journal post title except the first line")
        TITTEL_REGISTRERING_ORD = "TRO", _("Journal post title, selected words")
        NAVN_AVSENDER = "NA", _("Sender's name")
        NAVN_MOTTAKER = "NM", _("Recipient's name")
        TITTEL_DOKUMENT = "TD", _("Document title")
        MERKNADSTEKST = "MT", _("Remark text")
        MIDLERTIDIG = "M", _("Temporary screening")

    class Dokument(models.TextChoices):
        HELE = "H", _("The whole document")
        DELER = "D", _("Parts of the document")

    # Felles' earlier names for the screened fields, kept as aliases of the standard's codes.
    ALIASES = {
        "tittel": ("TMO", "TRO"),
        "korrespondansepart": ("NA", "NM", "NPS"),
    }

    tilgangsrestriksjon = models.CharField(_("access restriction code"), max_length=10)
    skjermingshjemmel = models.CharField(_("legal basis"), max_length=200)
    skjerming_metadata = models.JSONField(_("screened fields"), default=list)
    skjerming_dokument = models.CharField(
        _("document screening"), max_length=1, choices=Dokument.choices, blank=True
    )
    skjermingsvarighet = models.PositiveSmallIntegerField(
        _("screening period (years)"), null=True, blank=True
    )
    skjerming_opphoerer_dato = models.DateField(_("screening ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")

    def __str__(self):
        return self.skjermingshjemmel

    def screens(self, field: str) -> bool:
        """Whether the screening covers `field`: a standard code, or an alias of several."""
        return any(code in self.skjerming_metadata for code in self.codes_for(field))

    @classmethod
    def codes_for(cls, field: str) -> tuple[str, ...]:
        return (field, *cls.ALIASES.get(field, ()))


class Tilgangskode(models.Model):
    """An internal access code (Public 360's tilgangskode): records carrying it are seen only by their
    saksansvarlig, the members of the groups granted the code, and the organisation's archive leaders."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    kode = models.CharField(_("code"), max_length=10)
    navn = models.CharField(_("name"), max_length=100)
    # The public-law restriction the code stands for (tilgangsrestriksjon), for example "13".
    tilgangsrestriksjon = models.CharField(_("access restriction code"), max_length=10, blank=True)
    skjermingshjemmel = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")
        ordering = ["kode"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kode"], name="unique_tilgangskode")]

    def __str__(self):
        return f"{self.kode} {self.navn}"


class AdministrativEnhet(models.Model):
    """A unit of the organisation (a department, a section), in a hierarchy."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kortnavn = models.CharField(_("short name"), max_length=20)
    navn = models.CharField(_("name"), max_length=100)
    overordnet = models.ForeignKey(
        "self", verbose_name=_("parent unit"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="underenheter",
    )  # fmt: skip
    # The registry unit (journalenhet) that keeps this unit's journal.
    journalenhet = models.CharField(_("registry unit"), max_length=20, blank=True)
    aktiv = models.BooleanField(_("active"), default=True)
    opprettet_dato = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["navn"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kortnavn"], name="unique_enhet_kortnavn")
        ]

    def __str__(self):
        return self.navn


class Saksbehandler(models.Model):
    """A case handler: an admin user working for one organisation, in one administrative unit.
    An archive leader (arkivansvarlig) sees every record of the organisation, whatever its access code."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="saksbehandler",
    )
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    administrativ_enhet = models.ForeignKey(
        AdministrativEnhet,
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="saksbehandlere",
    )
    initialer = models.CharField(_("initials"), max_length=10)
    arkivleder = models.BooleanField(
        _("archive leader"),
        default=False,
        help_text=_("Sees every record of the organisation, whatever its access code, and makes deposits."),
    )

    class Meta:
        verbose_name = _("case handler")
        verbose_name_plural = _("case handlers")

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.initialer})"


class Tilgangsgruppe(models.Model):
    """An access group: its members see the records that carry the codes it grants."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    navn = models.CharField(_("name"), max_length=100)
    tilgangskoder = models.ManyToManyField(
        Tilgangskode, verbose_name=_("access codes"), related_name="grupper"
    )
    medlemmer = models.ManyToManyField(
        Saksbehandler, verbose_name=_("members"), related_name="tilgangsgrupper", blank=True
    )

    class Meta:
        verbose_name = _("access group")
        verbose_name_plural = _("access groups")
        ordering = ["navn"]
        constraints = [models.UniqueConstraint(fields=["organisation", "navn"], name="unique_tilgangsgruppe")]

    def __str__(self):
        return self.navn


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
    sekundaerklasser = models.ManyToManyField(
        Klasse, verbose_name=_("secondary classes"), related_name="sekundaer_saksmapper", blank=True
    )
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    saksaar = models.PositiveSmallIntegerField(_("case year"))
    sakssekvensnummer = models.PositiveIntegerField(_("case sequence number"))
    tittel = models.CharField(_("title"), max_length=500)
    offentlig_tittel = models.CharField(_("public title"), max_length=500)
    beskrivelse = models.TextField(_("description"), blank=True)
    saksstatus = models.CharField(
        _("case status"), max_length=1, choices=Status.choices, default=Status.UNDER_BEHANDLING
    )
    saksdato = models.DateField(_("case date"))
    saksansvarlig = models.ForeignKey(
        Saksbehandler, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="saksmapper"
    )
    administrativ_enhet = models.ForeignKey(
        AdministrativEnhet,
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="saksmapper",
    )
    journalenhet = models.CharField(_("registry unit"), max_length=20, blank=True)
    tilgangskode = models.ForeignKey(
        Tilgangskode, verbose_name=_("access code"), on_delete=models.PROTECT, null=True, blank=True
    )
    skjerming = models.ForeignKey(
        Skjerming, verbose_name=_("screening"), on_delete=models.PROTECT, null=True, blank=True
    )
    kassasjon = models.ForeignKey(
        Kassasjon, verbose_name=_("disposal"), on_delete=models.PROTECT, null=True, blank=True
    )
    gradering = models.ForeignKey(
        Gradering, verbose_name=_("security classification"), on_delete=models.PROTECT, null=True, blank=True
    )
    opprettet_dato = models.DateTimeField(_("created"), auto_now_add=True)
    opprettet_av = models.CharField(_("created by"), max_length=150, blank=True)
    avsluttet_dato = models.DateTimeField(_("closed"), null=True, blank=True)
    avsluttet_av = models.CharField(_("closed by"), max_length=150, blank=True)

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
        NOTAT_UTEN_OPPFOELGING = "X", _("Internal memo without follow-up")
        SAKSFRAMLEGG = "S", _("Case presentation")

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
    forfallsdato = models.DateField(_("due date"), null=True, blank=True)
    saksbehandler = models.ForeignKey(Saksbehandler, verbose_name=_("case handler"), on_delete=models.PROTECT)
    administrativ_enhet = models.ForeignKey(
        AdministrativEnhet,
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journalposter",
    )
    journalenhet = models.CharField(_("registry unit"), max_length=20, blank=True)
    tilgangskode = models.ForeignKey(
        Tilgangskode, verbose_name=_("access code"), on_delete=models.PROTECT, null=True, blank=True
    )
    skjerming = models.ForeignKey(
        Skjerming, verbose_name=_("screening"), on_delete=models.PROTECT, null=True, blank=True
    )
    kassasjon = models.ForeignKey(
        Kassasjon, verbose_name=_("disposal"), on_delete=models.PROTECT, null=True, blank=True
    )
    gradering = models.ForeignKey(
        Gradering, verbose_name=_("security classification"), on_delete=models.PROTECT, null=True, blank=True
    )
    brevmal = models.ForeignKey(
        "Brevmal", verbose_name=_("letter template"), on_delete=models.PROTECT, null=True, blank=True
    )
    # Whether the persons among the parties are named in the public journal: the handler's decision
    # (True), decided when filed (False: a reply to a mass dispatch), or by the rule (None: named
    # unless it is a mass dispatch). See saksarkiv.services.public.
    offentlig_med_navn = models.BooleanField(_("public with names"), null=True, blank=True, default=None)
    opprettet_dato = models.DateTimeField(_("created"), auto_now_add=True)
    opprettet_av = models.CharField(_("created by"), max_length=150, blank=True)
    arkivert_dato = models.DateTimeField(_("archived"), null=True, blank=True)
    arkivert_av = models.CharField(_("archived by"), max_length=150, blank=True)

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


class Avskrivning(models.Model):
    """How an incoming (or internal, followed-up) journal post was written off: by the outgoing post
    that answers it, or with a code (taken into account, taken for information...)."""

    class Maate(models.TextChoices):
        BESVART_MED_BREV = "BU", _("Answered by letter")
        BESVART_MED_EPOST = "BE", _("Answered by e-mail")
        BESVART_PAA_TELEFON = "TLF", _("Answered by telephone")
        TATT_TIL_ETTERRETNING = "TE", _("Taken into account")
        TATT_TIL_ORIENTERING = "TO", _("Taken for information")
        BESVART_MED_NOTAT = "BN", _("Answered by memo")
        SAKEN_AVSLUTTET = "SA", _("The case was closed")

    journalpost = models.ForeignKey(Journalpost, on_delete=models.CASCADE, related_name="avskrivninger")
    avskrivningsmaate = models.CharField(_("write-off method"), max_length=3, choices=Maate.choices)
    avskrivningsdato = models.DateField(_("written off"))
    avskrevet_av = models.CharField(_("written off by"), max_length=150)
    referanse_avskrives_av_journalpost = models.ForeignKey(
        Journalpost,
        verbose_name=_("written off by journal post"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="avskriver",
    )

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        constraints = [
            models.UniqueConstraint(fields=["journalpost"], name="one_avskrivning_per_journalpost"),
        ]

    def __str__(self):
        return self.get_avskrivningsmaate_display()


class Korrespondansepart(models.Model):
    class Type(models.TextChoices):
        AVSENDER = "EA", _("Sender")
        MOTTAKER = "EM", _("Recipient")
        KOPIMOTTAKER = "EK", _("Copy recipient")
        GRUPPEMOTTAKER = "GM", _("Group recipient")
        INTERN_AVSENDER = "IA", _("Internal sender")
        INTERN_MOTTAKER = "IM", _("Internal recipient")
        INTERN_KOPIMOTTAKER = "IK", _("Internal copy recipient")
        MEDAVSENDER = "IS", _("Co-sender")

    INTERNAL = (Type.INTERN_AVSENDER, Type.INTERN_MOTTAKER, Type.INTERN_KOPIMOTTAKER, Type.MEDAVSENDER)

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
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    korrespondanseparttype = models.CharField(_("type"), max_length=2, choices=Type.choices)
    # A person (identity number), an organisation (organisation number), or a party typed in by name
    # and postal address; internal parties name a case handler or a unit of the organisation.
    foedselsnummer = models.CharField(_("identity number"), max_length=11, blank=True)
    organisasjonsnummer = models.CharField(_("organisation number"), max_length=9, blank=True)
    navn = models.CharField(_("name"), max_length=200)
    # Never filled for a person with a protected address: only that it is protected.
    postadresse = models.JSONField(_("postal address"), default=list, blank=True)
    postnummer = models.CharField(_("postal code"), max_length=10, blank=True)
    poststed = models.CharField(_("postal town"), max_length=100, blank=True)
    land = models.CharField(_("country"), max_length=2, blank=True)
    epostadresse = models.EmailField(_("e-mail"), blank=True)
    telefonnummer = models.CharField(_("telephone"), max_length=20, blank=True)
    kontaktperson = models.CharField(_("contact person"), max_length=200, blank=True)
    saksbehandler = models.ForeignKey(
        Saksbehandler, verbose_name=_("case handler"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    administrativ_enhet = models.ForeignKey(
        AdministrativEnhet, verbose_name=_("administrative unit"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    adresse_beskyttet = models.BooleanField(_("protected address"), default=False)
    forsendelse_id = models.UUIDField(_("digital post letter"), null=True, blank=True)
    ekspedering = models.CharField(_("dispatch"), max_length=10, choices=Ekspedering.choices, blank=True)
    ekspedering_aarsak = models.CharField(_("dispatch reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("correspondence party")
        verbose_name_plural = _("correspondence parties")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(foedselsnummer="") | models.Q(organisasjonsnummer=""),
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

    class Dokumenttype(models.TextChoices):
        BREV = "B", _("Letter")
        RUNDSKRIV = "R", _("Circular")
        FAKTURA = "F", _("Invoice")
        ORDREBEKREFTELSE = "O", _("Order confirmation")

    journalpost = models.ForeignKey(Journalpost, on_delete=models.CASCADE, related_name="dokumenter")
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dokumentnummer = models.PositiveSmallIntegerField(_("document number"))
    tilknyttet_registrering_som = models.CharField(_("linked as"), max_length=1, choices=Tilknytning.choices)
    dokumenttype = models.CharField(
        _("document type"), max_length=1, choices=Dokumenttype.choices, default=Dokumenttype.BREV
    )
    tittel = models.CharField(_("title"), max_length=500)
    dokumentstatus = models.CharField(
        _("status"), max_length=1, choices=Status.choices, default=Status.UNDER_REDIGERING
    )
    forfatter = models.CharField(_("author"), max_length=200, blank=True)
    opprettet_dato = models.DateTimeField(_("created"), auto_now_add=True)
    opprettet_av = models.CharField(_("created by"), max_length=150, blank=True)
    tilknyttet_dato = models.DateTimeField(_("linked"), default=timezone.now)
    tilknyttet_av = models.CharField(_("linked by"), max_length=150, blank=True)
    skjerming = models.ForeignKey(
        Skjerming, verbose_name=_("screening"), on_delete=models.PROTECT, null=True, blank=True
    )

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
        SKJERMET = "O", _("Document with parts of its content screened")

    dokumentbeskrivelse = models.ForeignKey(
        Dokumentbeskrivelse, on_delete=models.CASCADE, related_name="versjoner"
    )
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    versjonsnummer = models.PositiveSmallIntegerField(_("version"))
    variantformat = models.CharField(
        _("variant"), max_length=1, choices=Variantformat.choices, default=Variantformat.ARKIV
    )
    # A PRONOM identifier, as the standard's format list names them (fmt/95 is PDF/A-1a, fmt/354
    # PDF/A-1b, fmt/476 PDF/A-2a, fmt/477 PDF/A-2b...); formatDetaljer says more where needed.
    format = models.CharField(_("format"), max_length=20, blank=True)
    format_detaljer = models.CharField(_("format details"), max_length=200, blank=True)
    sjekksum = models.CharField(_("checksum (SHA-256)"), max_length=64, blank=True)
    filstoerrelse = models.PositiveIntegerField(_("file size"), null=True, blank=True)
    filnavn = models.CharField(_("file name"), max_length=200, blank=True)
    # Empty while the object waits for its file: the service interface creates a dokumentobjekt first
    # (ny-dokumentobjekt) and uploads its file after (chapter 6, "Hente og overføre filer").
    fil = models.FileField(storage=private_storage, upload_to="saksarkiv/%Y/%m/", blank=True)
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


def exactly_one(*fields: str) -> models.Q:
    """One of the foreign keys is set and the others are empty: a row that belongs to one record."""
    return functools.reduce(
        operator.or_, (models.Q(**{f"{f}__isnull": f != chosen for f in fields}) for chosen in fields)
    )


class Merknad(models.Model):
    """A remark from a case handler, a manager or the archive on a case, a journal post or a document."""

    class Type(models.TextChoices):
        SAKSBEHANDLER = "MS", _("Remark from case handler")
        LEDER = "ML", _("Remark from manager")
        ARKIVANSVARLIG = "MA", _("Remark from archive manager")

    saksmappe = models.ForeignKey(
        Saksmappe, on_delete=models.CASCADE, null=True, blank=True, related_name="merknader"
    )
    journalpost = models.ForeignKey(
        Journalpost, on_delete=models.CASCADE, null=True, blank=True, related_name="merknader"
    )
    dokumentbeskrivelse = models.ForeignKey(
        Dokumentbeskrivelse, on_delete=models.CASCADE, null=True, blank=True, related_name="merknader"
    )
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    merknadstekst = models.TextField(_("remark"))
    merknadstype = models.CharField(_("type"), max_length=2, choices=Type.choices, default=Type.SAKSBEHANDLER)
    merknadsdato = models.DateTimeField(_("registered"), default=timezone.now)
    merknad_registrert_av = models.CharField(_("registered by"), max_length=150)

    class Meta:
        verbose_name = _("remark")
        verbose_name_plural = _("remarks")
        ordering = ["merknadsdato"]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one("saksmappe", "journalpost", "dokumentbeskrivelse"),
                name="merknad_on_one_record",
            )
        ]

    def __str__(self):
        return self.merknadstekst[:80]


class Kryssreferanse(models.Model):
    """A cross-reference from a case or journal post to another case, journal post or class."""

    fra_saksmappe = models.ForeignKey(
        Saksmappe, on_delete=models.CASCADE, null=True, blank=True, related_name="kryssreferanser"
    )
    fra_journalpost = models.ForeignKey(
        Journalpost, on_delete=models.CASCADE, null=True, blank=True, related_name="kryssreferanser"
    )
    til_saksmappe = models.ForeignKey(
        Saksmappe,
        verbose_name=_("to case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    til_journalpost = models.ForeignKey(
        Journalpost, verbose_name=_("to journal post"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    til_klasse = models.ForeignKey(
        Klasse, verbose_name=_("to class"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    opprettet_dato = models.DateTimeField(_("created"), default=timezone.now)
    opprettet_av = models.CharField(_("created by"), max_length=150)

    class Meta:
        verbose_name = _("cross-reference")
        verbose_name_plural = _("cross-references")
        constraints = [
            models.CheckConstraint(
                condition=exactly_one("fra_saksmappe", "fra_journalpost"),
                name="kryssreferanse_from_one_record",
            ),
            models.CheckConstraint(
                condition=exactly_one("til_saksmappe", "til_journalpost", "til_klasse"),
                name="kryssreferanse_to_one_record",
            ),
        ]


class Presedens(models.Model):
    """A precedent: a decision that later cases are to follow, with its legal basis."""

    class Status(models.TextChoices):
        GJELDENDE = "G", _("In force")
        FORELDET = "F", _("Obsolete")

    arkiv = models.ForeignKey(Arkiv, on_delete=models.PROTECT, related_name="presedenser")
    system_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    presedens_dato = models.DateField(_("precedent date"))
    tittel = models.CharField(_("title"), max_length=500)
    beskrivelse = models.TextField(_("description"), blank=True)
    presedens_hjemmel = models.CharField(_("legal basis"), max_length=200, blank=True)
    rettskildefaktor = models.CharField(_("source of law"), max_length=200)
    presedens_godkjent_dato = models.DateField(_("approved"), null=True, blank=True)
    presedens_godkjent_av = models.CharField(_("approved by"), max_length=150, blank=True)
    presedens_status = models.CharField(
        _("status"), max_length=1, choices=Status.choices, default=Status.GJELDENDE
    )
    saksmapper = models.ManyToManyField(
        Saksmappe, verbose_name=_("cases"), related_name="presedenser", blank=True
    )
    journalposter = models.ManyToManyField(
        Journalpost, verbose_name=_("journal posts"), related_name="presedenser", blank=True
    )
    opprettet_dato = models.DateTimeField(_("created"), default=timezone.now)
    opprettet_av = models.CharField(_("created by"), max_length=150)

    class Meta:
        verbose_name = _("precedent")
        verbose_name_plural = _("precedents")
        ordering = ["-presedens_dato"]

    def __str__(self):
        return self.tittel


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


class Kodeverdi(models.Model):
    """A value an organisation adds to one of the standard's code lists (the service interface's
    metadata/ny-<kodeliste>): its own document types, say. The standard's values are not stored, they are
    the code list itself."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    kodeliste = models.CharField(_("code list"), max_length=60)
    kode = models.CharField(_("code"), max_length=60)
    kodenavn = models.CharField(_("code name"), max_length=200)
    beskrivelse = models.TextField(_("description"), blank=True)
    inaktiv = models.BooleanField(_("inactive"), default=False)
    opprettet_dato = models.DateTimeField(_("created"), auto_now_add=True)
    opprettet_av = models.CharField(_("created by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("code value")
        verbose_name_plural = _("code values")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kodeliste", "kode"], name="unique_kodeverdi")
        ]

    def __str__(self):
        return f"{self.kodeliste}: {self.kode} {self.kodenavn}"
