import pytest
from cryptography.hazmat.primitives import hashes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from tests.virksomheter import pki
from tests.virksomheter.factories import new_organisation, png_bytes
from virksomheter import services
from virksomheter.models import Organisation, RevokedCertificate, ScopeGrant, TrustedIssuer

pytestmark = pytest.mark.django_db

ADD = reverse("admin:virksomheter_organisation_add")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def form_data(**overrides) -> dict:
    data = {
        "organisasjonsnummer": "974312344",
        "kind": Organisation.Kind.STATE_AGENCY,
        "name_nb": "Velferdsetaten",
        "name_nn": "",
        "name_en": "",
        "contact_person": "",
        "email": "",
        "phone": "",
        "invoice_reference": "",
    }
    return {**data, **overrides}


def form_errors(response) -> dict:
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def test_adding_an_organisation_stores_the_phone_in_e164(admin_client):
    response = admin_client.post(ADD, form_data(phone="21 07 00 00"))

    assert response.status_code == 302
    assert Organisation.objects.get().phone == "+4721070000"
    assert AuditEvent.objects.get().action == "virksomheter.organisation_registered"


def test_adding_an_organisation_with_invalid_organisasjonsnummer_shows_the_error(admin_client):
    response = admin_client.post(ADD, form_data(organisasjonsnummer="974312345"))

    assert form_errors(response)["organisasjonsnummer"] == [
        "Skriv inn et gyldig organisasjonsnummer (9 siffer)."
    ]
    assert not Organisation.objects.exists()


def test_uploading_a_png_logo_stores_it(admin_client, media_root):
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")

    response = admin_client.post(ADD, {**form_data(), "logo": logo})

    assert response.status_code == 302
    assert (media_root / Organisation.objects.get().logo.name).read_bytes() == png_bytes()


def test_uploading_a_non_png_logo_shows_the_error(admin_client, media_root):
    logo = SimpleUploadedFile(
        "logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/png"
    )

    response = admin_client.post(ADD, {**form_data(), "logo": logo})

    assert form_errors(response)["logo"] == ["Logoen må være et PNG-bilde."]
    assert not Organisation.objects.exists()
    assert not any(media_root.iterdir())


# Trust anchors and grants change only through services that write the audit trail.


