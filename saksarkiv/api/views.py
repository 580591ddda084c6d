"""The case archive's agency API, shaped like the Noark 5 service interface (tjenestegrensesnitt,
arkivstruktur): cases, journal posts, correspondence parties, documents and their files, and seamless
dispatch. A machine acts for the organisation in its Maskinporten token, as that organisation's
system case handler; another organisation's records do not exist for it (404)."""

import re
from datetime import date

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import whole_number
from core.api_parsers import JSONParser
from maskinporten.drf import HasScope, MaskinportenAuthentication
from saksarkiv import services
from saksarkiv.api import problems, serializers
from saksarkiv.api.problems import ApiProblem
from saksarkiv.api.uploads import PDFParser, fields_with_the_file, refuse_oversized_body, uploaded_pdf
from saksarkiv.models import (
    AdministrativEnhet,
    Dokumentbeskrivelse,
    Journalpost,
    Klasse,
    Saksbehandler,
    Saksmappe,
    Tilgangskode,
)
from saksarkiv.noark5 import odata
from saksarkiv.noark5.http import (
    ByAcceptHeader,
    MergePatchParser,
    Noark5Error,
    Noark5Parser,
    Noark5Renderer,
    check_if_match,
    etag,
)
from saksarkiv.noark5.resources import REGISTRY
from saksarkiv.noark5.views import odata_query, page_of
from saksarkiv.services import access, screening, update_journalpost, update_saksmappe
from saksarkiv.services.api_handler import system_handler
from saksarkiv.services.documents import find_version
from virksomheter.models import ScopeGrant
from virksomheter.services import get_organisation

READ = ScopeGrant.Scope.ARKIV_LES.value
WRITE = ScopeGrant.Scope.ARKIV_SKRIV.value
DEFAULT_TOP = 25
MAX_TOP = 100
# As far as a database offset goes on every backend (a 32-bit integer is far beyond any archive).
MAX_SKIP = 2**31 - 1

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the record as read: a change made since is not overwritten (409).",
)
PROBLEMS = {
    400: OpenApiResponse(serializers.ArkivProblem, description="Invalid input; nothing was stored."),
    428: OpenApiResponse(serializers.ArkivProblem, description="If-Match is missing."),
    501: OpenApiResponse(serializers.ArkivProblem, description="OData that Felles does not support."),
    404: OpenApiResponse(
        serializers.ArkivProblem, description="No such record in your organisation's archive."
    ),
    409: OpenApiResponse(
        serializers.ArkivProblem,
        description="The record is finalised or closed, or changed since you read it.",
    ),
}


def problems_for(*codes: int) -> dict:
    return {code: PROBLEMS[code] for code in codes}


