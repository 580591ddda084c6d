"""The signing API's request and answers, with Norwegian field names like the other Felles APIs."""

from django.urls import reverse
from rest_framework import serializers

from core.api import Base64Field, IdentityNumberField, StringField
from signering.models import Signeringsoppdrag
from signering.services import MAX_TEXT_CHARACTERS


class NyttOppdrag(serializers.Serializer):
    tittel = StringField(source="title", max_length=200, help_text="Shown to the signer.")
    signerer = IdentityNumberField(
        source="signer",
        max_length=20,
        help_text="The fødselsnummer or D-nummer of the one person who must sign.",
    )
    pdf = Base64Field(
        required=False,
        allow_null=True,
        help_text="The document as a PDF, base64-encoded (at most 10 MB). Either pdf or tekst.",
    )
    tekst = StringField(
        source="text",
        required=False,
        allow_null=True,
        trim_whitespace=False,
        max_length=MAX_TEXT_CHARACTERS,
        help_text="The document as plain text; its UTF-8 bytes are what is signed. Either pdf or tekst.",
    )
    returadresse = StringField(
        source="return_url",
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Where the citizen is sent back after signing or declining: https, or http://localhost.",
    )
    utloper = serializers.DateTimeField(
        source="expires_at", required=False, help_text="Default: in 30 days; at most 90 days away."
    )


class Oppdragsdokument(serializers.Serializer):
    type = serializers.ChoiceField(source="kind", choices=Signeringsoppdrag.Kind.choices)
    sha256 = serializers.CharField(
        help_text="Hex SHA-256 of the document's bytes: the signature's messageDigest."
    )
    sider = serializers.IntegerField(source="pages", allow_null=True, help_text="Pages of a PDF.")


class Oppdrag(serializers.Serializer):
    id = serializers.UUIDField()
    tittel = serializers.CharField(source="title")
    signerer = serializers.CharField(source="signer")
    status = serializers.ChoiceField(choices=Signeringsoppdrag.Status.choices)
    dokument = Oppdragsdokument(source="*")
    opprettet = serializers.DateTimeField(source="created_at")
    utloper = serializers.DateTimeField(source="expires_at")
    signert = serializers.DateTimeField(source="signed_at", allow_null=True)
    avvist = serializers.DateTimeField(source="declined_at", allow_null=True)
    sertifikat = serializers.CharField(
        source="signer_subject", help_text="The subject of the signer's certificate, once signed."
    )
    returadresse = serializers.CharField(source="return_url")
    signeringsadresse = serializers.SerializerMethodField(
        help_text="Send the citizen here to sign (they log in at level 4 first)."
    )
    signatur = serializers.SerializerMethodField(
        help_text="Where to fetch the detached CMS signature, once signed; otherwise null."
    )

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_signeringsadresse(self, job) -> str:
        return self._absolute(reverse("signering:job", args=[job.pk]))

    def get_signatur(self, job) -> str | None:
        if job.status != Signeringsoppdrag.Status.SIGNERT:
            return None
        return self._absolute(reverse("signering-signatur", args=[job.pk]))


class Oppdragsliste(serializers.Serializer):
    oppdrag = Oppdrag(many=True)
    neste = serializers.CharField(allow_null=True, help_text="The next page, or null on the last one.")
