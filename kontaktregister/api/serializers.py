"""The lookup API's request and answer, with KRR's own field names (oppslagstjenesten v1)."""

from rest_framework import serializers

from core.api import IdentityNumberField
from kontaktregister.services import MAX_PERSONS_PER_LOOKUP


class LookupRequest(serializers.Serializer):
    personidentifikatorer = serializers.ListField(
        child=IdentityNumberField(max_length=20),
        min_length=1,
        max_length=MAX_PERSONS_PER_LOOKUP,
        help_text="Fødselsnummer or D-nummer, at most 1000.",
    )


class Kontaktinformasjon(serializers.Serializer):
    mobiltelefonnummer = serializers.CharField(allow_null=True)
    mobiltelefonnummer_oppdatert = serializers.DateTimeField(allow_null=True)
    mobiltelefonnummer_sist_verifisert = serializers.DateTimeField(allow_null=True)
    epostadresse = serializers.CharField(allow_null=True)
    epostadresse_oppdatert = serializers.DateTimeField(allow_null=True)
    epostadresse_sist_verifisert = serializers.DateTimeField(allow_null=True)


class DigitalPost(serializers.Serializer):
    postkasseadresse = serializers.CharField(allow_null=True)
    postkasseleverandoeradresse = serializers.CharField(allow_null=True)


class Person(serializers.Serializer):
    personidentifikator = serializers.CharField()
    status = serializers.ChoiceField(choices=["AKTIV", "SLETTET", "IKKE_REGISTRERT"])
    reservasjon = serializers.ChoiceField(choices=["JA", "NEI"], allow_null=True)
    spraak = serializers.CharField(allow_null=True)
    kontaktinformasjon = Kontaktinformasjon(allow_null=True)
    digitalpost = DigitalPost(required=False, allow_null=True, help_text="Only with the digital post scope.")
    sertifikat = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="The mailbox provider's certificate (PEM); digital post scope.",
    )


class LookupAnswer(serializers.Serializer):
    personer = Person(many=True)