class ArkivView(APIView):
    """For the organisation in the token: reading needs felles:noark5/arkiv.read, writing
    felles:noark5/arkiv.write (the old names noark5:arkiv.les and noark5:arkiv.skriv count too).

    These v1/arkivstruktur/... paths are Felles' own of before, kept as an alias of the tjenestegrensesnitt
    at /api/noark5/ (saksarkiv.noark5): they take and give its media type too, their lists take the same
    OData and carry the count, and a change names the ETag it read."""

    authentication_classes = [MaskinportenAuthentication]
    permission_classes = [HasScope]
    renderer_classes = [JSONRenderer, Noark5Renderer]
    content_negotiation_class = ByAcceptHeader
    parser_classes = [JSONParser, Noark5Parser, MergePatchParser]

    @property
    def required_scopes(self) -> list[str]:
        return [READ] if self.request.method in SAFE_METHODS else [WRITE]

    def get_exception_handler(self):
        return problems.handle

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.handler = system_handler(get_organisation(request.user.organisation_number))

    def answer(self, serializer_class, instance, status=200, **context) -> Response:
        data = serializer_class(instance, context={"request": self.request, **context}).data
        return Response(data, status=status, headers={"ETag": etag(data)})

    def check_version(self, serializer_class, instance) -> None:
        """A change names the version it read (If-Match: its ETag); another one is refused with 409."""
        data = serializer_class(instance, context={"request": self.request}).data
        try:
            check_if_match(self.request, etag(data))
        except Noark5Error as refused:
            code = "precondition_required" if refused.status_code == 428 else "conflict"
            raise ApiProblem(code, refused.message, refused.status_code) from None

    def saksmappe(self, system_id) -> Saksmappe:
        return access.get_case(
            self.handler,
            request=self.request,
            select=("saksansvarlig__user", "klasse", "skjerming"),
            system_id=system_id,
        )

    def journalpost(self, system_id) -> Journalpost:
        return access.get_journalpost(
            self.handler,
            request=self.request,
            select=("saksmappe", "saksbehandler__user", "skjerming"),
            system_id=system_id,
        )

    def dokument(self, system_id) -> Dokumentbeskrivelse:
        return access.get_dokument(
            self.handler, request=self.request, select=("journalpost__saksmappe",), system_id=system_id
        )

    def page(self, queryset, serializer_class, resource: str) -> Response:
        """A page of the list ($top, $skip) with the count of all that match, chosen and ordered by the
        tjenestegrensesnitt's OData ($filter, $orderby, $search) on the fields of `resource`; a query
        option it does not support answers 501, never ignored."""
        try:
            queryset = odata_query(queryset, self.request.query_params, REGISTRY[resource])
        except odata.QueryError as refused:
            status_code = 501 if isinstance(refused, odata.Unsupported) else 400
            raise ApiProblem(
                "not_implemented" if status_code == 501 else "invalid_parameter", refused.message, status_code
            ) from None
        top = self.number_param("$top", DEFAULT_TOP, highest=MAX_TOP, lowest=1)
        skip = self.number_param("$skip", 0, highest=MAX_SKIP)
        count = queryset.count()
        rows = page_of(queryset, skip, top)
        links = {"self": {"href": self.request.build_absolute_uri()}}
        if skip + top < count:
            links["next"] = {"href": self.with_params(**{"$skip": skip + top, "$top": top})}
        if skip:
            links["prev"] = {"href": self.with_params(**{"$skip": max(skip - top, 0), "$top": top})}
        results = serializer_class(rows, many=True, context={"request": self.request}).data
        return Response({"count": count, "results": results, "_links": links})

    def with_params(self, **values) -> str:
        query = self.request.GET.copy()
        for key, value in values.items():
            query[key] = str(value)
        return self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode(safe='$')}")

    def number_param(self, name: str, default: int, *, highest: int, lowest: int = 0) -> int:
        raw = self.request.GET.get(name)
        if raw is None:
            return default
        number = whole_number(raw, lowest=lowest, highest=highest)
        if number is None:
            raise ApiProblem(
                "invalid_parameter",
                _("%(name)s must be a whole number from %(lowest)s to %(highest)s.")
                % {"name": name, "lowest": lowest, "highest": highest},
            )
        return number

    def filtered(self, queryset, *, codes: dict, date_field: str):
        """The list filters: a Noark code per field (?journalstatus=F) and a date range (?fraDato, ?tilDato)."""
        for name, choices in codes.items():
            value = self.request.GET.get(name)
            if value is None:
                continue
            if value not in choices.values:
                raise ApiProblem(
                    "invalid_parameter",
                    _("%(name)s must be one of %(codes)s.")
                    % {"name": name, "codes": ", ".join(choices.values)},
                )
            queryset = queryset.filter(**{name: value})
        for name, lookup in (("fraDato", "gte"), ("tilDato", "lte")):
            value = self.request.GET.get(name)
            if value is None:
                continue
            try:
                # The schema's date (2026-01-31) only: fromisoformat also reads 20260131 and 2026-W05-1.
                if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                    raise ValueError(value)
                day = date.fromisoformat(value)
            except ValueError:
                raise ApiProblem(
                    "invalid_parameter", _("%(name)s must be a date as 2026-01-31.") % {"name": name}
                ) from None
            queryset = queryset.filter(**{f"{date_field}__{lookup}": day})
        return queryset

    def screening_from(self, values: dict) -> dict:
        """The request's skjerming as the services take it: a Skjerming row, or None to remove it."""
        if "skjerming" not in values:
            return values
        given = values.pop("skjerming")
        return {**values, "skjerming": screening(**given) if given else None}

    def tilgangskode_from(self, values: dict) -> dict:
        """The request's tilgangskode (a code string) as the services take it: the organisation's row."""
        if "tilgangskode" not in values:
            return values
        kode = values.pop("tilgangskode")
        found = Tilgangskode.objects.filter(organisation=self.handler.organisation, kode=kode).first()
        if found is None:
            raise services.InvalidInput(
                _("%(code)s is not an access code of your organisation.") % {"code": kode}
            )
        return {**values, "tilgangskode": found}

    def refuse_body(self) -> None:
        """An action without a request body (finalise, close, dispatch) takes no fields either."""
        serializers.refuse_unknown(self.request.data)


