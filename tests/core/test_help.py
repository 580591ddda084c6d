"""The citizens' help pages, the privacy statement and MinID's consent text, through the test client
(the browser tests in tests/browser/test_help.py walk the same pages with axe)."""

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db

OPERATOR = {
    "organisasjonsnummer": "991825827",
    "name": "Felles drift AS",
    "address": "Postboks 9 Sentrum, 0101 Oslo",
    "support_phone": "22 33 44 55",
    "support_email": "hjelp@felles.example",
}


@pytest.fixture(autouse=True)
def english_operator(settings, client):
    settings.FELLES_OPERATOR = OPERATOR
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.parametrize("service", ["minid", "idporten", "kontaktinfo", "postkasse"])
def test_each_service_has_a_help_page_with_the_common_questions_and_the_support_contact(client, service):
    page = client.get(f"/hjelp/{service}/").content.decode()
    for question in (
        "I am a new user",
        "I have forgotten my password",
        "The code does not arrive",
        "My user is blocked",
        "Why must I log in?",
    ):
        assert question in page
    assert 'href="tel:22334455"' in page
    assert 'href="mailto:hjelp@felles.example"' in page
    assert "Felles drift AS" in page


@pytest.mark.parametrize("path", ["/hjelp/nope/", "/hjelp/%00/", "/hjelp/" + "a" * 5000 + "/"])
def test_an_unknown_help_page_is_not_found(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("path", "help_path"),
    [
        ("/minid/", "/hjelp/minid/"),
        ("/minid/logg-inn/", "/hjelp/minid/"),
        ("/kontaktinfo/", "/hjelp/kontaktinfo/"),
        ("/postkasse/", "/hjelp/postkasse/"),
        ("/", "/hjelp/"),
    ],
)
def test_the_footer_links_to_the_help_page_of_the_service_the_page_belongs_to(client, path, help_path):
    footer = client.get(path).content.decode().split('<footer class="felles-footer">')[1]
    assert f'href="{help_path}"' in footer
    assert 'href="/personvern/"' in footer


def test_the_privacy_statement_names_the_data_controller_and_the_rights(client):
    page = client.get("/personvern/").content.decode()
    assert "Felles drift AS, Postboks 9 Sentrum, 0101 Oslo (organisation number 991825827)" in page
    assert "your fødselsnummer and your preferred language are passed on" in page
    assert "to have wrong information corrected and to have your information deleted" in page
    assert "Datatilsynet" in page
