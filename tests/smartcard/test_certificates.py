"""verify_certificate: the chain to a registered issuer, dates, usage, revocation, and the person."""

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone

from core.models import AuditEvent
from smartkort import issuance, services
from smartkort.models import CertificateMapping, Provider, serial_hex
from tests.folkeregister.factories import make_person
from tests.smartcard.factories import TestIssuer, der

pytestmark = pytest.mark.django_db


@pytest.fixture
def buypass():
    return TestIssuer()


@pytest.fixture
def kari():
    return make_person(given_name="Kari", family_name="Nordmann")


def refusal(certificate_der: bytes, **options) -> str:
    with pytest.raises(services.CertificateRefused) as refused:
        services.verify_certificate(certificate_der, **options)
    assert refused.value.message  # a reason for the person in front of the screen
    return refused.value.code


def test_a_card_from_a_registered_issuer_names_its_holder(buypass, kari):
    certificate, _key = buypass.card(kari)
    holder = services.verify_certificate(der(certificate))
    assert holder == services.CardHolder(
        identity_number=kari.identity_number,
        name="Kari Nordmann",
        issuer="Felles Test Buypass Class 3 CA",
        provider=Provider.BUYPASS,
        serial=format(certificate.serial_number, "x"),
    )
    event = AuditEvent.objects.get(action="smartkort.certificate_accepted")
    assert event.actor == kari.identity_number and event.object_id == holder.serial


def test_the_bare_eleven_digits_are_accepted_as_the_identity_number(buypass, kari):
    certificate, _key = buypass.card(kari, subject_serial=kari.identity_number)
    assert services.verify_certificate(der(certificate)).identity_number == kari.identity_number


def test_an_expired_certificate_is_refused(buypass, kari):
    now = timezone.now()
    certificate, _key = buypass.card(
        kari, valid_from=now - timedelta(days=400), valid_to=now - timedelta(days=1)
    )
    assert refusal(der(certificate)) == "expired"
    assert AuditEvent.objects.get(action="smartkort.certificate_refused").details["code"] == "expired"


def test_a_certificate_not_yet_valid_is_refused(buypass, kari):
    now = timezone.now()
    certificate, _key = buypass.card(
        kari, valid_from=now + timedelta(days=1), valid_to=now + timedelta(days=400)
    )
    assert refusal(der(certificate)) == "not_yet_valid"


def test_validity_is_checked_at_the_time_asked_for(buypass, kari):
    certificate, _key = buypass.card(kari)
    assert refusal(der(certificate), at=timezone.now() + timedelta(days=5 * 365)) == "expired"


def test_a_revoked_certificate_is_refused(buypass, kari):
    certificate, _key = buypass.card(kari)
    buypass.publish(certificate.serial_number)
    assert refusal(der(certificate)) == "revoked"


def test_only_the_current_list_counts(buypass, kari):
    certificate, _key = buypass.card(kari)
    buypass.publish(certificate.serial_number)
    buypass.publish()  # newer list: the revocation was lifted (certificate hold released)
    assert services.verify_certificate(der(certificate)).identity_number == kari.identity_number


def test_without_a_current_revocation_list_every_card_is_refused(kari):
    issuer = TestIssuer(crl=False)
    now = timezone.now()
    issuer.publish(this_update=now - timedelta(days=2), next_update=now - timedelta(hours=1))  # outdated
    certificate, _key = issuer.card(kari)
    assert refusal(der(certificate)) == "no_current_crl"


def test_a_certificate_from_an_unknown_issuer_is_refused(kari):
    ca, key = issuance.create_issuer_ca("Some Other CA", "Buypass")
    certificate, _key = issuance.issue_person_certificate(ca, key, kari.identity_number, "Kari", "Nordmann")
    assert refusal(der(certificate)) == "unknown_issuer"


def test_a_certificate_signed_by_another_ca_with_the_registered_name_is_refused(buypass, kari):
    impostor, impostor_key = issuance.create_issuer_ca("Felles Test Buypass Class 3 CA", "Buypass")
    assert impostor.subject == buypass.ca.subject
    certificate, _key = issuance.issue_person_certificate(
        impostor, impostor_key, kari.identity_number, "Kari", "Nordmann"
    )
    assert refusal(der(certificate)) == "unknown_issuer"


def test_an_inactive_issuer_is_not_trusted(buypass, kari):
    certificate, _key = buypass.card(kari)
    buypass.issuer.active = False
    services.save_issuer(buypass.issuer, changed_by="test")
    assert refusal(der(certificate)) == "unknown_issuer"


def test_the_ca_certificate_itself_is_refused(buypass):
    assert refusal(der(buypass.ca)) == "ca_certificate"


def hand_made(buypass, kari, *, digital_signature=True, extension=None) -> x509.Certificate:
    """A person certificate from the test CA, built here for what issuance.py never makes."""
    now = timezone.now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name.from_rfc4514_string(f"2.5.4.5=PNONO-{kari.identity_number},CN=Kari Nordmann"))
        .issuer_name(buypass.ca.subject)
        .public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature, False, not digital_signature, False, False, False, False, False, False
            ),
            critical=True,
        )
    )
    if extension is not None:
        builder = builder.add_extension(extension, critical=True)
    return builder.sign(buypass.key, hashes.SHA256())


def test_a_hand_made_certificate_with_the_usual_fields_is_accepted(buypass, kari):
    assert services.verify_certificate(der(hand_made(buypass, kari))).identity_number == kari.identity_number


def test_a_certificate_without_digital_signature_usage_is_refused(buypass, kari):
    assert refusal(der(hand_made(buypass, kari, digital_signature=False))) == "key_usage"


def test_a_certificate_with_a_critical_extension_we_do_not_know_is_refused(buypass, kari):
    unknown = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00")
    assert refusal(der(hand_made(buypass, kari, extension=unknown))) == "critical_extension"


def test_garbage_is_refused(buypass):
    assert refusal(b"not a certificate") == "malformed"


def test_a_certificate_without_an_identity_number_needs_a_registration(buypass, kari):
    certificate, _key = buypass.card(kari, subject_serial="9578-4050-127091783")
    assert refusal(der(certificate)) == "no_person"
    services.save_mapping(
        CertificateMapping(
            issuer=buypass.issuer,
            serial=":".join(f"{b:02X}" for b in certificate.serial_number.to_bytes(20, "big")),
            identity_number=kari.identity_number,
        ),
        changed_by="test",
    )
    assert services.verify_certificate(der(certificate)).identity_number == kari.identity_number


def test_an_invalid_identity_number_in_the_certificate_is_not_taken(buypass, kari):
    wrong = kari.identity_number[:10] + str((int(kari.identity_number[10]) + 1) % 10)
    certificate, _key = buypass.card(kari, subject_serial=f"PNONO-{wrong}")
    assert refusal(der(certificate)) == "no_person"


def test_a_registration_for_another_issuer_does_not_count(buypass, kari):
    other = TestIssuer("Felles Test Commfides Person-High CA", Provider.COMMFIDES)
    certificate, _key = buypass.card(kari, subject_serial="9578-4050-127091783")
    services.save_mapping(
        CertificateMapping(
            issuer=other.issuer,
            serial=serial_hex(certificate.serial_number),
            identity_number=kari.identity_number,
        ),
        changed_by="test",
    )
    assert refusal(der(certificate)) == "no_person"