def valid(serializer_class, data, **kwargs) -> dict:
    body = serializer_class(data=data, **kwargs)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def date_parameters(field: str) -> list[OpenApiParameter]:
    return [
        OpenApiParameter("fraDato", OpenApiTypes.DATE, description=f"Only {field} on or after this day."),
        OpenApiParameter("tilDato", OpenApiTypes.DATE, description=f"Only {field} on or before this day."),
        OpenApiParameter(
            "$top",
            {"type": "integer", "minimum": 1, "maximum": MAX_TOP},
            description=f"Page size, 1 to {MAX_TOP}; default {DEFAULT_TOP}.",
        ),
        OpenApiParameter(
            "$skip",
            {"type": "integer", "minimum": 0, "maximum": MAX_SKIP},
            description="How many to skip: the page's start.",
        ),
        OpenApiParameter(
            "$filter",
            OpenApiTypes.STR,
            description="OData: eq ne gt ge lt le, and or not, contains() startswith() endswith(), on the "
            "tjenestegrensesnitt's field names, e.g. startswith(tittel, 'Byggesak'). Other OData answers 501.",
        ),
        OpenApiParameter("$orderby", OpenApiTypes.STR, description="OData: e.g. saksdato desc, tittel."),
        OpenApiParameter("$search", OpenApiTypes.STR, description="Words the titles contain."),
    ]


def code_parameter(name: str, choices) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, enum=choices.values, description=f"Only this {name}.")


JOURNALPOST_FILTERS = [
    code_parameter("journalstatus", Journalpost.Status),
    code_parameter("journalposttype", Journalpost.Type),
    *date_parameters("journaldato"),
]


def journalpost_rows(queryset):
    return queryset.select_related("saksmappe", "saksbehandler__user", "skjerming", "tilgangskode").order_by(
        "-journaldato", "-journalsekvensnummer"
    )


def list_journalposts(view: ArkivView, queryset) -> Response:
    filtered = view.filtered(
        queryset,
        codes={"journalstatus": Journalpost.Status, "journalposttype": Journalpost.Type},
        date_field="journaldato",
    )
    return view.page(journalpost_rows(filtered), serializers.Journalpost, "sakarkiv/journalpost")


class SaksmappeListe(ArkivView):
    @extend_schema(
        parameters=[code_parameter("saksstatus", Saksmappe.Status), *date_parameters("saksdato")],
        responses={200: serializers.SaksmappeListe, **problems_for(400, 501)},
        summary="List cases, newest first",
        operation_id="noark5_saksmappe_list",
    )
    def get(self, request):
        queryset = self.filtered(
            services.cases_for(self.handler), codes={"saksstatus": Saksmappe.Status}, date_field="saksdato"
        )
        rows = queryset.select_related("saksansvarlig__user", "klasse", "skjerming", "tilgangskode").order_by(
            "-saksaar", "-sakssekvensnummer"
        )
        return self.page(rows, serializers.Saksmappe, "sakarkiv/saksmappe")

    @extend_schema(
        request=serializers.NySaksmappe,
        responses={201: serializers.Saksmappe, **problems_for(400)},
        summary="Create a case",
        description="The case gets the next case number (saksår/sekvensnummer) of your archive.",
    )
    def post(self, request):
        values = self.tilgangskode_from(self.screening_from(valid(serializers.NySaksmappe, request.data)))
        if "klasseID" in values:
            klasse_id = values.pop("klasseID")
            values["klasse"] = Klasse.objects.filter(
                klassifikasjonssystem__arkiv=services.ensure_arkiv(self.handler.organisation),
                klasse_id=klasse_id,
            ).first()
            if values["klasse"] is None:
                raise services.InvalidInput(_("No such class in your archive."))
        created = services.create_saksmappe(self.handler, request=request, **values)
        return self.answer(serializers.Saksmappe, self.saksmappe(created.system_id), status=201)


