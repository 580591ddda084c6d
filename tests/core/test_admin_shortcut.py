"""The admin's "view on site" shortcut, /admin/r/<content type>/<id>/: a 404 for anything it cannot
show, never a 500, and nothing about rows the user may not see."""

import pytest
from django.contrib.contenttypes.models import ContentType

from saksarkiv import services as saksarkiv
from tests.saksarkiv.factories import handler, organisation

pytestmark = pytest.mark.django_db


def content_type(label: str) -> int:
    app_label, model = label.split(".")
    return ContentType.objects.get(app_label=app_label, model=model).pk


@pytest.mark.parametrize(
    ("label", "object_id"),
    [
        ("signering.signeringsoppdrag", "not-a-uuid"),  # a UUID key in the admin
        ("django_tasks_database.dbtaskresult", "1"),
        ("signering.signeringsoppdrag", "00000000-0000-0000-0000-000000000000"),
        ("minid.login", "not-a-uuid"),  # a UUID key outside the admin
        ("signering.signeringsoppdrag", "%00"),
        ("auth.user", "1%00"),
        ("auth.user", "x"),
        ("auth.user", "99999999999999999999999999"),
        ("auth.user", "-1"),
        ("contenttypes.contenttype", "1"),  # a model the admin does not show
    ],
)
def test_any_object_id_answers_404(admin_client, label, object_id):
    response = admin_client.get(f"/admin/r/{content_type(label)}/{object_id}/")
    assert response.status_code == 404


@pytest.mark.parametrize("content_type_id", ["999999", "abc", "99999999999999999999999999", "-1", "%00"])
def test_any_content_type_id_answers_404(admin_client, content_type_id):
    assert admin_client.get(f"/admin/r/{content_type_id}/1/").status_code == 404


def test_an_object_without_a_page_on_the_site_answers_404(admin_client, admin_user):
    response = admin_client.get(f"/admin/r/{content_type('auth.user')}/{admin_user.pk}/")
    assert response.status_code == 404


def test_another_organisations_record_answers_as_one_that_does_not_exist(client):
    own = handler()
    other = handler(organisation("974312344", "Velferdsetaten"))
    case = saksarkiv.create_saksmappe(other, tittel="Hemmelig sak")
    client.force_login(own.user)
    saksmappe = content_type("saksarkiv.saksmappe")

    assert client.get(f"/admin/r/{saksmappe}/{case.pk}/").status_code == 404
    assert client.get(f"/admin/r/{saksmappe}/{case.pk + 1000}/").status_code == 404


def test_the_shortcut_needs_an_admin_login(client):
    response = client.get(f"/admin/r/{content_type('auth.user')}/1/")
    assert response.status_code == 302 and "/admin/login/" in response.url
