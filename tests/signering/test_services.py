"""Signing through the service functions: creating a job, the citizen's card signing it (prepare,
then complete) into a detached CMS signature that OpenSSL verifies against the issuer CA, and
everything that must be refused: another person's card, a revoked certificate, a signature over
other attributes, a closed or expired job, a login below level 4."""

import hashlib
import subprocess
from datetime import timedelta

import pytest
from asn1crypto import cms as asn1_cms
from asn1crypto import tsp  # noqa: F401  (registers signingCertificateV2 with asn1crypto's CMS)
from cryptography import x509
from django.utils import timezone

from core.models import AuditEvent
from idporten.models import LOA_HIGH, LOA_SUBSTANTIAL
from signering import cms, services
from signering.models import Signeringsoppdrag
from tests.folkeregister.factories import make_person, unique_identity_number
from tests.postkasse.factories import pdf
from tests.signering.factories import CardIssuer, card_signature, job, organisation

pytestmark = pytest.mark.django_db
Status = Signeringsoppdrag.Status


@pytest.fixture
def issuer():
    return CardIssuer()


@pytest.fixture
def kari():
    return make_person(given_name="Kari", family_name="Nordmann")


def sign(person, signing_job, certificate, key, **overrides):
    """What the page does: prepare with the card's certificate, the card signs, complete."""
    digest = services.prepare_signing(
        person.identity_number, signing_job.pk, certificate_der=certificate, acr=LOA_HIGH
    )
    return services.complete_signing(
        person.identity_number,
        signing_job.pk,
        signature=overrides.get("signature") or card_signature(key, digest),
        certificate_der=overrides.get("certificate", certificate),
        acr=LOA_HIGH,
    )


def openssl_verify(tmp_path, signature: bytes, content: bytes, ca_pem: bytes, *options: str):
    (tmp_path / "sig.p7s").write_bytes(signature)
    (tmp_path / "doc").write_bytes(content)
    (tmp_path / "ca.pem").write_bytes(ca_pem)
    command = ["openssl", "cms", "-verify", *options, "-binary", "-inform", "DER", "-in", "sig.p7s"]
    command += ["-content", "doc", "-CAfile", "ca.pem", "-purpose", "any", "-out", "/dev/null"]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)


def assert_still_waiting(signing_job):
    signing_job.refresh_from_db()
    assert signing_job.status == Status.VENTER
    assert signing_job.signature is None and signing_job.signed_at is None


# Creating a job


def test_a_new_job_keeps_the_document_its_digest_and_the_signer(kari):
    created = job(kari, title="Leiekontrakt Storgata 1", return_url="https://tjeneste.example.no/ferdig")
    stored = Signeringsoppdrag.objects.get()
    assert stored.pk == created.pk and stored.status == Status.VENTER
    assert bytes(stored.document) == pdf("Leiekontrakt") and stored.pages == 1
    assert stored.sha256 == hashlib.sha256(pdf("Leiekontrakt")).hexdigest()
    assert stored.signer == kari.identity_number
    assert timedelta(days=29) < stored.expires_at - timezone.now() <= timedelta(days=30)
    assert AuditEvent.objects.filter(action="signering.job_created", object_id=str(stored.pk)).exists()


def test_a_text_is_kept_as_its_utf8_bytes(kari):
    created = job(kari, text="Jeg samtykker til vilkårene.\n")
    assert bytes(created.document) == "Jeg samtykker til vilkårene.\n".encode()
    assert created.kind == Signeringsoppdrag.Kind.TEXT and created.pages is None
    assert created.text == "Jeg samtykker til vilkårene.\n"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pdf": b"Not a PDF at all"}, "er ikke en PDF"),
        ({"pdf": b"%PDF-" + b"0" * services.MAX_DOCUMENT_BYTES}, "for stort"),
        ({"text": "   "}, "tom"),
        ({"text": "Tekst", "pdf": b"%PDF-1.4"}, "enten som PDF eller som tekst"),
        ({"signer": "12345678901"}, "ikke et gyldig fødselsnummer"),
        ({"signer": ""}, "ikke et gyldig fødselsnummer"),
        ({"title": " "}, "tittel"),
        ({"return_url": "http://tjeneste.example.no/ferdig"}, "https"),
        ({"return_url": "javascript:alert(1)"}, "https"),
        ({"expires_at": timezone.now() + timedelta(days=91)}, "90 dager"),
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "90 dager"),
    ],
)
def test_an_invalid_job_is_refused_and_nothing_stored(kari, fields, message):
    with pytest.raises(services.InvalidJob) as refused:
        job(kari, **fields)
    assert message in refused.value.message
    assert not Signeringsoppdrag.objects.exists()


