"""POST /api/krr/v1/personer: KRR lookup for agencies with a Maskinporten token."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core import audit
from core.api_parsers import JSONParser
from core.openapi import Problem
from idporten.drf import HasScope, MaskinportenAuthentication
from kontaktregister import services
from kontaktregister.api.renderers import FastJSONRenderer
from kontaktregister.api.serializers import LookupAnswer, LookupRequest


def _person(contact: services.Contact, *, with_digital_post: bool) -> dict:
    registered = contact.status != "IKKE_REGISTRERT"
    answer = {
        "personidentifikator": contact.identity_number,
        "status": contact.status,
        "reservasjon": ("JA" if contact.reserved else "NEI") if registered else None,
        "spraak": contact.language,
        "kontaktinformasjon": {
            "mobiltelefonnummer": contact.mobile,
            "mobiltelefonnummer_oppdatert": contact.mobile_updated_at,
            "mobiltelefonnummer_sist_verifisert": contact.mobile_verified_at,
            "epostadresse": contact.email,
            "epostadresse_oppdatert": contact.email_updated_at,
            "epostadresse_sist_verifisert": contact.email_verified_at,
        }
        if registered
        else None,
    }
    if with_digital_post:
        answer["digitalpost"] = (
            {
                "postkasseadresse": contact.mailbox_address,
                "postkasseleverandoeradresse": contact.mailbox_provider,
            }
            if contact.mailbox_address
            else None
        )
        answer["sertifikat"] = contact.mailbox_certificate
    return answer


class PersonLookup(APIView):
    authentication_classes = [MaskinportenAuthentication]
    permission_classes = [HasScope]
    renderer_classes = [FastJSONRenderer]
    # JSON only, as oppslagstjenesten takes it: a form body could never carry the list of numbers.
    parser_classes = [JSONParser]
    required_scopes = [services.SCOPE_CONTACT]

    @extend_schema(
        request=LookupRequest,
        responses={
            200: LookupAnswer,
            400: OpenApiResponse(Problem, description="Not a list of 1 to 1000 valid identity numbers."),
        },
        summary="Look up contact information for up to 1000 persons",
        description=(
            "Needs a Maskinporten token with the scope krr:kontaktinformasjon; mailbox and certificate "
            "are included with krr:digitalpost. Unknown numbers answer IKKE_REGISTRERT."
        ),
    )
    def post(self, request):
        numbers = request.data.get("personidentifikatorer") if isinstance(request.data, dict) else None
        if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
            # The service checks each number; field-by-field serializer validation of 1000 strings costs
            # more than the lookup itself, so only the shape is checked here.
            return Response(
                {"code": "invalid_lookup", "detail": "personidentifikatorer must be a list of strings."},
                status=400,
            )
        try:
            contacts = services.lookup(numbers)
        except services.KontaktregisterError as error:
            return Response({"code": error.code, "detail": error.message}, status=400)
        with_digital_post = services.SCOPE_DIGITAL_POST in request.auth.get("scope", "").split()
        audit.record(
            "kontaktregister.lookup",
            actor=request.user.organisation_number,
            request=request,
            object_type="kontaktregister.lookup",
            details={"persons": len(contacts), "digital_post": with_digital_post},
        )
        # The serializers document the answer; plain dicts keep a 1000-person answer fast.
        return Response({"personer": [_person(c, with_digital_post=with_digital_post) for c in contacts]})