class SaksmappeDetalj(ArkivView):
    @extend_schema(responses={200: serializers.Saksmappe, **problems_for(404)}, summary="Read a case")
    def get(self, request, system_id):
        return self.answer(serializers.Saksmappe, self.saksmappe(system_id))

    @extend_schema(
        request=serializers.Endring,
        parameters=[IF_MATCH],
        responses={200: serializers.Saksmappe, **problems_for(400, 404, 409, 428)},
        summary="Change a case's titles or screening",
        description="Only tittel, offentligTittel and skjerming, and only while the case is open.",
    )
    def patch(self, request, system_id):
        saksmappe = self.saksmappe(system_id)
        self.check_version(serializers.Saksmappe, saksmappe)
        refuse_other_fields(request.data)
        changes = self.screening_from(valid(serializers.Endring, request.data, partial=True))
        update_saksmappe(saksmappe, self.handler, request=request, **changes)
        return self.answer(serializers.Saksmappe, self.saksmappe(system_id))


def refuse_other_fields(data) -> None:
    other = (
        sorted(set(data) - set(serializers.Endring().fields) - serializers.IGNORED_FIELDS)
        if isinstance(data, dict)
        else []
    )
    if other:
        raise ApiProblem(
            "field_not_updatable",
            _("Only tittel, offentligTittel and skjerming can be changed, not %(fields)s.")
            % {"fields": ", ".join(other)},
        )


class SaksmappeAvslutt(ArkivView):
    @extend_schema(
        request=None,
        responses={200: serializers.Saksmappe, **problems_for(400, 404)},
        summary="Close a case",
        description="Every journal post must be finalised or void first.",
    )
    def post(self, request, system_id):
        self.refuse_body()
        services.close_case(self.saksmappe(system_id), self.handler, request=request)
        return self.answer(serializers.Saksmappe, self.saksmappe(system_id))


class SaksmappeJournalposter(ArkivView):
    @extend_schema(
        parameters=JOURNALPOST_FILTERS,
        responses={200: serializers.JournalpostListe, **problems_for(400, 404, 501)},
        summary="List a case's journal posts, newest first",
    )
    def get(self, request, system_id):
        # The case's posts that the system may see: a post may carry a code its case does not.
        saksmappe = self.saksmappe(system_id)
        return list_journalposts(self, services.journalposts_for(self.handler).filter(saksmappe=saksmappe))

    @extend_schema(
        request=serializers.NyJournalpost,
        responses={201: serializers.Journalpost, **problems_for(400, 404, 409)},
        summary="Register a journal post on the case",
        description="It gets the next journal number of the year and the status S (registered).",
    )
    def post(self, request, system_id):
        saksmappe = self.saksmappe(system_id)
        values = self.tilgangskode_from(self.screening_from(valid(serializers.NyJournalpost, request.data)))
        created = services.add_journalpost(saksmappe, self.handler, request=request, **values)
        return self.answer(serializers.Journalpost, self.journalpost(created.system_id), status=201)


class JournalpostListe(ArkivView):
    @extend_schema(
        parameters=JOURNALPOST_FILTERS,
        responses={200: serializers.JournalpostListe, **problems_for(400, 501)},
        summary="List journal posts, newest first",
        operation_id="noark5_journalpost_list",
    )
    def get(self, request):
        return list_journalposts(self, services.journalposts_for(self.handler))


class JournalpostDetalj(ArkivView):
    @extend_schema(
        responses={200: serializers.Journalpost, **problems_for(404)}, summary="Read a journal post"
    )
    def get(self, request, system_id):
        return self.answer(serializers.Journalpost, self.journalpost(system_id))

    @extend_schema(
        request=serializers.Endring,
        parameters=[IF_MATCH],
        responses={200: serializers.Journalpost, **problems_for(400, 404, 409, 428)},
        summary="Change a journal post's titles or screening",
        description="Only tittel, offentligTittel and skjerming, and only until the journal post is finalised.",
    )
    def patch(self, request, system_id):
        journalpost = self.journalpost(system_id)
        self.check_version(serializers.Journalpost, journalpost)
        refuse_other_fields(request.data)
        changes = self.screening_from(valid(serializers.Endring, request.data, partial=True))
        update_journalpost(journalpost, self.handler, request=request, **changes)
        return self.answer(serializers.Journalpost, self.journalpost(system_id))


