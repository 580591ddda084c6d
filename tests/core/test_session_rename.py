"""cycle_key_when_saved() (core.sessions), as a login uses it: the old row takes the new key in the
save's one UPDATE; the old key stops working then; a request whose session is never saved leaves the
old key with what it had, not with what the request added."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _data_statements(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]


def _stored(**data) -> SessionStore:
    store = SessionStore()
    store.update(data)
    store.save()
    return store


def test_the_old_row_takes_the_new_key_in_one_update():
    store = _stored(**{"minid.pending_login": "x"})
    old_key = store.session_key
    with CaptureQueriesContext(connection) as context:
        store.cycle_key_when_saved()
        store.pop("minid.pending_login")
        store["minid.user"] = 7
        store.save()
    assert [sql.split()[0] for sql in _data_statements(context)] == ["UPDATE"]
    assert store.session_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert dict(SessionStore(store.session_key).items()) == {"minid.user": 7}
    assert Session.objects.count() == 1


def test_until_the_save_the_old_key_keeps_only_what_it_had():
    store = _stored(**{"minid.pending_login": "x"})
    old_key = store.session_key
    store.cycle_key_when_saved()
    store["minid.user"] = 7  # never saved: the response failed
    assert dict(SessionStore(old_key).items()) == {"minid.pending_login": "x"}
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_a_row_gone_meanwhile_is_inserted_under_the_new_key():
    store = _stored(a=1)
    old_key = store.session_key
    store.cycle_key_when_saved()
    Session.objects.filter(session_key=old_key).delete()  # expired and cleared, say
    store["b"] = 2
    store.save()
    assert dict(SessionStore(store.session_key).items()) == {"a": 1, "b": 2}


def test_cycling_twice_before_the_save_still_ends_the_first_key():
    store = _stored(a=1)
    first_key = store.session_key
    store.cycle_key_when_saved()
    store.cycle_key_when_saved()
    store.save()
    assert not Session.objects.filter(session_key=first_key).exists()
    assert dict(SessionStore(store.session_key).items()) == {"a": 1}


def test_a_new_key_already_in_use_is_redrawn_not_taken_over(monkeypatch):
    taken = _stored(owner="first")
    store = _stored(owner="second")
    old_key = store.session_key
    keys = iter([taken.session_key, "d" * 32])
    monkeypatch.setattr(store, "_get_new_session_key", lambda: next(keys))
    store.cycle_key_when_saved()
    store.save()
    assert store.session_key == "d" * 32
    assert SessionStore(taken.session_key)["owner"] == "first"
    assert SessionStore("d" * 32)["owner"] == "second"
    assert not Session.objects.filter(session_key=old_key).exists()


def test_flushing_after_a_cycle_deletes_the_old_row_too():
    store = _stored(a=1)
    old_key = store.session_key
    store.cycle_key_when_saved()
    store.flush()
    assert not Session.objects.filter(session_key=old_key).exists()
