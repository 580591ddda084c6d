"""Requests and answers of the Noark 5 service interface (tjenestegrensesnitt), with the standard's
field names: codes as {"kode", "kodenavn"}, and `_links` to the record itself and its relations
(HATEOAS, keyed by the standard's rel URIs where it has one).

A request is refused (400, every such field named in field_errors) when it holds a field the request does
not take, nested objects too: an unknown name, but also a field of the answer that the archive sets itself
(systemID, journalstatus ...), since taking it silently would let a client believe it was stored. Only
`_links`, which an answer carries and a client may send back unchanged, is ignored: it is never data."""

from collections.abc import Mapping

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core.api import IdentityNumberField, StringField
from postkasse.models import Receipt
from saksarkiv import models
from saksarkiv.services.dispatch import DISPATCHABLE

REL = "https://rel.arkivverket.no/noark5/v5/api/arkivstruktur/"
# Cases and journal posts are the sakarkiv package's (the standard's rels, chapter 7 "Sakarkiv").
SAKARKIV_REL = "https://rel.arkivverket.no/noark5/v5/api/sakarkiv/"
CHECKSUM_ALGORITHM = "SHA-256"
MIME_TYPE = "application/pdf"


class KodeField(serializers.ChoiceField):
    """A Noark code: {"kode": "U", "kodenavn": "Utgående dokument"} out; that object or "U" alone in."""

    def to_representation(self, value):
        return {"kode": value, "kodenavn": str(self.choices.get(value, value))}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = data.get("kode")
        return super().to_internal_value(data)


class KodeFieldSchema(OpenApiSerializerFieldExtension):
    """The schema of a Noark code, with the field's own codes: the object out; in, the object or the code."""

    target_class = KodeField

    def map_serializer_field(self, auto_schema, direction):
        kode = {"type": "string", "enum": list(self.target.choices)}
        if direction == "response":
            return {
                "type": "object",
                "properties": {"kode": kode, "kodenavn": {"type": "string"}},
                "required": ["kode", "kodenavn"],
            }
        return {"oneOf": [kode, {"type": "object", "properties": {"kode": kode}, "required": ["kode"]}]}


class Href(serializers.Serializer):
    href = serializers.URLField()


LINKS_HELP = "Links to the record and its relations: {rel: {href}}."


