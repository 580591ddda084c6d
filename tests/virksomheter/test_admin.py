import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from tests.virksomheter.factories import png_bytes
from virksomheter.models import Organisation

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
