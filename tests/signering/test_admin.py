"""Signing jobs in the admin: a read-only list for staff with the view permission, without the
document or the signature."""

import pytest

from tests.folkeregister.factories import make_person
from tests.permissions import grant
from tests.signering.factories import job

pytestmark = pytest.mark.django_db
LIST = "/admin/signering/signeringsoppdrag/"


def test_staff_with_the_view_permission_see_the_jobs_read_only(client, staff_user):
    signing_job = job(make_person(), title="Leiekontrakt Storgata 1")
    grant(staff_user, "signering.view_signeringsoppdrag")
    client.force_login(staff_user)
    assert "Leiekontrakt Storgata 1" in client.get(LIST).content.decode()
    detail = client.get(f"{LIST}{signing_job.pk}/change/")
    assert detail.status_code == 200 and signing_job.sha256 in detail.content.decode()
    assert client.get(f"{LIST}add/").status_code == 403
    title = signing_job.title
    client.post(f"{LIST}{signing_job.pk}/change/", {"title": "Endret"})
    signing_job.refresh_from_db()
    assert signing_job.title == title


def test_staff_without_the_permission_do_not_see_them(client, staff_user):
    job(make_person())
    client.force_login(staff_user)
    assert client.get(LIST).status_code == 403