class JournalpostFerdigstill(ArkivView):
    @extend_schema(
        request=None,
        responses={200: serializers.Journalpost, **problems_for(400, 404, 409)},
        summary="Finalise a journal post",
        description="Status F; from then on it changes only by new document versions. Needs a document.",
    )
    def post(self, request, system_id):
        self.refuse_body()
        services.finalise(self.journalpost(system_id), self.handler, request=request)
        return self.answer(serializers.Journalpost, self.journalpost(system_id))


class JournalpostEkspeder(ArkivView):
    @extend_schema(
        request=None,
        responses={
            200: serializers.Journalpost,
            404: PROBLEMS[404],
            409: OpenApiResponse(
                serializers.ArkivProblem,
                description="Refused (no recipient, no document, not outgoing, already dispatched); nothing was sent.",
            ),
        },
        summary="Dispatch an outgoing journal post (sømløs ekspedering)",
        description=(
            "Sends the documents to every recipient through Sikker digital post, which picks the digital "
            "mailbox or paper; the journal post becomes E (dispatched). All or nothing. Follow the "
            "receipts on the journal post's korrespondansepart."
        ),
    )
    def post(self, request, system_id):
        self.refuse_body()
        services.dispatch(self.journalpost(system_id), self.handler, request=request)
        return self.answer(serializers.Journalpost, self.journalpost(system_id))


class Korrespondanseparter(ArkivView):
    @extend_schema(
        responses={200: serializers.KorrespondansepartListe, **problems_for(404)},
        summary="A journal post's correspondence parties, with their dispatch receipts",
    )
    def get(self, request, system_id):
        journalpost = self.journalpost(system_id)
        found = {party.pk: party_receipts for party, party_receipts in services.receipts(journalpost)}
        rows = journalpost.korrespondanseparter.order_by("pk")
        results = [
            serializers.Korrespondansepart(party_row(party, found.get(party.pk, []))).data for party in rows
        ]
        return Response({"results": results, "_links": {"self": {"href": request.build_absolute_uri()}}})

    @extend_schema(
        request=serializers.NyKorrespondansepart,
        responses={201: serializers.Korrespondansepart, **problems_for(400, 404, 409)},
        summary="Add a sender or recipient",
        description=(
            "A person by foedselsnummer (name and address from the population register; a protected "
            "address is never stored, only adresseBeskyttet), an organisation by organisasjonsnummer (one "
            "not in Felles' register with korrespondansepartNavn), or a party typed in by "
            "korrespondansepartNavn with its postal address. Internal parties (IA, IM, IK, IS) name "
            "administrativEnhet and/or saksbehandler of your organisation."
        ),
    )
    def post(self, request, system_id):
        journalpost = self.journalpost(system_id)
        values = self.internal_party_from(valid(serializers.NyKorrespondansepart, request.data))
        party = services.add_party(journalpost, self.handler, request=request, **values)
        return Response(serializers.Korrespondansepart(party_row(party, [])).data, status=201)

    def internal_party_from(self, values: dict) -> dict:
        """The request's administrativEnhet (kortnavn) and saksbehandler (user name) as the organisation's rows."""
        organisation = self.handler.organisation
        if "administrativEnhet" in values:
            kortnavn = values.pop("administrativEnhet")
            values["administrativ_enhet"] = AdministrativEnhet.objects.filter(
                organisation=organisation, kortnavn=kortnavn, aktiv=True
            ).first()
            if values["administrativ_enhet"] is None:
                raise services.InvalidInput(
                    _("%(name)s is not an administrative unit of your organisation.") % {"name": kortnavn}
                )
        if "saksbehandler" in values:
            username = values.pop("saksbehandler")
            values["saksbehandler"] = (
                Saksbehandler.objects.filter(organisation=organisation, user__username=username)
                .select_related("user", "administrativ_enhet")
                .first()
            )
            if values["saksbehandler"] is None:
                raise services.InvalidInput(
                    _("%(name)s is not a case handler of your organisation.") % {"name": username}
                )
        return values


def party_row(party, receipts: list):
    party.kvitteringer = receipts
    return party


