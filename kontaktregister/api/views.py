"""Oppslagstjenesten for agencies with a Maskinporten token: POST /rest/v1/personer and
/rest/v2/personer (1 to 1000 persons), and the print provider's certificate at /rest/v2/printSertifikat.
The answer has KRR's own field names; a field with nothing to say is left out, never null."""

from functools import lru_cache
from types import SimpleNamespace

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core import audit
from core.api import problem
from core.openapi import Problem, ProblemAutoSchema
from kontaktregister import services
from kontaktregister.api.permissions import HasLookupScope
from kontaktregister.api.renderers import FastJSONRenderer, JoseRenderer
from kontaktregister.api.serializers import LookupAnswer, LookupRequest, LookupRequestV2, PrintAnswer
from maskinporten.drf import MaskinportenAuthentication, token_has_scope


@lru_cache(maxsize=64)
def base64_der(pem: str) -> str:
    """KRR's sertifikat: the X.509 certificate's DER in base64 on one line, without PEM's armour."""
    return "".join(line.strip() for line in pem.splitlines() if line.strip() and "-----" not in line)


def person_answer(contact: services.Contact, *, contact_scope: bool, digital_post_scope: bool) -> dict:
    """One person, in the order Digdir's examples give the fields; reservasjon whatever the scope."""
    answer = {"personidentifikator": contact.identity_number}
    active = contact.status == services.ACTIVE
    if active:
        answer["reservasjon"] = services.YES if contact.reserved else services.NO
        if contact.reserved and contact.reserved_at:
            answer["reservasjonstidspunkt"] = contact.reserved_at
        if contact.reserved_at:
            answer["reservasjon_oppdatert"] = contact.reserved_at
    answer["status"] = contact.status
    if contact_scope:
        answer["varslingsstatus"] = (
            services.CAN_BE_NOTIFIED if contact.notifiable else services.CANNOT_BE_NOTIFIED
        )
        if active:
            details = {}
            if contact.email:
                details["epostadresse"] = contact.email
                if contact.email_updated_at:
                    details["epostadresse_oppdatert"] = contact.email_updated_at
                if contact.email_verified_at:
                    details["epostadresse_sist_verifisert"] = contact.email_verified_at
            if contact.mobile:
                details["mobiltelefonnummer"] = contact.mobile
                if contact.mobile_updated_at:
                    details["mobiltelefonnummer_oppdatert"] = contact.mobile_updated_at
                if contact.mobile_verified_at:
                    details["mobiltelefonnummer_sist_verifisert"] = contact.mobile_verified_at
            if details:
                answer["kontaktinformasjon"] = details
    # A mailbox is an address at a provider: one without the other is no mailbox to send to.
    if digital_post_scope and contact.mailbox_address and contact.mailbox_provider:
        answer["digital_post"] = {
            "postkasseadresse": contact.mailbox_address,
            "postkasseleverandoeradresse": contact.mailbox_provider,
        }
        if contact.mailbox_certificate:
            answer["sertifikat"] = base64_der(contact.mailbox_certificate)
    if contact_scope and contact.language:
        answer["spraak"] = contact.language
        if contact.language_updated_at:
            answer["spraak_oppdatert"] = contact.language_updated_at
    return answer


class AcceptHeaderOnly(DefaultContentNegotiation):
    """The answer's form is chosen by the Accept header alone, as at the real service: DRF's ?format=
    override means nothing here (an unknown one answered 404)."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class KrrSchema(ProblemAutoSchema):
    def _get_format_parameters(self):
        return []


class KrrView(APIView):
    """JSON, or with Accept: application/jose the same JSON as a compact JWS signed by Felles."""

    renderer_classes = [FastJSONRenderer, JoseRenderer]
    content_negotiation_class = AcceptHeaderOnly
    schema = KrrSchema()

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:  # a refusal is plain JSON whatever was asked for
            request.accepted_renderer = FastJSONRenderer()
            request.accepted_media_type = FastJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class PersonLookup(KrrView):
    authentication_classes = [MaskinportenAuthentication]
    permission_classes = [HasLookupScope]
    # v1 answers every number asked for; v2 leaves out unknown ones unless inkluderIkkeRegistrerte.
    include_unregistered_by_default = True
    takes_include_flag = False

    @extend_schema(
        request=LookupRequest,
        responses={
            200: LookupAnswer,
            400: OpenApiResponse(Problem, description="Not a list of 1 to 1000 valid identity numbers."),
        },
        summary="Look up contact information for up to 1000 persons (oppslagstjenesten)",
        description=(
            "A Maskinporten token with krr:global/kontaktinformasjon.read gives contact details, "
            "varslingsstatus and language; krr:global/digitalpost.read gives the mailbox and its "
            "certificate. reservasjon is always answered."
        ),
    )
    def post(self, request):
        body = request.data
        if not isinstance(body, dict):
            return problem(
                "invalid_lookup", _("The body must be a JSON object with personidentifikatorer."), 400
            )
        include = self.include_unregistered_by_default
        if self.takes_include_flag and "inkluderIkkeRegistrerte" in body:
            include = body["inkluderIkkeRegistrerte"]
            if not isinstance(include, bool):  # null too: the field is a boolean or absent
                return problem("invalid_lookup", _("inkluderIkkeRegistrerte must be true or false."), 400)
        try:
            contacts = services.lookup(body.get("personidentifikatorer"), include_unregistered=include)
        except services.KontaktregisterError as error:
            return problem(error.code, error.message, 400)
        contact_scope = token_has_scope(request, services.SCOPE_CONTACT)
        digital_post_scope = token_has_scope(request, services.SCOPE_DIGITAL_POST)
        audit.record(
            "kontaktregister.lookup",
            actor=request.user.organisation_number,
            request=request,
            object_type="kontaktregister.lookup",
            details={"persons": len(contacts), "digital_post": digital_post_scope},
        )
        # The serializers document the answer; plain dicts keep a 1000-person answer fast.
        people = [
            person_answer(c, contact_scope=contact_scope, digital_post_scope=digital_post_scope)
            for c in contacts
        ]
        return Response({"personer": people})


class PersonLookupV2(PersonLookup):
    include_unregistered_by_default = False
    takes_include_flag = True

    @extend_schema(
        request=LookupRequestV2,
        responses={
            200: LookupAnswer,
            400: OpenApiResponse(Problem, description="Not a list of 1 to 1000 valid identity numbers."),
        },
        summary="Look up contact information for up to 1000 persons (oppslagstjenesten v2)",
        description=(
            "As v1, but numbers the register does not know are left out of the answer unless "
            "inkluderIkkeRegistrerte is true, when they answer status IKKE_REGISTRERT."
        ),
    )
    def post(self, request):
        return super().post(request)


class PrintCertificateView(KrrView):
    """The print provider's address and certificate: public, as integrasjonspunktet fetches it without a token."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PrintAnswer}, summary="The print provider's certificate and address")
    def get(self, request):
        printing = services.print_certificate()
        return Response(
            {
                "postkasseleverandoerAdresse": printing.provider_address,
                "x509Sertifikat": printing.certificate_pem,
            }
        )

    @extend_schema(responses={200: PrintAnswer}, summary="The print provider's certificate and address")
    def post(self, request):
        return self.get(request)
