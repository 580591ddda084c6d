"""The send API's request and answers, with DPI-style Norwegian field names. Each request field's
`source` is the name accept_letter takes, so the validated data goes to the service as it is;
a field left out keeps the Letter model's default."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import (
    Base64Field,
    IdentityNumberField,
    IntegerChoiceField,
    StrictBooleanField,
    StrictIntegerField,
    StringField,
)
from postkasse.models import Letter, Receipt
from postkasse.services.sending import MAX_REMINDERS


class Dokument(serializers.Serializer):
    tittel = StringField(
        source="title", max_length=200, required=False, allow_blank=True, help_text="Default: filnavn."
    )
    filnavn = StringField(source="filename", max_length=200)
    innhold = Base64Field(source="content", help_text="The PDF, base64-encoded (standard alphabet).")


class Varsling(serializers.Serializer):
    sms = StrictBooleanField(source="notify_sms", required=False, help_text="Default: true.")
    epost = StrictBooleanField(source="notify_email", required=False, help_text="Default: true.")
    paaminnelse_etter_dager = serializers.ListField(
        source="reminder_days",
        child=StrictIntegerField(min_value=1, max_value=60),
        max_length=MAX_REMINDERS,
        required=False,
        help_text="Reminders after these many days, at most 3, each 1 to 60.",
    )


class Utskrift(serializers.Serializer):
    tillatt = StrictBooleanField(
        source="print_fallback",
        required=False,
        help_text="Print if the recipient cannot get digital post. Default: true.",
    )
    postklasse = serializers.ChoiceField(
        source="post_class", choices=Letter.PostClass.choices, required=False, help_text="Default: B."
    )
    farge = StrictBooleanField(source="colour", required=False, help_text="Default: false.")
    returadresse = serializers.ListField(
        source="return_address",
        child=StringField(max_length=100),
        max_length=5,
        required=False,
        help_text="Lines of the return address. Default: the sender's name.",
    )


class NyForsendelse(serializers.Serializer):
    mottaker = IdentityNumberField(source="recipient", max_length=20, help_text="Fødselsnummer or D-nummer.")
    tittel = StringField(source="title", max_length=200, help_text="Not sensitive: shown in notifications.")
    sensitiv_tittel = StringField(
        source="sensitive_title",
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Shown only in the mailbox, after login.",
    )
    dokumenter = Dokument(
        source="documents",
        many=True,
        allow_empty=False,
        max_length=settings.POSTKASSE_MAX_DOCUMENTS,
        error_messages={"empty": _("A letter needs a main document.")},
        help_text="PDFs; the first is the main document, the rest attachments.",
    )
    sikkerhetsnivaa = IntegerChoiceField(
        source="security_level",
        choices=[3, 4],
        required=False,
        help_text="The ID-porten level needed to open the letter. Default: 3.",
    )
    virkningsdato = serializers.DateTimeField(
        required=False, allow_null=True, help_text="The letter is not visible before this time."
    )
    prioritet = serializers.ChoiceField(
        source="priority", choices=Letter.Priority.choices, required=False, help_text="Default: normal."
    )
    varsling = Varsling(source="*", required=False)
    aapningskvittering = StrictBooleanField(
        source="opening_receipt",
        required=False,
        help_text="Send an aapnet receipt when the recipient opens the letter. Default: false.",
    )
    utskrift = Utskrift(source="*", required=False)


class Kanal(serializers.ChoiceField):
    """The channel, or null while the letter is not routed yet."""

    def to_representation(self, value):
        return value or None


class Kvittering(serializers.Serializer):
    id = serializers.IntegerField()
    forsendelse = serializers.UUIDField(source="letter_id")
    type = serializers.ChoiceField(source="kind", choices=Receipt.Kind.choices)
    tidspunkt = serializers.DateTimeField(source="created")
    aarsak = serializers.CharField(source="reason", help_text="Why, for feilet and similar; may be empty.")
    bekreftet = serializers.DateTimeField(
        source="acknowledged_at", allow_null=True, help_text="When the sender acknowledged it."
    )


class Forsendelse(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Letter.Status.choices)
    kanal = Kanal(source="channel", choices=Letter.Channel.choices, allow_null=True)
    pris_oere = serializers.IntegerField(
        source="price_ore", allow_null=True, help_text="The price in øre, once delivered or printed."
    )
    mottatt = serializers.DateTimeField(source="accepted_at")
    levert = serializers.DateTimeField(source="delivered_at", allow_null=True)
    aarsak = serializers.CharField(source="failure_reason", help_text="Why it failed; may be empty.")
    kvitteringer = Kvittering(source="receipts", many=True)


class Kvitteringer(serializers.Serializer):
    kvitteringer = Kvittering(many=True)
