"""The session store (core.sessions): Django's database store with fewer statements per login, and
the same guarantees: a new key is unique, cycling the key moves the data and kills the old key, and a
deleted session is gone from the database."""

from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.sessions import SessionStore


def _data_statements(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.django_db
def test_a_new_session_is_one_insert_without_a_lookup_first():
    store = SessionStore()
    store["minid.pending_login"] = "x"
    with CaptureQueriesContext(connection) as context:
        store.save()
    statements = _data_statements(context)
    assert len(statements) == 1 and statements[0].startswith("INSERT")
    assert SessionStore(store.session_key)["minid.pending_login"] == "x"


@pytest.mark.django_db
def test_a_key_already_in_use_is_not_taken_over(monkeypatch):
    taken = SessionStore()
    taken["owner"] = "first"
    taken.save()
    keys = iter([taken.session_key, "b" * 32])
    store = SessionStore()
    monkeypatch.setattr(store, "_get_new_session_key", lambda: next(keys))
    store["owner"] = "second"
    store.save()
    assert store.session_key == "b" * 32
    assert SessionStore(taken.session_key)["owner"] == "first"
    assert SessionStore("b" * 32)["owner"] == "second"


@pytest.mark.django_db
def test_cycling_the_key_moves_the_data_and_ends_the_old_key():
    store = SessionStore()
    store["minid.user"] = 7
    store.save()
    old_key = store.session_key
    with CaptureQueriesContext(connection) as context:
        store.cycle_key()
        store["minid.amr"] = "Minid-OTC"
        store.save()
    assert [sql.split()[0] for sql in _data_statements(context)] == ["DELETE", "INSERT"]
    assert store.session_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert dict(SessionStore(store.session_key).items()) == {"minid.user": 7, "minid.amr": "Minid-OTC"}


@pytest.mark.django_db
def test_a_deleted_session_is_gone():
    store = SessionStore()
    store["x"] = 1
    store.save()
    store.delete()
    assert not Session.objects.filter(session_key=store.session_key).exists()
    assert SessionStore(store.session_key).get("x") is None


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_write_is_not_wrapped_in_one_and_a_taken_key_is_still_refused(monkeypatch):
    taken = SessionStore()
    taken["owner"] = "first"
    taken.save()
    keys = iter([taken.session_key, "c" * 32])
    store = SessionStore()
    monkeypatch.setattr(store, "_get_new_session_key", lambda: next(keys))
    store["owner"] = "second"
    with mock.patch.object(connection, "commit", wraps=connection.commit) as commits:
        store.save()  # the taken key fails its INSERT, the next one is stored
        store["more"] = 1
        store.save()  # an UPDATE
    assert commits.call_count == 0
    assert store.session_key == "c" * 32
    assert SessionStore(taken.session_key)["owner"] == "first"
    assert dict(SessionStore("c" * 32).items()) == {"owner": "second", "more": 1}
