"""The smartcard admin: registering issuers, uploading revocation lists, registering cards."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from smartkort import issuance
from smartkort.models import CertificateMapping, Issuer, RevocationList
from tests.folkeregister.factories import make_person
from tests.smartcard.factories import DER, PEM, TestIssuer

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:smartkort_revocationlist_add")


@pytest.fixture
def buypass():
    return TestIssuer(crl=False)


def upload(admin_client, issuer, data: bytes, name="buypass.crl"):
    return admin_client.post(UPLOAD, {"issuer": issuer.issuer.pk, "file": SimpleUploadedFile(name, data)})


def file_errors(response) -> list[str]:
    assert response.status_code == 200
    return response.context["adminform"].form.errors["file"]


def test_a_list_signed_by_the_issuer_is_kept_with_its_dates_and_entries(admin_client, buypass):
    crl = buypass.crl(1234, 5678)
    response = upload(admin_client, buypass, crl.public_bytes(DER))
    assert response.status_code == 302
    stored = RevocationList.objects.get()
    assert stored.this_update == crl.last_update_utc and stored.next_update == crl.next_update_utc
    assert stored.revoked_count == 2 and stored.crl_number == "1"
    assert sorted(stored.revoked.values_list("serial", flat=True)) == ["162e", "4d2"]
    event = AuditEvent.objects.get(action="smartkort.crl_uploaded")
    assert event.actor == "admin" and event.details["revoked"] == 2


def test_a_pem_list_is_accepted_too(admin_client, buypass):
    assert upload(admin_client, buypass, buypass.crl().public_bytes(PEM), "buypass.pem").status_code == 302
    assert RevocationList.objects.count() == 1


def test_a_file_that_is_no_list_is_refused_clearly(admin_client, buypass):
    response = upload(admin_client, buypass, b"%PDF-1.7 not a list")
    assert file_errors(response) == [
        "Denne filen er ikke en liste over tilbakekalte sertifikater (CRL) i DER- eller PEM-format."
    ]
    assert not RevocationList.objects.exists()
    assert AuditEvent.objects.get(action="smartkort.crl_rejected").details["code"] == "not_a_crl"


def test_a_list_with_the_issuers_name_but_another_key_is_refused(admin_client, buypass):
    impostor, key = issuance.create_issuer_ca(buypass.issuer.name, "Buypass")
    forged = issuance.make_crl(impostor, key, [], timezone.now() + timedelta(days=1))
    response = upload(admin_client, buypass, forged.public_bytes(DER))
    assert file_errors(response) == ["Signaturen på listen stemmer ikke med utstederens CA-sertifikat."]
    assert not RevocationList.objects.exists()


def test_a_list_from_another_issuer_is_refused(admin_client, buypass):
    other = TestIssuer("Felles Test Commfides Person-High CA", "Commfides", crl=False)
    response = upload(admin_client, buypass, other.crl().public_bytes(DER))
    assert "ikke av denne utstederen" in file_errors(response)[0]
    assert not RevocationList.objects.exists()


def test_the_same_list_twice_is_refused(admin_client, buypass):
    data = buypass.crl().public_bytes(DER)
    upload(admin_client, buypass, data)
    assert file_errors(upload(admin_client, buypass, data)) == ["Denne listen er allerede lastet opp."]
    assert RevocationList.objects.count() == 1


def test_an_uploaded_list_cannot_be_changed_or_deleted(admin_client, buypass):
    stored = buypass.publish()
    url = reverse("admin:smartkort_revocationlist_change", args=[stored.pk])
    assert admin_client.post(url, {"issuer": buypass.issuer.pk}).status_code == 403
    delete = reverse("admin:smartkort_revocationlist_delete", args=[stored.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert RevocationList.objects.filter(pk=stored.pk).exists()


def test_an_issuer_needs_a_ca_certificate(admin_client, buypass):
    person_certificate, _key = buypass.card(make_person())
    response = admin_client.post(
        reverse("admin:smartkort_issuer_add"),
        {
            "name": "Not a CA",
            "provider": "Buypass",
            "certificate_pem": person_certificate.public_bytes(PEM).decode(),
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["certificate_pem"] == [
        "Dette sertifikatet er ikke et CA-sertifikat (basic constraints CA:TRUE)."
    ]
    assert not Issuer.objects.filter(name="Not a CA").exists()


def test_registering_an_issuer_is_audited(admin_client):
    ca, _key = issuance.create_issuer_ca("Felles Test Commfides Person-High CA", "Commfides")
    response = admin_client.post(
        reverse("admin:smartkort_issuer_add"),
        {
            "name": "Felles Test Commfides Person-High CA",
            "provider": "Commfides",
            "certificate_pem": ca.public_bytes(PEM).decode(),
            "active": "on",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="smartkort.issuer_registered")
    assert event.actor == "admin" and event.details["provider"] == "Commfides"


def test_a_card_is_registered_to_a_person_by_its_serial_number(admin_client, buypass):
    kari = make_person()
    response = admin_client.post(
        reverse("admin:smartkort_certificatemapping_add"),
        {
            "issuer": buypass.issuer.pk,
            "serial": "00:0A:1B:2C",
            "identity_number": kari.identity_number,
            "note": "",
        },
    )
    assert response.status_code == 302
    mapping = CertificateMapping.objects.get()
    assert mapping.serial == "a1b2c" and mapping.identity_number == kari.identity_number
    event = AuditEvent.objects.get(action="smartkort.mapping_registered")
    assert event.details == {
        "issuer": buypass.issuer.name,
        "serial": "a1b2c",
        "identity_number": kari.identity_number,
    }


def test_a_registration_needs_a_valid_identity_number_and_hex_serial(admin_client, buypass):
    response = admin_client.post(
        reverse("admin:smartkort_certificatemapping_add"),
        {"issuer": buypass.issuer.pk, "serial": "not hex", "identity_number": "12345678901", "note": ""},
    )
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"serial", "identity_number"}
    assert not CertificateMapping.objects.exists()


def test_deactivating_an_issuer_records_the_old_and_new_value(admin_client, buypass):
    issuer = buypass.issuer
    response = admin_client.post(
        reverse("admin:smartkort_issuer_change", args=[issuer.pk]),
        {"name": issuer.name, "provider": issuer.provider},
    )
    assert response.status_code == 302
    assert not Issuer.objects.get(pk=issuer.pk).active
    event = AuditEvent.objects.get(action="smartkort.issuer_changed")
    assert event.actor == "admin" and event.details["changed"] == {"active": [True, False]}


def registered_card(buypass, serial: str, person) -> CertificateMapping:
    from smartkort import services

    mapping = CertificateMapping(issuer=buypass.issuer, serial=serial, identity_number=person.identity_number)
    return services.save_mapping(mapping, changed_by="test")


def test_moving_a_card_to_another_person_records_both(admin_client, buypass):
    kari, ola = make_person(), make_person()
    mapping = registered_card(buypass, "a1", kari)
    response = admin_client.post(
        reverse("admin:smartkort_certificatemapping_change", args=[mapping.pk]),
        {"issuer": buypass.issuer.pk, "serial": "a1", "identity_number": ola.identity_number, "note": ""},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="smartkort.mapping_changed")
    assert event.details["changed"] == {"identity_number": [kari.identity_number, ola.identity_number]}


def test_removing_card_registrations_with_the_bulk_delete_action_is_audited(admin_client, buypass):
    mappings = [registered_card(buypass, serial, make_person()) for serial in ("a1", "b2")]
    response = admin_client.post(
        reverse("admin:smartkort_certificatemapping_changelist"),
        {"action": "delete_selected", "_selected_action": [m.pk for m in mappings], "post": "yes"},
    )
    assert response.status_code == 302
    assert not CertificateMapping.objects.exists()
    deleted = AuditEvent.objects.filter(action="smartkort.mapping_deleted", actor="admin")
    assert sorted(event.details["serial"] for event in deleted) == ["a1", "b2"]
