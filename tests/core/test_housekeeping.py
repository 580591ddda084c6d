"""manage.py purge_expired: rows that guard only for a while go once they guard nothing; every row
still needed stays."""

import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from idporten.models import (
    AccessToken,
    Authorization,
    AuthorizationCode,
    BackchannelDelivery,
    PushedRequest,
    RefreshToken,
    SsoSession,
    UsedAssertion,
)
from kontaktregister.models import VerificationCode
from minid.models import Login, MinidUser, OneTimeCode
from smartkort.models import LoginChallenge, Provider
from tests.folkeregister.factories import make_person
from tests.idporten.factories import client as make_client
from tests.idporten.factories import organisation
from virksomheter.models import UsedGrantJti

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def purge() -> str:
    output = io.StringIO()
    call_command("purge_expired", stdout=output)
    return output.getvalue()


def ago(delta: timedelta):
    return timezone.now() - delta


def later(delta: timedelta):
    return timezone.now() + delta


def test_expired_grant_jtis_go_and_unexpired_ones_stay():
    org = organisation()
    UsedGrantJti.objects.create(organisation=org, jti="old", expires_at=ago(timedelta(seconds=1)))
    UsedGrantJti.objects.create(organisation=org, jti="fresh", expires_at=later(timedelta(seconds=30)))

    output = purge()

    assert list(UsedGrantJti.objects.values_list("jti", flat=True)) == ["fresh"]
    assert "virksomheter.UsedGrantJti: 1" in output


def test_expired_assertions_and_pushed_requests_go_and_fresh_ones_stay():
    oidc_client, _secret = make_client()
    UsedAssertion.objects.create(client=oidc_client, jti="old", expires_at=ago(timedelta(seconds=1)))
    UsedAssertion.objects.create(client=oidc_client, jti="fresh", expires_at=later(timedelta(seconds=60)))
    PushedRequest.objects.create(
        request_uri="urn:old", client=oidc_client, parameters={}, expires_at=ago(HOUR)
    )
    PushedRequest.objects.create(
        request_uri="urn:fresh", client=oidc_client, parameters={}, expires_at=later(timedelta(seconds=60))
    )

    output = purge()

    assert list(UsedAssertion.objects.values_list("jti", flat=True)) == ["fresh"]
    assert list(PushedRequest.objects.values_list("request_uri", flat=True)) == ["urn:fresh"]
    assert "idporten.UsedAssertion: 1" in output and "idporten.PushedRequest: 1" in output


def session(sid: str, *, created_ago=timedelta(0), ended_ago=None) -> SsoSession:
    row = SsoSession.objects.create(
        sid=sid, identity_number="05917599881", acr="idporten-loa-substantial", amr="Minid-OTC",
        auth_time=ago(created_ago), last_seen=ago(created_ago),
        ended_at=ago(ended_ago) if ended_ago is not None else None,
    )  # fmt: skip
    SsoSession.objects.filter(pk=row.pk).update(created=ago(created_ago))
    return row


def authorization(oidc_client, sso: SsoSession, *, expires_at) -> Authorization:
    return Authorization.objects.create(
        client=oidc_client, session=sso, scope="openid", nonce="n", expires_at=expires_at
    )


