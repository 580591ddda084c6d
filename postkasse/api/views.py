"""The agency API of Sikker digital post (DPI) with a Maskinporten token and the send scope: hand over
a letter, read its state and receipts, and poll and acknowledge the receipt feed."""

import re

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_lines, problem
from core.api_parsers import refuse_nul
from core.openapi import Problem
from maskinporten.drf import HasScope, MaskinportenAuthentication
from postkasse import services
from postkasse.api.serializers import Forsendelse, Kvittering, Kvitteringer, NyForsendelse
from postkasse.services.receipts import MAX_RECEIPTS_PER_CALL, accepted_letter
from virksomheter.models import ScopeGrant
from virksomheter.services import OrganisationNotFound, get_organisation

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 100
# No space at either end: proxies may trim a header's value, and the same key must mean the same letter.
IDEMPOTENCY_KEY_PATTERN = r"^\S(.*\S)?$"
# Base64 makes the documents a third larger; this is room for the rest of the JSON around them.
JSON_ALLOWANCE_BYTES = 1024 * 1024


def max_body_bytes() -> int:
    return settings.POSTKASSE_MAX_LETTER_BYTES * 4 // 3 + JSON_ALLOWANCE_BYTES


class LetterTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "letter_too_large"

    def __init__(self):
        super().__init__(
            _("The letter is too large: the documents may be at most %(size)s together.")
            % {"size": filesizeformat(settings.POSTKASSE_MAX_LETTER_BYTES)}
        )


class UnknownSender(exceptions.PermissionDenied):
    def __init__(self, error: OrganisationNotFound):
        super().__init__({"code": error.code, "detail": error.message})


class SenderView(APIView):
    """A view for the organisation in the token, with the send scope."""

    authentication_classes = [MaskinportenAuthentication]
    permission_classes = [HasScope]
    required_scopes = [ScopeGrant.Scope.DIGITAL_POST_SEND.value]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        try:
            self.sender = get_organisation(request.user.organisation_number)
        except OrganisationNotFound as error:
            raise UnknownSender(error) from None


class Forsendelser(SenderView):
    # The letter's documents in base64 are far beyond Django's 2.5 MB for a body; the JSON parser reads
    # up to this and answers 413 letter_too_large above it.
    body_too_large = LetterTooLarge

    @property
    def max_body_bytes(self) -> int:
        return max_body_bytes()

    @extend_schema(
        request=NyForsendelse,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH,
                    "pattern": IDEMPOTENCY_KEY_PATTERN,
                },
                OpenApiParameter.HEADER,
                required=True,
                description=(
                    "Your unique key for this letter (1 to 100 characters, no space at either end). Sending "
                    "again with the same key answers 200 with the letter accepted the first time, never a "
                    "second letter."
                ),
            )
        ],
        responses={
            201: OpenApiResponse(Forsendelse, description="Accepted; routing and delivery follow."),
            200: OpenApiResponse(Forsendelse, description="Already accepted with this Idempotency-Key."),
            400: OpenApiResponse(Problem, description="Invalid letter; nothing was stored."),
            413: OpenApiResponse(Problem, description="Larger than the letter limit."),
        },
        summary="Send a letter to a person",
        description=(
            "Needs a Maskinporten token with the scope digitalpostinnbygger:send. The letter goes to the "
            "recipient's digital mailbox, or to print when they have none and print is allowed; follow it "
            "with GET /api/post/v1/forsendelser/{id} or the receipt feed. Documents are PDFs in base64, "
            "at most 30 MB together before encoding."
        ),
    )
    def post(self, request):
        key = request.headers.get(IDEMPOTENCY_HEADER, "")
        if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
            return problem(
                "idempotency_key_missing",
                _(
                    "The Idempotency-Key header is required: your unique key for this letter, 1 to 100 "
                    "characters without a space at either end."
                ),
                400,
            )
        # The key is stored with the letter, so it obeys the rule of every string the API takes.
        refuse_nul(key)
        try:
            body = NyForsendelse(data=request.data)
        except exceptions.ParseError as error:
            return problem("invalid_json", str(error.detail), 400)
        if not body.is_valid():
            return problem(
                services.InvalidLetter.code,
                "; ".join(error_lines(body.errors)),
                400,
                field_errors=body.errors,
            )
        values = dict(body.validated_data)
        documents = [
            services.DocumentIn(document.get("title", ""), document["filename"], document["content"])
            for document in values.pop("documents")
        ]
        try:
            letter, created = services.accept_letter(
                self.sender, idempotency_key=key, documents=documents, **values
            )
        except services.InvalidLetter as error:
            return problem(error.code, error.message, 400)
        # A new letter answers as it was accepted (routing follows in a task); a known key, as it is now.
        shown = accepted_letter(letter) if created else services.sent_letter(self.sender, letter.pk)
        answer = Forsendelse(shown).data
        location = reverse("post-forsendelse", args=[letter.pk])
        return Response(answer, status=201 if created else 200, headers={"Location": location})


class ForsendelseDetail(SenderView):
    @extend_schema(
        responses={200: Forsendelse, 404: Problem},
        summary="A letter's status, channel, price and receipts",
        description="Only the organisation that sent the letter sees it; for others it does not exist.",
    )
    def get(self, request, letter_id):
        try:
            letter = services.sent_letter(self.sender, letter_id)
        except services.LetterNotFound as error:
            return problem(error.code, error.message, 404)
        return Response(Forsendelse(letter).data)


class KvitteringFeed(SenderView):
    @extend_schema(
        responses=Kvitteringer,
        summary="Receipts not yet acknowledged",
        description=(
            f"Your organisation's unacknowledged receipts, oldest first, at most {MAX_RECEIPTS_PER_CALL} "
            "per call. Acknowledge each one to get the next ones."
        ),
    )
    def get(self, request):
        receipts = services.pending_receipts(self.sender)
        return Response({"kvitteringer": Kvittering(receipts, many=True).data})


class KvitteringBekreft(SenderView):
    @extend_schema(
        request=None,
        responses={200: Kvittering, 404: Problem},
        summary="Acknowledge a receipt",
        description="Takes the receipt off the feed. Acknowledging it again answers the same.",
    )
    def post(self, request, receipt_id):
        try:
            receipt = services.acknowledge_receipt(self.sender, receipt_id)
        except services.ReceiptNotFound as error:
            return problem(error.code, error.message, 404)
        return Response(Kvittering(receipt).data)