class Dokumentbeskrivelser(ArkivView):
    parser_classes = [PDFParser, MultiPartParser]

    @extend_schema(
        responses={200: serializers.DokumentbeskrivelseListe, **problems_for(404)},
        summary="A journal post's documents, with their versions",
    )
    def get(self, request, system_id):
        journalpost = self.journalpost(system_id)
        rows = journalpost.dokumenter.select_related("journalpost").prefetch_related("versjoner")
        results = serializers.Dokumentbeskrivelse(rows, many=True, context={"request": request}).data
        return Response({"results": results, "_links": {"self": {"href": request.build_absolute_uri()}}})

    @extend_schema(
        request={
            "application/pdf": OpenApiTypes.BINARY,
            "multipart/form-data": serializers.NyDokumentbeskrivelse,
        },
        parameters=[
            OpenApiParameter("tittel", OpenApiTypes.STR, description="With application/pdf: the title."),
            OpenApiParameter(
                "tilknyttetRegistreringSom",
                OpenApiTypes.STR,
                enum=Dokumentbeskrivelse.Tilknytning.values,
                description="With application/pdf: H main document (default) or V attachment.",
            ),
            OpenApiParameter(
                "Content-Disposition",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description='With application/pdf: attachment; filename="vedtak.pdf".',
            ),
        ],
        responses={
            201: serializers.Dokumentbeskrivelse,
            **problems_for(400, 404, 409),
            413: OpenApiResponse(serializers.ArkivProblem, description="Larger than the document limit."),
        },
        summary="Add a document (main document or attachment) with its file",
    )
    def post(self, request, system_id):
        refuse_oversized_body(request)
        journalpost = self.journalpost(system_id)
        content, filnavn = uploaded_pdf(request)
        values = valid(serializers.NyDokumentbeskrivelse, fields_with_the_file(request))
        dokument = services.add_document(
            journalpost,
            self.handler,
            tittel=values.get("tittel", ""),  # the service names it after the file
            content=content,
            filnavn=filnavn,
            hoveddokument=values["tilknyttetRegistreringSom"]
            == Dokumentbeskrivelse.Tilknytning.HOVEDDOKUMENT,
            request=request,
        )
        return self.answer(serializers.Dokumentbeskrivelse, self.dokument(dokument.system_id), status=201)


class DokumentbeskrivelseDetalj(ArkivView):
    @extend_schema(
        responses={200: serializers.Dokumentbeskrivelse, **problems_for(404)}, summary="Read a document"
    )
    def get(self, request, system_id):
        return self.answer(serializers.Dokumentbeskrivelse, self.dokument(system_id))


class Dokumentobjekter(ArkivView):
    parser_classes = [PDFParser, MultiPartParser]

    @extend_schema(
        request={
            "application/pdf": OpenApiTypes.BINARY,
            "multipart/form-data": serializers.NyDokumentversjon,
        },
        responses={
            201: serializers.Dokumentbeskrivelse,
            **problems_for(400, 404),
            413: OpenApiResponse(serializers.ArkivProblem, description="Larger than the document limit."),
        },
        summary="Upload a new version of a document",
        description="Also after the journal post is finalised: the earlier versions stay.",
    )
    def post(self, request, system_id):
        refuse_oversized_body(request)
        dokument = self.dokument(system_id)
        serializers.refuse_unknown(fields_with_the_file(request))
        content, filnavn = uploaded_pdf(request)
        services.new_version(dokument, self.handler, content=content, filnavn=filnavn, request=request)
        return self.answer(serializers.Dokumentbeskrivelse, self.dokument(system_id), status=201)


class DokumentobjektFil(ArkivView):
    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **problems_for(404)},
        summary="Download a version of a document",
    )
    def get(self, request, system_id, versjonsnummer):
        dokument = self.dokument(system_id)
        # The archive format unless another variant is asked for (?variantformat=P for the file as produced).
        version = find_version(dokument, versjonsnummer, request.query_params.get("variantformat"))
        if version is None:
            raise services.NotFound(_("No such version of the document."))
        return FileResponse(
            services.open_version(self.handler, version, request=request),
            content_type=serializers.MIME_TYPE,
            as_attachment=True,
            filename=version.filnavn,
        )

    def perform_content_negotiation(self, request, force=False):
        # The answer is the file (whatever the Accept header says) or a JSON problem.
        return super().perform_content_negotiation(request, force=True)
