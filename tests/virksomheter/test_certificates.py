from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from tests.virksomheter import pki
from tests.virksomheter.factories import new_organisation
from virksomheter import services
from virksomheter.certificates import CertificateRefused, verify_enterprise_certificate
from virksomheter.demo import seed_demo_organisations
from virksomheter.models import (
    CURRENT_TERMS_VERSION,
    RevokedCertificate,
    ScopeGrant,
    TermsAcceptance,
    TrustedIssuer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return services.save_organisation(new_organisation(), changed_by="test")


@pytest.fixture
def ca():
    root = pki.make_ca()
    pki.trust(root)
    return root


def refused_code(chain) -> str:
    with pytest.raises(CertificateRefused) as refused:
        verify_enterprise_certificate([item.der for item in chain])
    return refused.value.code


def test_certificate_from_trusted_issuer_gives_its_organisation(organisation, ca):
    assert verify_enterprise_certificate([pki.make_leaf(ca).der]) == organisation


def test_ecdsa_chain_through_an_intermediate_is_accepted(organisation):
    root = pki.make_ca(kind="ec")
    pki.trust(root)
    intermediate = pki.make_intermediate(root, kind="ec")
    leaf = pki.make_leaf(intermediate, kind="ec")
    assert verify_enterprise_certificate([leaf.der, intermediate.der]) == organisation


def test_organisation_identifier_ntrno_is_accepted(organisation, ca):
    assert verify_enterprise_certificate([pki.make_leaf(ca, as_identifier=True).der]) == organisation


# The leaf itself: not a CA, a strong key, a key that fits the algorithm, a readable number.


def test_leaf_that_is_a_ca_is_refused(organisation, ca):
    assert refused_code([pki.make_leaf(ca, ca=True)]) == "certificate_is_ca"


def test_rsa_key_under_2048_bits_is_refused(organisation, ca):
    with pytest.raises(CertificateRefused) as refused:
        verify_enterprise_certificate([pki.make_leaf(ca, kind="rsa1024").der])
    assert refused.value.code == "certificate_weak_key"
    assert "1024" in refused.value.message


def test_intermediate_with_a_weak_rsa_key_is_refused(organisation, ca):
    intermediate = pki.make_intermediate(ca, kind="rsa1024")
    leaf = pki.make_leaf(intermediate)
    assert refused_code([leaf, intermediate]) == "certificate_weak_key"


def test_key_on_a_curve_outside_p256_p384_p521_is_refused(organisation, ca):
    assert refused_code([pki.make_leaf(ca, kind="ec-k256")]) == "certificate_weak_key"


@pytest.mark.parametrize(
    ("kind", "algorithm"),
    [("ec", "ES256"), ("ec384", "ES384"), ("ec521", "ES512"), ("rsa", "RS256"), ("rsa", "PS256")],
)
def test_key_that_fits_the_algorithm_is_accepted(organisation, ca, kind, algorithm):
    leaf = pki.make_leaf(ca, kind=kind)
    assert verify_enterprise_certificate([leaf.der], algorithm=algorithm) == organisation


@pytest.mark.parametrize(
    ("kind", "algorithm"),
    [
        ("ec384", "ES256"),
        ("ec521", "ES256"),
        ("ec", "ES384"),
        ("rsa", "ES256"),
        ("ec", "RS256"),
        ("ec", "HS256"),
    ],
)
def test_key_that_does_not_fit_the_algorithm_is_refused(organisation, ca, kind, algorithm):
    with pytest.raises(CertificateRefused) as refused:
        verify_enterprise_certificate([pki.make_leaf(ca, kind=kind).der], algorithm=algorithm)
    assert refused.value.code == "certificate_key_algorithm_mismatch"
    assert algorithm in refused.value.message


@pytest.mark.parametrize(
    "numbers",
    [
        [pki.x509.NameAttribute(pki.NameOID.ORGANIZATION_IDENTIFIER, "NTRNO-974 312 344")],
        [pki.x509.NameAttribute(pki.NameOID.SERIAL_NUMBER, "974 312 344")],
        [pki.x509.NameAttribute(pki.NameOID.ORGANIZATION_IDENTIFIER, "NTRNO-974312344")],
        [
            pki.x509.NameAttribute(pki.NameOID.SERIAL_NUMBER, "974312344"),
            pki.x509.NameAttribute(pki.NameOID.ORGANIZATION_IDENTIFIER, "NTRNO-974 312 344"),
        ],
    ],
    ids=["identifier_with_spaces", "serial_with_spaces", "identifier_compact", "both_forms_of_one_number"],
)
def test_organisation_number_with_spaces_reads_like_the_compact_form(organisation, ca, numbers):
    assert verify_enterprise_certificate([pki.make_leaf(ca, numbers=numbers).der]) == organisation


def test_organisation_identifier_without_ntrno_is_refused_clearly(organisation, ca):
    numbers = [pki.x509.NameAttribute(pki.NameOID.ORGANIZATION_IDENTIFIER, "974 312 344")]
    assert refused_code([pki.make_leaf(ca, numbers=numbers)]) == "certificate_no_organisation_number"


def test_two_different_organisation_numbers_are_refused(organisation, ca):
    numbers = [
        pki.x509.NameAttribute(pki.NameOID.SERIAL_NUMBER, "974312344"),
        pki.x509.NameAttribute(pki.NameOID.ORGANIZATION_IDENTIFIER, "NTRNO-974760673"),
    ]
    assert refused_code([pki.make_leaf(ca, numbers=numbers)]) == "certificate_organisation_number_ambiguous"


BASIC_CONSTRAINTS_CA_FALSE = bytes.fromhex("0603551d130101ff04023000")
RSA_ENCRYPTION_OID = bytes.fromhex("06092a864886f70d010101")


@pytest.mark.parametrize(
    ("original", "broken"),
    [
        # basicConstraints whose value is a SET, not a SEQUENCE: cryptography parses it on first read.
        (BASIC_CONSTRAINTS_CA_FALSE, bytes.fromhex("0603551d130101ff04023100")),
        # A public key algorithm no one knows (md2WithRSAEncryption's OID in its place).
        (RSA_ENCRYPTION_OID, bytes.fromhex("06092a864886f70d010102")),
    ],
    ids=["malformed_extension", "unknown_key_type"],
)
def test_certificate_that_cannot_be_read_in_full_is_malformed(organisation, ca, original, broken):
    der = pki.make_leaf(ca).der
    assert der.count(original) == 1
    with pytest.raises(CertificateRefused) as refused:
        verify_enterprise_certificate([der.replace(original, broken)])
    assert refused.value.code == "certificate_malformed"


def test_intermediate_missing_from_chain_is_untrusted(organisation, ca):
    leaf = pki.make_leaf(pki.make_intermediate(ca))
    assert refused_code([leaf]) == "certificate_untrusted"


def test_expired_certificate_is_refused(organisation, ca):
    now = timezone.now()
    leaf = pki.make_leaf(ca, not_before=now - timedelta(days=30), not_after=now - timedelta(days=1))
    assert refused_code([leaf]) == "certificate_expired"


def test_certificate_not_yet_valid_is_refused(organisation, ca):
    now = timezone.now()
    leaf = pki.make_leaf(ca, not_before=now + timedelta(days=1), not_after=now + timedelta(days=30))
    assert refused_code([leaf]) == "certificate_not_yet_valid"


def test_revoked_serial_is_refused(organisation, ca):
    leaf = pki.make_leaf(ca)
    RevokedCertificate.objects.create(
        issuer=TrustedIssuer.objects.get(),
        serial=f"0x{leaf.certificate.serial_number:X}",
        revoked_at=timezone.now(),
        reason="key compromise",
    )
    assert refused_code([leaf]) == "certificate_revoked"


def test_self_signed_leaf_is_refused_even_if_trusted(organisation):
    leaf = pki.make_leaf(None)
    TrustedIssuer.objects.create(name="Self", certificate_pem=leaf.pem)
    assert refused_code([leaf]) == "certificate_self_signed"


def test_certificate_from_untrusted_issuer_is_refused(organisation, ca):
    assert refused_code([pki.make_leaf(pki.make_ca("Other CA"))]) == "certificate_untrusted"


def test_inactive_issuer_is_not_trusted(organisation, ca):
    TrustedIssuer.objects.update(active=False)
    assert refused_code([pki.make_leaf(ca)]) == "certificate_untrusted"


def test_issuer_with_same_name_but_other_key_is_untrusted(organisation, ca):
    impostor = pki.make_ca()  # same subject name, different key
    assert refused_code([pki.make_leaf(impostor)]) == "certificate_untrusted"


def test_unregistered_organisation_number_is_refused(ca):
    with pytest.raises(services.OrganisationNotFound):
        verify_enterprise_certificate([pki.make_leaf(ca, "964201013").der])


def test_garbage_chain_is_refused():
    assert refused_code([]) == "certificate_missing"
    with pytest.raises(CertificateRefused) as refused:
        verify_enterprise_certificate([b"not a certificate"])
    assert refused.value.code == "certificate_malformed"


def test_trusted_issuer_must_be_a_ca_certificate(ca):
    issuer = TrustedIssuer(name="Leaf", certificate_pem=pki.make_leaf(ca).pem)
    with pytest.raises(ValidationError) as error:
        issuer.full_clean()
    assert "certificate_pem" in error.value.message_dict
    garbage = TrustedIssuer(name="Garbage", certificate_pem="-----BEGIN CERTIFICATE-----\nxx")
    with pytest.raises(ValidationError):
        garbage.full_clean()


def test_scopes_need_grant_and_current_terms(organisation):
    with pytest.raises(services.ScopeRefused):
        services.check_scopes(organisation, ["krr:kontaktinformasjon"])
    services.grant_scope(organisation, "krr:kontaktinformasjon", granted_by="test")
    with pytest.raises(services.TermsNotAccepted):
        services.check_scopes(organisation, ["krr:kontaktinformasjon"])
    services.accept_terms(organisation, accepted_by="test", version="2025-1")
    with pytest.raises(services.TermsNotAccepted):
        services.check_scopes(organisation, ["krr:kontaktinformasjon"])
    services.accept_terms(organisation, accepted_by="test")
    services.check_scopes(organisation, ["krr:kontaktinformasjon"])
    with pytest.raises(services.ScopeRefused):
        services.check_scopes(organisation, ["krr:digitalpost"])
    with pytest.raises(services.ScopeRefused):
        services.check_scopes(organisation, ["krr:ukjent"])


def test_latest_terms_acceptance_is_the_newest(organisation):
    assert services.latest_terms_acceptance(organisation) is None
    services.accept_terms(organisation, accepted_by="test", version="2025-1")
    services.accept_terms(organisation, accepted_by="test")
    assert services.latest_terms_acceptance(organisation).version == CURRENT_TERMS_VERSION
    assert AuditEvent.objects.filter(action="virksomheter.terms_accepted").count() == 2


def test_grant_jti_is_single_use(organisation):
    expires = timezone.now() + timedelta(seconds=60)
    services.use_grant_jti(organisation, "abc", expires_at=expires)
    with pytest.raises(services.GrantReplayed):
        services.use_grant_jti(organisation, "abc", expires_at=expires)


def test_seed_demo_certificates_makes_usable_certificates(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    seed_demo_organisations()
    call_command("seed_demo_certificates")
    call_command("seed_demo_certificates")  # idempotent
    folder = tmp_path / "demo-certificates"
    assert TrustedIssuer.objects.count() == 1
    assert (folder / "test-ca.pem").exists()
    assert (folder / "974312344.key").stat().st_mode & 0o777 == 0o600
    from cryptography import x509

    leaf = x509.load_pem_x509_certificate((folder / "974312344.pem").read_bytes())
    assert verify_enterprise_certificate([leaf.public_bytes(pki.serialization.Encoding.DER)])
    assert ScopeGrant.objects.count() == 4 * len(ScopeGrant.Scope.values)  # every scope, once each
    assert TermsAcceptance.objects.filter(version=CURRENT_TERMS_VERSION).count() == 4


def test_seed_demo_certificates_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_certificates")
    assert not TrustedIssuer.objects.exists()


def inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_admin_grants_scope_and_records_terms_through_services(admin_client, organisation):
    url = reverse("admin:virksomheter_organisation_change", args=[organisation.pk])
    assert admin_client.get(url).status_code == 200
    data = {
        "organisasjonsnummer": organisation.organisasjonsnummer,
        "kind": organisation.kind,
        "name_nb": organisation.name_nb,
        **inline_management("scope_grants", total=1),
        "scope_grants-0-scope": "krr:global/digitalpost.read",
        **inline_management("terms_acceptances", total=1),
        "terms_acceptances-0-version": CURRENT_TERMS_VERSION,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert list(organisation.scope_grants.values_list("scope", flat=True)) == ["krr:global/digitalpost.read"]
    assert services.latest_terms_acceptance(organisation).version == CURRENT_TERMS_VERSION
    assert AuditEvent.objects.filter(action="virksomheter.scope_granted").exists()


def test_admin_refuses_a_trusted_issuer_that_is_not_a_ca(admin_client, ca):
    response = admin_client.post(
        reverse("admin:virksomheter_trustedissuer_add"),
        {
            "name": "Not a CA",
            "certificate_pem": pki.make_leaf(ca).pem,
            "active": "on",
            **inline_management("revoked"),
        },
    )
    assert response.status_code == 200
    assert "ikke et CA-sertifikat" in response.content.decode()
    assert TrustedIssuer.objects.count() == 1


def test_admin_revokes_a_serial_in_any_notation(admin_client, ca):
    issuer = TrustedIssuer.objects.get()
    response = admin_client.post(
        reverse("admin:virksomheter_revokedcertificate_add"),
        {
            "issuer": issuer.pk,
            "serial": "0A:BC",
            "revoked_at_0": "2026-01-01",
            "revoked_at_1": "12:00:00",
            "reason": "key compromise",
        },
    )
    assert response.status_code == 302
    assert RevokedCertificate.objects.get().serial == "abc"


def test_old_scope_names_are_granted_and_checked_by_their_real_name(organisation):
    services.accept_terms(organisation, accepted_by="test")
    grant = services.grant_scope(organisation, "noark5:arkiv.les", granted_by="test")
    assert grant.scope == "felles:noark5/arkiv.read"
    services.check_scopes(organisation, ["noark5:arkiv.les", "felles:noark5/arkiv.read"])
