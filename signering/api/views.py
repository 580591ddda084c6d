"""The signing API for service owners, with a Maskinporten token and the scope felles:signering/oppdrag
(old name signering:oppdrag): create a signing job, follow its status, and fetch the detached CMS signature once signed.
An organisation sees only its own jobs; any other id answers 404."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_lines, problem, whole_number
from core.openapi import Problem
from maskinporten.drf import HasScope, MaskinportenAuthentication
from signering import services
from signering.api.serializers import NyttOppdrag, Oppdrag, Oppdragsliste
from signering.models import Signeringsoppdrag
from virksomheter.services import OrganisationNotFound, get_organisation

# Base64 makes a PDF a third larger; this is room for the rest of the JSON around it.
MAX_BODY_BYTES = services.MAX_DOCUMENT_BYTES * 4 // 3 + 64 * 1024
JOBS_PER_PAGE = 100
# As far as a page number goes in the schema and here (a 32-bit integer, far beyond any list).
MAX_PAGE = 2**31 - 1
SIGNATURE_TYPE = "application/pkcs7-signature"


class DocumentTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "document_too_large"

    def __init__(self):
        detail = _("The document is too large: at most %(size)s.") % {
            "size": filesizeformat(services.MAX_DOCUMENT_BYTES)
        }
        super().__init__({"code": self.default_code, "detail": detail})


class UnknownOrganisation(exceptions.PermissionDenied):
    def __init__(self, error: OrganisationNotFound):
        super().__init__({"code": error.code, "detail": error.message})


class ServiceOwnerView(APIView):
    """A view for the organisation in the token, with the signing scope."""

    authentication_classes = [MaskinportenAuthentication]
    permission_classes = [HasScope]
    required_scopes = [services.SCOPE]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        try:
            self.organisation = get_organisation(request.user.organisation_number)
        except OrganisationNotFound as error:
            raise UnknownOrganisation(error) from None

    def job(self, job_id):
        return services.job_of(self.organisation, job_id)

    def handle_exception(self, exc):
        if isinstance(exc, services.JobNotFound):
            return problem(exc.code, exc.message, 404)
        return super().handle_exception(exc)


class OppdragListe(ServiceOwnerView):
    # A 10 MB document in base64 is far beyond Django's 2.5 MB for a body; the JSON parser reads up to
    # this and answers 413 document_too_large above it.
    max_body_bytes = MAX_BODY_BYTES
    body_too_large = DocumentTooLarge

    @extend_schema(
        operation_id="signering_oppdrag_create",
        request=NyttOppdrag,
        responses={
            201: OpenApiResponse(Oppdrag, description="Created; send the citizen to signeringsadresse."),
            400: OpenApiResponse(Problem, description="Invalid job; nothing was stored."),
            413: OpenApiResponse(Problem, description="Larger than the document limit."),
        },
        summary="Ask a citizen to sign a document",
        description=(
            "Needs a Maskinporten token with the scope felles:signering/oppdrag (old name "
            "signering:oppdrag). Give the document as a PDF "
            "(base64, at most 10 MB) or as plain text, and the one person who must sign. The citizen "
            "signs at level 4 with their card; the signature is a detached CMS SignedData over the "
            "document's bytes, carrying the signer's certificate."
        ),
    )
    def post(self, request):
        try:
            body = NyttOppdrag(data=request.data)
        except exceptions.ParseError as error:
            return problem("invalid_json", str(error.detail), 400)
        if not body.is_valid():
            return problem(
                services.InvalidJob.code, "; ".join(error_lines(body.errors)), 400, field_errors=body.errors
            )
        try:
            job = services.create_job(self.organisation, request=request, **body.validated_data)
        except services.InvalidJob as error:
            return problem(error.code, error.message, 400)
        answer = Oppdrag(job, context={"request": request}).data
        return Response(answer, status=201, headers={"Location": reverse("signering-oppdrag", args=[job.pk])})

    @extend_schema(
        operation_id="signering_oppdrag_list",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Signeringsoppdrag.Status.values),
            OpenApiParameter(
                "side",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                description="The page, from 1.",
            ),
        ],
        responses={200: Oppdragsliste, 400: Problem},
        summary="Your signing jobs",
        description=f"Newest first, {JOBS_PER_PAGE} a page; only your organisation's.",
    )
    def get(self, request):
        status = request.query_params.get("status")
        if status is not None and status not in Signeringsoppdrag.Status.values:
            return problem("invalid_status", _("Unknown status: %(status)s.") % {"status": status}, 400)
        side = request.query_params.get("side", "1")
        if whole_number(side, lowest=1, highest=MAX_PAGE) is None:
            return problem(
                "invalid_parameter",
                _("%(name)s must be a whole number from %(lowest)s to %(highest)s.")
                % {"name": "side", "lowest": 1, "highest": MAX_PAGE},
                400,
            )
        page = Paginator(services.jobs_of(self.organisation, status=status or ""), JOBS_PER_PAGE).get_page(
            side
        )
        following = None
        if page.has_next():
            query = request.query_params.copy()
            query["side"] = page.next_page_number()
            following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        jobs = Oppdrag(page.object_list, many=True, context={"request": request}).data
        return Response({"oppdrag": jobs, "neste": following})


class OppdragDetalj(ServiceOwnerView):
    @extend_schema(
        operation_id="signering_oppdrag_retrieve",
        responses={200: Oppdrag, 404: Problem},
        summary="A signing job's status",
        description="Only the organisation that created the job sees it; for others it does not exist.",
    )
    def get(self, request, job_id):
        return Response(Oppdrag(self.job(job_id), context={"request": request}).data)


class Signatur(ServiceOwnerView):
    @extend_schema(
        operation_id="signering_signatur_retrieve",
        responses={
            (200, SIGNATURE_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=(
                    "The detached CMS SignedData (DER). Check it with: openssl cms -verify -binary "
                    "-inform DER -in signatur.p7s -content <the document> -CAfile <issuer CA>."
                ),
            ),
            404: Problem,
            409: OpenApiResponse(Problem, description="Not signed (yet): waiting, declined or expired."),
        },
        summary="Download the signature",
    )
    def get(self, request, job_id):
        try:
            signature = services.signature_of(self.organisation, job_id)
        except services.NotSigned as error:
            return problem(error.code, error.message, 409)
        response = HttpResponse(signature, content_type=SIGNATURE_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, f"{job_id}.p7s")
        return response

    def perform_content_negotiation(self, request, force=False):
        # The answer is the signature (whatever the Accept header says) or a JSON problem.
        return super().perform_content_negotiation(request, force=True)
