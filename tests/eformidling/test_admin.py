"""Credentials for case systems made in the admin: the password is stored as a hash and works for
HTTP Basic at once; making and changing one is audited."""

import pytest

from core.models import AuditEvent
from eformidling.models import Credential
from tests.eformidling.conftest import EXAMPLE_RECEIVER, basic

pytestmark = pytest.mark.django_db
ADD = "/admin/eformidling/credential/add/"
PASSWORD = "et-langt-passord-for-saksystemet"


def test_a_credential_made_in_the_admin_is_hashed_audited_and_works(admin_client, kari, agency):
    response = admin_client.post(
        ADD, {"organisation": agency.pk, "username": "acos-websak", "active": "on", "new_password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    credential = Credential.objects.get(username="acos-websak")
    assert credential.password != PASSWORD and credential.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="eformidling.credential_created")
    assert event.details["username"] == "acos-websak" and PASSWORD not in str(event.details)
    answer = admin_client.get(
        f"/api/capabilities/{EXAMPLE_RECEIVER}", HTTP_AUTHORIZATION=basic("acos-websak", PASSWORD)
    )
    assert answer.status_code == 200


def test_a_new_credential_needs_a_long_password(admin_client, agency):
    response = admin_client.post(ADD, {"organisation": agency.pk, "username": "kort", "new_password": "kort"})
    assert response.status_code == 200 and not Credential.objects.exists()
    response = admin_client.post(ADD, {"organisation": agency.pk, "username": "tom"})
    assert response.status_code == 200 and not Credential.objects.exists()


def test_changing_a_credential_keeps_its_password_unless_a_new_one_is_given(admin_client, credential, agency):
    before = credential.password
    url = f"/admin/eformidling/credential/{credential.pk}/change/"
    admin_client.post(url, {"organisation": agency.pk, "username": credential.username, "new_password": ""})
    credential.refresh_from_db()
    assert credential.password == before and not credential.active
    assert (
        AuditEvent.objects.get(action="eformidling.credential_changed").details["password_changed"] is False
    )


def test_conversations_are_shown_read_only_with_their_statuses(admin_client, kari, auth, client):
    from eformidling.models import Conversation
    from tests.eformidling.helpers import created_and_sent

    created_and_sent(client, auth)
    conversation = Conversation.objects.get()
    assert admin_client.get("/admin/eformidling/conversation/").status_code == 200
    page = admin_client.get(f"/admin/eformidling/conversation/{conversation.pk}/change/")
    assert page.status_code == 200 and "<p>Levert</p>" in page.content.decode()  # refreshed on view
    assert EXAMPLE_RECEIVER not in page.content.decode()  # the identity number stays out of the admin
    assert admin_client.get("/admin/eformidling/conversation/add/").status_code == 403