def test_expired_tokens_go_but_a_used_code_stays_while_its_authorization_can_be_revoked():
    oidc_client, _secret = make_client()
    live = authorization(oidc_client, session("live"), expires_at=later(HOUR))
    code = {"authorization": live, "redirect_uri": "https://x", "code_challenge": "c"}
    AuthorizationCode.objects.create(code_hash="expired-unused", expires_at=ago(HOUR), **code)
    AuthorizationCode.objects.create(
        code_hash="expired-used", expires_at=ago(HOUR), used_at=ago(HOUR), **code
    )
    AuthorizationCode.objects.create(code_hash="fresh", expires_at=later(timedelta(seconds=60)), **code)
    RefreshToken.objects.create(token_hash="expired-unused", authorization=live, expires_at=ago(HOUR))
    RefreshToken.objects.create(
        token_hash="expired-used", authorization=live, expires_at=ago(HOUR), used_at=ago(HOUR)
    )
    RefreshToken.objects.create(token_hash="fresh", authorization=live, expires_at=later(HOUR))
    AccessToken.objects.create(jti="expired", authorization=live, expires_at=ago(timedelta(seconds=1)))
    AccessToken.objects.create(jti="fresh", authorization=live, expires_at=later(timedelta(seconds=60)))

    purge()

    assert set(AuthorizationCode.objects.values_list("code_hash", flat=True)) == {"expired-used", "fresh"}
    assert set(RefreshToken.objects.values_list("token_hash", flat=True)) == {"expired-used", "fresh"}
    assert list(AccessToken.objects.values_list("jti", flat=True)) == ["fresh"]


def test_used_codes_go_with_their_expired_authorization():
    oidc_client, _secret = make_client()
    expired = authorization(oidc_client, session("live"), expires_at=ago(HOUR))
    AuthorizationCode.objects.create(
        code_hash="used", authorization=expired, redirect_uri="https://x", code_challenge="c",
        expires_at=ago(HOUR), used_at=ago(HOUR),
    )  # fmt: skip
    RefreshToken.objects.create(
        token_hash="used", authorization=expired, expires_at=ago(HOUR), used_at=ago(HOUR)
    )

    purge()

    assert not AuthorizationCode.objects.exists() and not RefreshToken.objects.exists()
    # The session is live: it must still be able to tell this client at logout.
    assert Authorization.objects.filter(pk=expired.pk).exists()


def test_sessions_go_once_over_and_every_authorization_in_them_has_expired():
    oidc_client, _secret = make_client()
    ended_dead = session("ended-dead", created_ago=3 * HOUR, ended_ago=2 * HOUR)
    authorization(oidc_client, ended_dead, expires_at=ago(HOUR))
    authorization(oidc_client, session("past-max"), expires_at=ago(HOUR))
    SsoSession.objects.filter(sid="past-max").update(created=ago(3 * HOUR))
    ended_with_live_tokens = session("ended-live", ended_ago=timedelta(minutes=1))
    authorization(oidc_client, ended_with_live_tokens, expires_at=later(HOUR))
    session("active", created_ago=timedelta(minutes=10))
    session("idle-within-max", created_ago=HOUR)

    output = purge()

    assert set(SsoSession.objects.values_list("sid", flat=True)) == {
        "ended-live",
        "active",
        "idle-within-max",
    }
    assert Authorization.objects.count() == 1
    assert "idporten.SsoSession: 2" in output


def minid_user() -> MinidUser:
    return MinidUser.objects.create(person=make_person(), status=MinidUser.Status.REGISTERING)


def test_expired_one_time_codes_and_abandoned_logins_go_and_completed_logins_stay():
    user = minid_user()
    code = {"user": user, "purpose": OneTimeCode.Purpose.LOGIN, "salt": "s", "code_hash": "h"}
    OneTimeCode.objects.create(bound_to="expired", expires_at=ago(timedelta(seconds=1)), **code)
    OneTimeCode.objects.create(bound_to="fresh", expires_at=later(timedelta(minutes=4)), **code)
    login = {"user": user, "method": Login.Method.SMS}
    Login.objects.create(id=uuid.uuid4(), started_at=ago(HOUR), expires_at=ago(HOUR / 2), **login)
    completed = Login.objects.create(
        id=uuid.uuid4(), started_at=ago(400 * 24 * HOUR), expires_at=ago(400 * 24 * HOUR),
        completed_at=ago(400 * 24 * HOUR), **login,
    )  # fmt: skip
    pending = Login.objects.create(
        id=uuid.uuid4(), started_at=ago(HOUR / 60), expires_at=later(HOUR / 4), **login
    )

    output = purge()

    assert list(OneTimeCode.objects.values_list("bound_to", flat=True)) == ["fresh"]
    assert set(Login.objects.values_list("pk", flat=True)) == {completed.pk, pending.pk}
    assert "minid.OneTimeCode: 1" in output and "minid.Login: 1" in output


