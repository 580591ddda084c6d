import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.models import AuditEvent
from tests.virksomheter.factories import new_organisation, png_bytes
from virksomheter.models import PNG_SIGNATURE, Organisation
from virksomheter.services import OrganisationNotFound, get_organisation, save_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_saving_an_organisation_stores_it_and_audits(django_user_model):
    clerk = django_user_model.objects.create_user(username="saksbehandler")

    save_organisation(new_organisation(), changed_by=clerk)

    assert Organisation.objects.get().name_nb == "Velferdsetaten"
    event = AuditEvent.objects.get()
    assert event.action == "virksomheter.organisation_registered"
    assert event.actor_user == clerk
    assert event.object_id == "974312344"


def test_invalid_organisasjonsnummer_is_refused_and_nothing_stored():
    with pytest.raises(ValidationError) as error:
        save_organisation(new_organisation(organisasjonsnummer="974312345"), changed_by="demo")

    assert error.value.message_dict["organisasjonsnummer"] == [
        "Skriv inn et gyldig organisasjonsnummer (9 siffer)."
    ]
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_organisasjonsnummer_with_spaces_is_refused():
    with pytest.raises(ValidationError):
        save_organisation(new_organisation(organisasjonsnummer="974 312 344"), changed_by="demo")

    assert not Organisation.objects.exists()


def test_phone_number_is_stored_in_e164():
    save_organisation(new_organisation(phone="21 07 00 00"), changed_by="demo")

    assert Organisation.objects.get().phone == "+4721070000"


def test_invalid_phone_number_is_refused_and_nothing_stored():
    with pytest.raises(ValidationError) as error:
        save_organisation(new_organisation(phone="123"), changed_by="demo")

    assert error.value.messages == ["Skriv inn et gyldig telefonnummer."]
    assert not Organisation.objects.exists()


def test_png_logo_is_stored(media_root):
    organisation = save_organisation(new_organisation(), changed_by="demo", logo_png=png_bytes())

    with organisation.logo.open("rb") as logo:
        assert logo.read(len(PNG_SIGNATURE)) == PNG_SIGNATURE
    assert (media_root / organisation.logo.name).is_file()


def test_non_png_logo_is_refused_and_nothing_stored(media_root):
    with pytest.raises(ValidationError) as error:
        save_organisation(new_organisation(), changed_by="demo", logo_png=b"GIF89a\x01\x00\x01\x00")

    assert error.value.message_dict["logo"] == ["Logoen må være et PNG-bilde."]
    assert not Organisation.objects.exists()
    assert stored_files(media_root) == []


def test_refused_organisation_leaves_no_logo_file(media_root):
    with pytest.raises(ValidationError):
        save_organisation(
            new_organisation(organisasjonsnummer="974312345"), changed_by="demo", logo_png=png_bytes()
        )

    assert stored_files(media_root) == []


def test_display_name_in_bokmal_is_the_bokmal_name():
    organisation = new_organisation(name_nb="Velferdsetaten", name_en="The Welfare Agency")

    assert organisation.display_name("nb") == "Velferdsetaten"


def test_display_name_uses_the_language_given():
    organisation = new_organisation(name_nb="Statens lånefond", name_nn="Statens lånefond for nynorsk")

    assert organisation.display_name("nn") == "Statens lånefond for nynorsk"


def test_display_name_in_english_when_given():
    organisation = new_organisation(name_nb="Velferdsetaten", name_en="The Welfare Agency")

    assert organisation.display_name("en-gb") == "The Welfare Agency"


def test_display_name_falls_back_to_bokmal_without_a_name_in_that_language():
    organisation = new_organisation(name_nb="Velferdsetaten", name_nn="", name_en="")

    assert organisation.display_name("nn") == "Velferdsetaten"
    assert organisation.display_name("en") == "Velferdsetaten"


def test_display_name_follows_the_active_language():
    organisation = new_organisation(name_nb="Velferdsetaten", name_en="The Welfare Agency")

    with translation.override("en"):
        assert organisation.display_name() == "The Welfare Agency"


def test_get_organisation_accepts_spaces_in_the_number():
    save_organisation(new_organisation(), changed_by="demo")

    assert get_organisation("974 312 344").organisasjonsnummer == "974312344"


def test_get_unknown_organisation_raises_not_found():
    with pytest.raises(OrganisationNotFound) as error:
        get_organisation("964201013")

    assert error.value.message == "Ingen virksomhet med organisasjonsnummer 964201013 er registrert."