def inline_management(prefix: str, initial: int = 0, total: int | None = None) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(initial if total is None else total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def issuer_data(ca, **overrides) -> dict:
    return {"name": "Buypass Class 3 CA", "certificate_pem": ca.pem, "active": "on",
            **inline_management("revoked"), **overrides}  # fmt: skip


def events(action: str):
    return AuditEvent.objects.filter(action=action)


def test_trusting_an_issuer_in_the_admin_is_audited(admin_client):
    ca = pki.make_ca()

    response = admin_client.post(reverse("admin:virksomheter_trustedissuer_add"), issuer_data(ca))

    assert response.status_code == 302
    issuer = TrustedIssuer.objects.get()
    event = events("virksomheter.issuer_registered").get()
    assert event.actor == "admin" and event.object_id == str(issuer.pk)
    assert event.details["certificate"] == ca.certificate.fingerprint(hashes.SHA256()).hex()


def test_deactivating_an_issuer_records_the_old_and_new_value(admin_client):
    ca = pki.make_ca()
    issuer = pki.trust(ca)
    data = issuer_data(ca, name=issuer.name)
    del data["active"]

    response = admin_client.post(reverse("admin:virksomheter_trustedissuer_change", args=[issuer.pk]), data)

    assert response.status_code == 302
    assert not TrustedIssuer.objects.get().active
    assert events("virksomheter.issuer_changed").get().details["changed"] == {"active": [True, False]}


def test_an_issuer_is_deactivated_not_deleted(admin_client):
    issuer = pki.trust(pki.make_ca())

    response = admin_client.post(
        reverse("admin:virksomheter_trustedissuer_delete", args=[issuer.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert TrustedIssuer.objects.exists()


def revocation_data(issuer, **overrides) -> dict:
    return {"issuer": issuer.pk, "serial": "0A:1B:2C", "revoked_at_0": "2026-03-01",
            "revoked_at_1": "12:00:00", "reason": "Key compromise", **overrides}  # fmt: skip


def test_revoking_a_certificate_in_the_admin_is_audited(admin_client):
    issuer = pki.trust(pki.make_ca())

    response = admin_client.post(
        reverse("admin:virksomheter_revokedcertificate_add"), revocation_data(issuer)
    )

    assert response.status_code == 302
    revoked = RevokedCertificate.objects.get()
    assert revoked.serial == "a1b2c"
    event = events("virksomheter.certificate_revoked").get()
    assert event.details["serial"] == "a1b2c" and event.details["reason"] == "Key compromise"


def test_a_serial_that_is_not_hex_is_refused_and_nothing_is_stored(admin_client):
    issuer = pki.trust(pki.make_ca())

    response = admin_client.post(
        reverse("admin:virksomheter_revokedcertificate_add"), revocation_data(issuer, serial="xyz")
    )

    assert [error.code for error in form_errors(response).as_data()["serial"]] == ["invalid_serial"]
    assert not RevokedCertificate.objects.exists() and not AuditEvent.objects.exists()


def test_a_revocation_is_not_edited_in_place(admin_client):
    issuer = pki.trust(pki.make_ca())
    revoked = services.revoke_certificate(issuer, "a1", revoked_at=timezone.now(), revoked_by="test")

    response = admin_client.post(
        reverse("admin:virksomheter_revokedcertificate_change", args=[revoked.pk]),
        revocation_data(issuer, serial="b2"),
    )

    assert response.status_code == 403
    assert RevokedCertificate.objects.get().serial == "a1"


def test_withdrawing_revocations_with_the_bulk_delete_action_is_audited(admin_client):
    issuer = pki.trust(pki.make_ca())
    revoked = [
        services.revoke_certificate(issuer, serial, revoked_at=timezone.now(), revoked_by="test")
        for serial in ("a1", "b2")
    ]

    response = admin_client.post(
        reverse("admin:virksomheter_revokedcertificate_changelist"),
        {"action": "delete_selected", "_selected_action": [r.pk for r in revoked], "post": "yes"},
    )

    assert response.status_code == 302
    assert not RevokedCertificate.objects.exists()
    withdrawn = events("virksomheter.revocation_withdrawn")
    assert sorted(e.details["serial"] for e in withdrawn) == ["a1", "b2"]
    assert {e.actor for e in withdrawn} == {"admin"}


def test_withdrawing_one_revocation_is_audited(admin_client):
    issuer = pki.trust(pki.make_ca())
    revoked = services.revoke_certificate(issuer, "a1", revoked_at=timezone.now(), revoked_by="test")

    response = admin_client.post(
        reverse("admin:virksomheter_revokedcertificate_delete", args=[revoked.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not RevokedCertificate.objects.exists()
    assert events("virksomheter.revocation_withdrawn").get().actor == "admin"


def test_revocations_added_and_withdrawn_in_the_issuer_page_are_audited(admin_client):
    ca = pki.make_ca()
    issuer = pki.trust(ca)
    old = services.revoke_certificate(issuer, "a1", revoked_at=timezone.now(), revoked_by="test")
    data = {
        **issuer_data(ca, name=issuer.name),
        **inline_management("revoked", initial=1, total=2),
        "revoked-0-id": old.pk, "revoked-0-issuer": issuer.pk, "revoked-0-DELETE": "on",
        "revoked-1-issuer": issuer.pk, "revoked-1-serial": "0C", "revoked-1-revoked_at_0": "2026-03-01",
        "revoked-1-revoked_at_1": "12:00:00", "revoked-1-reason": "",
    }  # fmt: skip

    response = admin_client.post(reverse("admin:virksomheter_trustedissuer_change", args=[issuer.pk]), data)

    assert response.status_code == 302
    assert list(RevokedCertificate.objects.values_list("serial", flat=True)) == ["c"]
    assert events("virksomheter.revocation_withdrawn").get().details["serial"] == "a1"
    assert events("virksomheter.certificate_revoked").filter(actor="admin").get().details["serial"] == "c"


def organisation_data(organisation, grants: list[tuple[int | None, str, bool]]) -> dict:
    data = {
        **form_data(organisasjonsnummer=organisation.organisasjonsnummer),
        **inline_management("scope_grants", initial=sum(1 for pk, *_ in grants if pk), total=len(grants)),
        **inline_management("terms_acceptances"),
    }
    for index, (pk, scope, delete) in enumerate(grants):
        data[f"scope_grants-{index}-organisation"] = organisation.pk
        data[f"scope_grants-{index}-scope"] = scope
        if pk:
            data[f"scope_grants-{index}-id"] = pk
        if delete:
            data[f"scope_grants-{index}-DELETE"] = "on"
    return data


def test_changing_and_withdrawing_scopes_in_the_admin_is_audited(admin_client):
    organisation = services.save_organisation(new_organisation(), changed_by="test")
    Scope = ScopeGrant.Scope
    changed = services.grant_scope(organisation, Scope.KONTAKTINFORMASJON, granted_by="test")
    dropped = services.grant_scope(organisation, Scope.DIGITALPOST, granted_by="test")
    url = reverse("admin:virksomheter_organisation_change", args=[organisation.pk])

    response = admin_client.post(url, organisation_data(organisation, [
        (changed.pk, Scope.SIGNERING, False), (dropped.pk, Scope.DIGITALPOST, True),
    ]))  # fmt: skip

    assert response.status_code == 302
    assert list(organisation.scope_grants.values_list("scope", flat=True)) == [Scope.SIGNERING]
    by_admin = AuditEvent.objects.filter(actor="admin")
    withdrawn = by_admin.filter(action="virksomheter.scope_withdrawn")
    assert sorted(e.details["scope"] for e in withdrawn) == [Scope.DIGITALPOST, Scope.KONTAKTINFORMASJON]
    assert by_admin.get(action="virksomheter.scope_granted").details["scope"] == Scope.SIGNERING


def test_deleting_organisations_with_the_bulk_action_audits_the_scopes_they_lose(admin_client):
    organisation = services.save_organisation(new_organisation(), changed_by="test")
    services.grant_scope(organisation, ScopeGrant.Scope.KONTAKTINFORMASJON, granted_by="test")

    response = admin_client.post(
        reverse("admin:virksomheter_organisation_changelist"),
        {"action": "delete_selected", "_selected_action": [organisation.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Organisation.objects.exists() and not ScopeGrant.objects.exists()
    event = events("virksomheter.organisation_deleted").get()
    assert event.actor == "admin" and event.details["scopes"] == [ScopeGrant.Scope.KONTAKTINFORMASJON]