def test_the_signer_must_be_in_the_population_register():
    with pytest.raises(services.InvalidJob) as refused:
        services.create_job(organisation(), title="Avtale", signer=unique_identity_number(), text="Ja")
    assert "Ingen person med fødselsnummer" in refused.value.message


def test_a_localhost_return_url_is_allowed_for_testing(kari):
    assert job(kari, return_url="http://localhost:8080/ferdig").return_url == "http://localhost:8080/ferdig"


# Signing


def test_the_signature_verifies_with_openssl_against_the_issuer_ca(kari, issuer, tmp_path):
    certificate, key = issuer.card(kari)
    signed = sign(kari, job(kari), certificate, key)
    assert signed.status == Status.SIGNERT and signed.signed_at is not None
    result = openssl_verify(tmp_path, bytes(signed.signature), pdf("Leiekontrakt"), issuer.pem)
    assert result.returncode == 0, result.stderr
    # With -cades OpenSSL also checks that signingCertificateV2 names the signer's certificate.
    result = openssl_verify(tmp_path, bytes(signed.signature), pdf("Leiekontrakt"), issuer.pem, "-cades")
    assert result.returncode == 0, result.stderr


def test_openssl_refuses_the_signature_for_a_changed_document(kari, issuer, tmp_path):
    certificate, key = issuer.card(kari)
    signed = sign(kari, job(kari), certificate, key)
    tampered = pdf("Leiekontrakt") + b"\n"
    result = openssl_verify(tmp_path, bytes(signed.signature), tampered, issuer.pem)
    assert result.returncode != 0 and "verification failure" in result.stderr.lower()


def test_a_signed_text_verifies_over_its_utf8_bytes(kari, issuer, tmp_path):
    certificate, key = issuer.card(kari)
    signed = sign(kari, job(kari, text="Jeg bekrefter at opplysningene er riktige. Æ Ø Å"), certificate, key)
    content = "Jeg bekrefter at opplysningene er riktige. Æ Ø Å".encode()
    assert openssl_verify(tmp_path, bytes(signed.signature), content, issuer.pem).returncode == 0


def test_the_cms_is_detached_sha256_ecdsa_with_the_signing_certificate_bound(kari, issuer):
    certificate, key = issuer.card(kari)
    signed = sign(kari, job(kari), certificate, key)
    content = asn1_cms.ContentInfo.load(bytes(signed.signature))
    data = content["content"]
    assert content["content_type"].native == "signed_data" and data["version"].native == "v1"
    assert data["encap_content_info"]["content_type"].native == "data"
    assert data["encap_content_info"]["content"].native is None
    assert [a["algorithm"].native for a in data["digest_algorithms"]] == ["sha256"]
    assert [c.chosen.dump() for c in data["certificates"]] == [certificate]
    signer = data["signer_infos"][0]
    leaf = x509.load_der_x509_certificate(certificate)
    assert signer["sid"].chosen["serial_number"].native == leaf.serial_number
    assert signer["signature_algorithm"]["algorithm"].native == "sha256_ecdsa"
    attributes = {a["type"].native: a["values"][0] for a in signer["signed_attrs"]}
    assert attributes["content_type"].native == "data"
    assert attributes["message_digest"].native == hashlib.sha256(pdf("Leiekontrakt")).digest()
    assert abs(attributes["signing_time"].native - signed.signed_at) < timedelta(minutes=1)
    cert_id = attributes["signing_certificate_v2"]["certs"][0]
    assert cert_id["cert_hash"].native == hashlib.sha256(certificate).digest()
    assert cert_id["issuer_serial"]["serial_number"].native == leaf.serial_number
    assert signed.signer_subject == leaf.subject.rfc4514_string()
    assert AuditEvent.objects.filter(action="signering.signed", actor=kari.identity_number).exists()