def test_smartcard_challenges_go_a_day_after_they_expired():
    challenge = {"attempt_hash": "a", "origin": "https://felles.example.no", "provider": Provider.values[0]}
    LoginChallenge.objects.create(nonce="old", expires_at=ago(25 * HOUR), **challenge)
    LoginChallenge.objects.create(nonce="late-answer", expires_at=ago(HOUR), **challenge)
    LoginChallenge.objects.create(nonce="fresh", expires_at=later(timedelta(minutes=5)), **challenge)

    purge()

    assert set(LoginChallenge.objects.values_list("nonce", flat=True)) == {"late-answer", "fresh"}


def test_expired_contact_change_codes_go_and_fresh_ones_stay():
    code = {"salt": "s", "code_hash": "h", "value": "+4791234567", "kind": VerificationCode.Kind.MOBILE}
    VerificationCode.objects.create(person=make_person(), expires_at=ago(timedelta(seconds=1)), **code)
    fresh = VerificationCode.objects.create(person=make_person(), expires_at=later(HOUR / 4), **code)

    purge()

    assert list(VerificationCode.objects.values_list("pk", flat=True)) == [fresh.pk]


def task_result(status, *, finished_ago=None) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status, args_kwargs={"args": [], "kwargs": {}}, task_path="core.tasks.deliver_sms",
        backend_name="default", run_after=ago(30 * 24 * HOUR),
        finished_at=ago(finished_ago) if finished_ago is not None else None,
    )  # fmt: skip


def test_finished_task_results_go_after_the_kept_days_and_the_queue_stays(settings):
    settings.TASK_RESULTS_KEPT_DAYS = 14
    old_success = task_result(TaskResultStatus.SUCCESSFUL, finished_ago=15 * 24 * HOUR)
    old_failure = task_result(TaskResultStatus.FAILED, finished_ago=15 * 24 * HOUR)
    recent = task_result(TaskResultStatus.SUCCESSFUL, finished_ago=13 * 24 * HOUR)
    waiting = task_result(TaskResultStatus.READY)
    running = task_result(TaskResultStatus.RUNNING)

    output = purge()

    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk, running.pk}
    assert not DBTaskResult.objects.filter(pk__in=[old_success.pk, old_failure.pk]).exists()
    assert "django_tasks_database.DBTaskResult: 2" in output


def test_nothing_to_purge_is_said_plainly():
    assert purge().strip() == "Deleted 0 expired rows."


def test_finished_backchannel_deliveries_go_after_30_days_and_pending_ones_stay():
    oidc_client, _secret = make_client(backchannel_logout_uri="https://tjeneste.example.no/logout")

    def delivery(state, created_ago):
        row = BackchannelDelivery.objects.create(
            client=oidc_client, sid=uuid.uuid4().hex, sub="s", issuer="i", state=state
        )
        BackchannelDelivery.objects.filter(pk=row.pk).update(created=ago(created_ago))
        return row

    old_delivered = delivery(BackchannelDelivery.State.DELIVERED, timedelta(days=31))
    old_failed = delivery(BackchannelDelivery.State.FAILED, timedelta(days=31))
    old_pending = delivery(BackchannelDelivery.State.PENDING, timedelta(days=31))
    recent_failed = delivery(BackchannelDelivery.State.FAILED, timedelta(days=29))

    purge()

    remaining = set(BackchannelDelivery.objects.values_list("pk", flat=True))
    assert remaining == {old_pending.pk, recent_failed.pk}
    assert not remaining & {old_delivered.pk, old_failed.pk}
