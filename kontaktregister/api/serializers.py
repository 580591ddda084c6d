"""The lookup API's request and answer as the OpenAPI schema documents them, with KRR's own field
names (oppslagstjenesten v1/v2). The views build the answer as plain dicts; JSON Schema in
api/schema/personer-v2.schema.json is what the tests hold every answer to."""

from rest_framework import serializers

from core.api import IdentityNumberField
from kontaktregister.services import MAX_PERSONS_PER_LOOKUP

MOMENT = "Norwegian time with the hour offset, as 2023-06-29T10:14:52+02."


class LookupRequest(serializers.Serializer):
    personidentifikatorer = serializers.ListField(
        child=IdentityNumberField(max_length=20),
        min_length=1,
        max_length=MAX_PERSONS_PER_LOOKUP,
        help_text="Fødselsnummer or D-nummer, at most 1000.",
    )


class LookupRequestV2(LookupRequest):
    inkluderIkkeRegistrerte = serializers.BooleanField(  # noqa: N815 (KRR's field name)
        required=False,
        help_text="Answer numbers the register does not know as IKKE_REGISTRERT; without it they are left out.",
    )


class Kontaktinformasjon(serializers.Serializer):
    epostadresse = serializers.CharField(required=False)
    epostadresse_oppdatert = serializers.CharField(required=False, help_text=MOMENT)
    epostadresse_sist_verifisert = serializers.CharField(required=False, help_text=MOMENT)
    mobiltelefonnummer = serializers.CharField(required=False)
    mobiltelefonnummer_oppdatert = serializers.CharField(required=False, help_text=MOMENT)
    mobiltelefonnummer_sist_verifisert = serializers.CharField(required=False, help_text=MOMENT)


class DigitalPost(serializers.Serializer):
    postkasseadresse = serializers.CharField()
    postkasseleverandoeradresse = serializers.CharField(
        help_text="The mailbox provider's organisation number."
    )


class Person(serializers.Serializer):
    personidentifikator = serializers.CharField()
    reservasjon = serializers.ChoiceField(choices=["JA", "NEI"], required=False)
    reservasjonstidspunkt = serializers.CharField(required=False, help_text=MOMENT)
    reservasjon_oppdatert = serializers.CharField(required=False, help_text=MOMENT)
    status = serializers.ChoiceField(choices=["AKTIV", "SLETTET", "IKKE_REGISTRERT"])
    varslingsstatus = serializers.ChoiceField(choices=["KAN_VARSLES", "KAN_IKKE_VARSLES"], required=False)
    kontaktinformasjon = Kontaktinformasjon(required=False)
    digital_post = DigitalPost(required=False, help_text="Only with krr:global/digitalpost.read.")
    sertifikat = serializers.CharField(
        required=False, help_text="The mailbox provider's certificate, base64 DER; digital post scope."
    )
    spraak = serializers.CharField(required=False)
    spraak_oppdatert = serializers.CharField(required=False, help_text=MOMENT)


class LookupAnswer(serializers.Serializer):
    personer = Person(many=True)


class PrintAnswer(serializers.Serializer):
    postkasseleverandoerAdresse = serializers.CharField()  # noqa: N815 (KRR's field name)
    x509Sertifikat = serializers.CharField(help_text="PEM.")  # noqa: N815 (KRR's field name)