def test_the_card_signs_the_sha256_of_the_kept_signed_attributes(kari, issuer):
    certificate, _key = issuer.card(kari)
    signing_job = job(kari)
    digest = services.prepare_signing(
        kari.identity_number, signing_job.pk, certificate_der=certificate, acr=LOA_HIGH
    )
    signing_job.refresh_from_db()
    assert digest == hashlib.sha256(bytes(signing_job.signed_attributes)).digest()
    assert bytes(signing_job.signed_attributes)[0] == 0x31  # a SET, as RFC 5652 5.4 has it signed


# Refusals


def test_another_persons_card_is_refused(kari, issuer):
    ola = make_person(given_name="Ola")
    certificate, key = issuer.card(ola)
    signing_job = job(kari)
    with pytest.raises(services.SigningRefused) as refused:
        sign(kari, signing_job, certificate, key)
    assert "tilhører en annen" in refused.value.message
    assert_still_waiting(signing_job)
    assert AuditEvent.objects.filter(
        action="signering.signing_refused", object_id=str(signing_job.pk), outcome="denied"
    ).exists()


def test_a_citizen_who_is_not_the_signer_does_not_find_the_job(kari, issuer):
    ola = make_person(given_name="Ola")
    certificate, key = issuer.card(ola)
    signing_job = job(kari)
    with pytest.raises(services.JobNotFound):
        sign(ola, signing_job, certificate, key)
    assert_still_waiting(signing_job)


def test_a_revoked_certificate_is_refused(kari, issuer):
    certificate, key = issuer.card(kari)
    issuer.revoke(x509.load_der_x509_certificate(certificate).serial_number)
    signing_job = job(kari)
    with pytest.raises(services.SigningRefused) as refused:
        sign(kari, signing_job, certificate, key)
    assert refused.value.message.startswith("Sertifikatet på kortet kan ikke brukes:")
    refusal = AuditEvent.objects.get(action="signering.signing_refused", object_id=str(signing_job.pk))
    assert refusal.details["reason"] == "revoked" and refusal.outcome == "denied"
    assert_still_waiting(signing_job)


def test_a_certificate_revoked_between_prepare_and_complete_is_refused(kari, issuer):
    certificate, key = issuer.card(kari)
    signing_job = job(kari)
    digest = services.prepare_signing(
        kari.identity_number, signing_job.pk, certificate_der=certificate, acr=LOA_HIGH
    )
    issuer.revoke(x509.load_der_x509_certificate(certificate).serial_number)
    with pytest.raises(services.SigningRefused):
        services.complete_signing(
            kari.identity_number,
            signing_job.pk,
            signature=card_signature(key, digest),
            certificate_der=certificate,
            acr=LOA_HIGH,
        )
    assert_still_waiting(signing_job)


def test_a_signature_over_other_attributes_is_refused(kari, issuer):
    certificate, key = issuer.card(kari)
    signing_job = job(kari)
    services.prepare_signing(kari.identity_number, signing_job.pk, certificate_der=certificate, acr=LOA_HIGH)
    other_document = hashlib.sha256(b"another contract").digest()
    other = cms.signed_attributes(other_document, certificate, signing_time=timezone.now())
    with pytest.raises(services.SigningRefused) as refused:
        services.complete_signing(
            kari.identity_number,
            signing_job.pk,
            signature=card_signature(key, cms.digest_to_sign(other)),
            certificate_der=certificate,
            acr=LOA_HIGH,
        )
    assert "stemmer ikke med dokumentet" in refused.value.message
    assert_still_waiting(signing_job)