@extend_schema_field(serializers.DictField(child=Href(), help_text=LINKS_HELP))
class LinksField(serializers.Field):
    """The record's `_links`, from its serializer's links()."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        return self.parent.links(record)


def link(request, name: str, *args) -> dict:
    return {"href": request.build_absolute_uri(reverse(f"noark5-{name}", args=args))}


# Answers' hypermedia, which a client may send back with the rest of what it got.
IGNORED_FIELDS = frozenset({"_links"})
# How many refused names one answer lists, each cut to this length: the problem names them, not echoes a body.
MAX_NAMED_FIELDS = 20
MAX_NAME_LENGTH = 100


def refuse_unknown(data, known=()) -> None:
    """A 400 naming every field of `data` that is not in `known` (nor ignored)."""
    if not isinstance(data, Mapping):
        return
    other = sorted(str(name) for name in set(data) - set(known) - IGNORED_FIELDS)
    if other:
        raise ValidationError(
            {name[:MAX_NAME_LENGTH]: [_("Unknown field.")] for name in other[:MAX_NAMED_FIELDS]},
            code="unknown_field",
        )


class Request(serializers.Serializer):
    """A request body (or a nested object of one) that refuses what it does not take."""

    refuses_other_fields = True

    def to_internal_value(self, data):
        refuse_unknown(data, self.fields)
        return super().to_internal_value(data)


class Skjerming(Request):
    tilgangsrestriksjon = StringField(max_length=10, help_text='For example "13".')
    skjermingshjemmel = StringField(max_length=200, help_text='For example "Offl. § 13 jf. fvl. § 13".')
    skjermingMetadata = serializers.ListField(
        source="skjerming_metadata",
        child=serializers.ChoiceField(
            choices=[
                *models.Skjerming.Metadata.choices,
                *((alias, alias) for alias in models.Skjerming.ALIASES),
            ]
        ),
        help_text="What the public journal hides, as the standard's skjermingMetadata codes (TMO, TRO, NA,"
        " NM, NPS...); tittel and korrespondansepart are accepted as aliases.",
    )


class Record(serializers.Serializer):
    """An answer with `_links`: each record serializer defines links(record), built from the
    request in the context."""

    @property
    def request(self):
        return self.context["request"]


class Saksmappe(Record):
    systemID = serializers.UUIDField(source="system_id")
    mappeID = serializers.CharField(source="saksnummer", help_text="saksår/sekvensnummer, as 2026/12.")
    saksaar = serializers.IntegerField()
    sakssekvensnummer = serializers.IntegerField()
    tittel = serializers.CharField()
    offentligTittel = serializers.CharField(source="offentlig_tittel")
    saksstatus = KodeField(choices=models.Saksmappe.Status.choices)
    saksdato = serializers.DateField()
    saksansvarlig = serializers.CharField()
    administrativEnhet = serializers.CharField(source="administrativ_enhet", allow_null=True)
    klasseID = serializers.CharField(source="klasse.klasse_id", allow_null=True)
    skjerming = Skjerming(allow_null=True)
    tilgangskode = serializers.CharField(
        source="tilgangskode.kode", allow_null=True, help_text="The internal access code, or null."
    )
    opprettetDato = serializers.DateTimeField(source="opprettet_dato")
    avsluttetDato = serializers.DateTimeField(source="avsluttet_dato", allow_null=True)
    _links = LinksField()

    def links(self, saksmappe) -> dict:
        journalposts = link(self.request, "saksmappe-journalpost", saksmappe.system_id)
        answer = {
            "self": link(self.request, "saksmappe", saksmappe.system_id),
            f"{SAKARKIV_REL}journalpost/": journalposts,
        }
        if saksmappe.saksstatus == models.Saksmappe.Status.UNDER_BEHANDLING:
            answer[f"{SAKARKIV_REL}ny-journalpost/"] = journalposts
            answer["avslutt"] = link(self.request, "saksmappe-avslutt", saksmappe.system_id)
        return answer


class Journalpost(Record):
    systemID = serializers.UUIDField(source="system_id")
    registreringsID = serializers.SerializerMethodField(
        help_text="The case number and the post's number in it."
    )
    journalaar = serializers.IntegerField()
    journalsekvensnummer = serializers.IntegerField()
    journalpostnummer = serializers.IntegerField()
    journalposttype = KodeField(choices=models.Journalpost.Type.choices)
    journalstatus = KodeField(choices=models.Journalpost.Status.choices)
    tittel = serializers.CharField()
    offentligTittel = serializers.CharField(source="offentlig_tittel")
    dokumentetsDato = serializers.DateField(source="dokumentdato")
    journaldato = serializers.DateField()
    mottattDato = serializers.DateTimeField(source="mottatt_dato", allow_null=True)
    sendtDato = serializers.DateTimeField(source="sendt_dato", allow_null=True)
    forfallsdato = serializers.DateField(allow_null=True, help_text="When an answer is due.")
    saksbehandler = serializers.CharField()
    skjerming = Skjerming(allow_null=True)
    tilgangskode = serializers.CharField(
        source="tilgangskode.kode", allow_null=True, help_text="The internal access code, or null."
    )
    opprettetDato = serializers.DateTimeField(source="opprettet_dato")
    _links = LinksField()

    def get_registreringsID(self, journalpost) -> str:
        return f"{journalpost.saksmappe.saksnummer}-{journalpost.journalpostnummer}"

    def links(self, journalpost) -> dict:
        def to(name):
            return link(self.request, name, journalpost.system_id)

        answer = {
            "self": to("journalpost"),
            f"{SAKARKIV_REL}saksmappe/": link(self.request, "saksmappe", journalpost.saksmappe.system_id),
            f"{REL}korrespondansepart/": to("journalpost-korrespondansepart"),
            f"{REL}dokumentbeskrivelse/": to("journalpost-dokumentbeskrivelse"),
        }
        if not journalpost.is_finalised:
            answer[f"{REL}ny-korrespondansepart/"] = to("journalpost-korrespondansepart")
            answer[f"{REL}ny-dokumentbeskrivelse/"] = to("journalpost-dokumentbeskrivelse")
            answer["ferdigstill"] = to("journalpost-ferdigstill")
        if (
            journalpost.journalposttype == models.Journalpost.Type.UTGAAENDE
            and journalpost.journalstatus in DISPATCHABLE
        ):
            answer["ekspeder"] = to("journalpost-ekspeder")
        return answer


class Ekspedisjonskvittering(serializers.Serializer):
    kvitteringstype = KodeField(source="kind", choices=Receipt.Kind.choices)
    aarsak = serializers.CharField(source="reason")
    tidspunkt = serializers.DateTimeField(source="created")


class Korrespondansepart(serializers.Serializer):
    korrespondanseparttype = KodeField(choices=models.Korrespondansepart.Type.choices)
    korrespondansepartNavn = serializers.CharField(source="navn")
    foedselsnummer = serializers.CharField(allow_blank=True)
    organisasjonsnummer = serializers.CharField(allow_blank=True)
    postadresse = serializers.ListField(
        child=serializers.CharField(), help_text="Address lines; empty when the address is protected."
    )
    postnummer = serializers.CharField(allow_blank=True)
    poststed = serializers.CharField(allow_blank=True)
    land = serializers.CharField(allow_blank=True, help_text="ISO 3166 alpha-2; empty: Norway.")
    epostadresse = serializers.CharField(allow_blank=True)
    telefonnummer = serializers.CharField(allow_blank=True)
    kontaktperson = serializers.CharField(allow_blank=True)
    administrativEnhet = serializers.CharField(
        source="administrativ_enhet.kortnavn", allow_null=True, help_text="Internal parties: the unit."
    )
    saksbehandler = serializers.CharField(
        source="saksbehandler.user.username", allow_null=True, help_text="Internal parties: the case handler."
    )
    adresseBeskyttet = serializers.BooleanField(source="adresse_beskyttet")
    ekspedering = KodeField(choices=models.Korrespondansepart.Ekspedering.choices)
    ekspederingAarsak = serializers.CharField(source="ekspedering_aarsak")
    forsendelseID = serializers.UUIDField(source="forsendelse_id", allow_null=True)
    kvitteringer = Ekspedisjonskvittering(many=True, help_text="Receipts from digital post, oldest first.")


class Dokumentobjekt(Record):
    versjonsnummer = serializers.IntegerField()
    variantformat = KodeField(choices=models.Dokumentobjekt.Variantformat.choices)
    format = serializers.CharField()
    mimeType = serializers.SerializerMethodField()
    sjekksum = serializers.CharField()
    sjekksumAlgoritme = serializers.SerializerMethodField()
    filstoerrelse = serializers.IntegerField()
    filnavn = serializers.CharField()
    opprettetDato = serializers.DateTimeField(source="opprettet_dato")
    opprettetAv = serializers.CharField(source="opprettet_av")
    _links = LinksField()

    def get_mimeType(self, version) -> str:
        return MIME_TYPE

    def get_sjekksumAlgoritme(self, version) -> str:
        return CHECKSUM_ALGORITHM

    def links(self, version) -> dict:
        fil = link(
            self.request, "dokumentobjekt-fil", self.context["dokument"].system_id, version.versjonsnummer
        )
        if version.variantformat != models.Dokumentobjekt.Variantformat.ARKIV:
            fil["href"] += f"?variantformat={version.variantformat}"
        return {f"{REL}fil/": fil}


class Dokumentbeskrivelse(Record):
    systemID = serializers.UUIDField(source="system_id")
    dokumentnummer = serializers.IntegerField()
    tilknyttetRegistreringSom = KodeField(
        source="tilknyttet_registrering_som", choices=models.Dokumentbeskrivelse.Tilknytning.choices
    )
    tittel = serializers.CharField()
    dokumentstatus = KodeField(choices=models.Dokumentbeskrivelse.Status.choices)
    opprettetDato = serializers.DateTimeField(source="opprettet_dato")
    dokumentobjekt = serializers.SerializerMethodField(help_text="The versions, oldest first.")
    _links = LinksField()

    @extend_schema_field(Dokumentobjekt(many=True))
    def get_dokumentobjekt(self, dokument) -> list:
        return Dokumentobjekt(
            # An object still waiting for its file (made through the Noark 5 interface) is not a version yet.
            [version for version in dokument.versjoner.all() if version.fil],
            many=True,
            context={**self.context, "dokument": dokument},
        ).data

    def links(self, dokument) -> dict:
        return {
            "self": link(self.request, "dokumentbeskrivelse", dokument.system_id),
            f"{REL}registrering/": link(self.request, "journalpost", dokument.journalpost.system_id),
            f"{REL}ny-dokumentobjekt/": link(
                self.request, "dokumentbeskrivelse-dokumentobjekt", dokument.system_id
            ),
        }


def page_of(item: type[serializers.Serializer], *, counted: bool = False) -> type[serializers.Serializer]:
    """The answer of a list: the results, and links to itself and (paged lists) the next and previous
    page; a paged list also counts all that match, not only the page."""
    fields = {
        "results": item(many=True),
        "_links": serializers.DictField(child=Href(), help_text=LINKS_HELP),
    }
    if counted:
        fields["count"] = serializers.IntegerField(help_text="How many match, on every page.")
    return type(f"{item.__name__}Liste", (serializers.Serializer,), fields)


SaksmappeListe = page_of(Saksmappe, counted=True)
JournalpostListe = page_of(Journalpost, counted=True)
KorrespondansepartListe = page_of(Korrespondansepart)
DokumentbeskrivelseListe = page_of(Dokumentbeskrivelse)


# Requests.


TILGANGSKODE_HELP = "An access code of your organisation, by its code."


class NySaksmappe(Request):
    tittel = StringField(max_length=500)
    offentligTittel = StringField(
        source="offentlig_tittel", max_length=500, required=False, help_text="Default: tittel."
    )
    klasseID = StringField(
        max_length=50, required=False, help_text="A class of the archive's classification system."
    )
    skjerming = Skjerming(required=False)
    tilgangskode = StringField(max_length=10, required=False, help_text=TILGANGSKODE_HELP)


class Endring(Request):
    """What may change in place while the record is not finalised (PATCH: give only what changes).
    Any other field is refused: a field of the record as field_not_updatable (the views'
    refuse_other_fields), an unknown one in skjerming as unknown."""

    tittel = StringField(max_length=500, required=False)
    offentligTittel = StringField(source="offentlig_tittel", max_length=500, required=False)
    skjerming = Skjerming(
        required=False, allow_null=True, help_text="Given whole (all three fields); null removes it."
    )

    def validate_skjerming(self, value):
        # A PATCH leaves out the fields that do not change, but a screening replaces the old one
        # whole: checked as a complete screening, not a partial one.
        if value is None:
            return None
        whole = Skjerming(data=self.initial_data["skjerming"])
        whole.is_valid(raise_exception=True)
        return dict(whole.validated_data)


class NyJournalpost(Request):
    journalposttype = KodeField(choices=models.Journalpost.Type.choices, help_text="I, U or N.")
    tittel = StringField(max_length=500)
    offentligTittel = StringField(
        source="offentlig_tittel", max_length=500, required=False, help_text="Default: tittel."
    )
    dokumentetsDato = serializers.DateField(
        source="dokumentdato", required=False, help_text="Default: today."
    )
    forfallsdato = serializers.DateField(required=False, help_text="When an answer is due.")
    skjerming = Skjerming(required=False, help_text="Default: the case's screening.")
    tilgangskode = StringField(
        max_length=10, required=False, help_text=f"{TILGANGSKODE_HELP} Default: the case's."
    )


class NyKorrespondansepart(Request):
    """External parties (EA, EM, EK, GM): a person by foedselsnummer, an organisation by organisasjonsnummer,
    or a name typed in, with a postal address. Internal parties (IA, IM, IK, IS): administrativEnhet and/or
    saksbehandler of your organisation."""

    korrespondanseparttype = KodeField(
        choices=models.Korrespondansepart.Type.choices,
        default=models.Korrespondansepart.Type.MOTTAKER,
        help_text="EA sender, EM recipient (default), EK copy recipient, GM group recipient; IA internal"
        " sender, IM internal recipient, IK internal copy recipient, IS co-sender.",
    )
    # At most one of the two; one left out is no party of that kind (not an empty one, which is refused).
    foedselsnummer = IdentityNumberField(
        source="identity_number", max_length=20, required=False,
        help_text="A person: fødselsnummer or D-nummer. Name and address come from the population register.",
    )  # fmt: skip
    organisasjonsnummer = StringField(
        max_length=20, required=False,
        help_text="An organisation. One not in Felles' register needs korrespondansepartNavn.",
    )  # fmt: skip
    korrespondansepartNavn = StringField(
        source="navn", max_length=200, required=False, help_text="A party typed in: its name."
    )
    postadresse = serializers.ListField(
        child=StringField(max_length=100), max_length=4, required=False, help_text="Address lines."
    )
    postnummer = StringField(max_length=10, required=False, help_text="In Norway: four digits.")
    poststed = StringField(max_length=100, required=False)
    land = StringField(
        min_length=2, max_length=2, required=False, help_text="ISO 3166 alpha-2, as SE; default Norway."
    )
    epostadresse = StringField(max_length=254, required=False)
    telefonnummer = StringField(max_length=30, required=False)
    kontaktperson = StringField(max_length=200, required=False)
    administrativEnhet = StringField(
        max_length=20,
        required=False,
        help_text="An internal party: a unit of your organisation, by kortnavn.",
    )
    saksbehandler = StringField(
        max_length=150, required=False, help_text="An internal party: a case handler, by user name."
    )


class NyDokumentbeskrivelse(Request):
    """The multipart form; with a raw application/pdf body the same fields are query parameters."""

    tittel = StringField(max_length=500, required=False, help_text="Default: the file name.")
    tilknyttetRegistreringSom = KodeField(
        choices=models.Dokumentbeskrivelse.Tilknytning.choices,
        default=models.Dokumentbeskrivelse.Tilknytning.HOVEDDOKUMENT,
        help_text="H main document (default), V attachment.",
    )
    fil = serializers.FileField(required=False, help_text="The PDF (multipart only).")


class NyDokumentversjon(Request):
    fil = serializers.FileField(help_text="The PDF.")


class ArkivProblem(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for programs.")
    detail = serializers.CharField(help_text="For people.")
    field_errors = serializers.DictField(required=False, help_text="Per field, for invalid input.")