def test_a_signature_with_another_certificate_than_prepared_is_refused(kari, issuer):
    certificate, key = issuer.card(kari)
    second_certificate, second_key = issuer.card(kari)
    signing_job = job(kari)
    digest = services.prepare_signing(
        kari.identity_number, signing_job.pk, certificate_der=certificate, acr=LOA_HIGH
    )
    with pytest.raises(services.SigningRefused):
        services.complete_signing(
            kari.identity_number,
            signing_job.pk,
            signature=card_signature(second_key, digest),
            certificate_der=second_certificate,
            acr=LOA_HIGH,
        )
    assert_still_waiting(signing_job)


def test_completing_without_preparing_is_refused(kari, issuer):
    certificate, key = issuer.card(kari)
    signing_job = job(kari)
    with pytest.raises(services.SigningRefused):
        services.complete_signing(
            kari.identity_number,
            signing_job.pk,
            signature=card_signature(key, b"\0" * 32),
            certificate_der=certificate,
            acr=LOA_HIGH,
        )
    assert_still_waiting(signing_job)


def test_a_preparation_older_than_ten_minutes_must_be_done_again(kari, issuer):
    certificate, key = issuer.card(kari)
    signing_job = job(kari)
    digest = services.prepare_signing(
        kari.identity_number, signing_job.pk, certificate_der=certificate, acr=LOA_HIGH
    )
    Signeringsoppdrag.objects.filter(pk=signing_job.pk).update(
        prepared_at=timezone.now() - services.PREPARED_TTL - timedelta(seconds=1)
    )
    with pytest.raises(services.SigningRefused):
        services.complete_signing(
            kari.identity_number,
            signing_job.pk,
            signature=card_signature(key, digest),
            certificate_der=certificate,
            acr=LOA_HIGH,
        )
    assert_still_waiting(signing_job)


def test_signing_needs_a_level_4_login(kari, issuer):
    certificate, _key = issuer.card(kari)
    signing_job = job(kari)
    with pytest.raises(services.StepUpRequired):
        services.prepare_signing(
            kari.identity_number, signing_job.pk, certificate_der=certificate, acr=LOA_SUBSTANTIAL
        )
    signing_job.refresh_from_db()
    assert signing_job.signed_attributes is None


def test_a_signed_job_cannot_be_signed_or_declined_again(kari, issuer):
    certificate, key = issuer.card(kari)
    signing_job = job(kari)
    sign(kari, signing_job, certificate, key)
    with pytest.raises(services.JobClosed):
        sign(kari, signing_job, certificate, key)
    with pytest.raises(services.JobClosed):
        services.decline(kari.identity_number, signing_job.pk, acr=LOA_HIGH)
    signing_job.refresh_from_db()
    assert signing_job.status == Status.SIGNERT and signing_job.declined_at is None


# Declining and expiry


def test_the_signer_declines_and_the_job_can_no_longer_be_signed(kari, issuer):
    certificate, key = issuer.card(kari)
    signing_job = job(kari)
    declined = services.decline(kari.identity_number, signing_job.pk, acr=LOA_HIGH)
    assert declined.status == Status.AVVIST and declined.declined_at is not None
    assert AuditEvent.objects.filter(action="signering.declined", object_id=str(signing_job.pk)).exists()
    with pytest.raises(services.JobClosed):
        sign(kari, signing_job, certificate, key)


def test_a_job_past_its_expiry_is_expired_and_cannot_be_signed(kari, issuer):
    certificate, key = issuer.card(kari)
    signing_job = job(kari)
    Signeringsoppdrag.objects.filter(pk=signing_job.pk).update(expires_at=timezone.now())
    with pytest.raises(services.JobClosed):
        sign(kari, signing_job, certificate, key)
    assert services.job_of(organisation(), signing_job.pk).status == Status.UTLOPT
    assert AuditEvent.objects.filter(action="signering.job_expired", object_id=str(signing_job.pk)).exists()
    assert not services.jobs_to_sign(kari.identity_number).exists()
