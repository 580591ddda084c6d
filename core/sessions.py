"""The database session store with fewer statements per login.

Django's store reads before it writes: a new key is first looked up (SELECT) and then inserted, and
cycle_key() inserts the new key at once, reads the old row back to delete it, and updates the new row
with the data at the end of the request. Here a new key is inserted once, with its data, when the
request's session is saved (a key already in use fails that INSERT, as in Django, and another is
drawn), the old row is deleted with one DELETE, and a write outside a transaction is not wrapped in
one of its own. For a login, cycle_key_when_saved() renames the old row to the new key in the save's
one UPDATE instead (the old key keeps only what it had if that save never comes). Sessions stay in the database, so logging out still ends them on the server.
"""

from contextlib import nullcontext

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import DatabaseError, IntegrityError, router, transaction
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    _unsaved_key = False
    # The key cycle_key_when_saved() replaced: its row takes the new key when the session is saved.
    _renamed_from = None

    def _get_new_session_key(self) -> str:
        # 190 random bits: the INSERT of save(must_create=True) is the uniqueness check.
        return get_random_string(32, VALID_KEY_CHARS)

    def create(self) -> None:
        """A new key, inserted when the session is saved rather than at once."""
        self._session_key = self._get_new_session_key()
        self._unsaved_key = True
        self.modified = True
        if not hasattr(self, "_session_cache"):
            self._session_cache = {}  # as Django's create() leaves it: nothing to load for a new key

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()
        if not self._unsaved_key:
            self._write(must_create=must_create)
            return
        if self._renamed_from is not None:
            old_key, self._renamed_from = self._renamed_from, None
            if self._rename(old_key):
                self._unsaved_key = False
                return
        while True:
            try:
                self._write(must_create=True)
            except CreateError:
                self._session_key = self._get_new_session_key()
                continue
            self._unsaved_key = False
            return

    def _write(self, *, must_create: bool) -> None:
        """One INSERT or UPDATE. Django wraps it in a transaction so that a taken key does not break an
        enclosing one; outside any (autocommit) the single statement is atomic by itself."""
        using = router.db_for_write(self.model)
        if transaction.get_connection(using).in_atomic_block:
            super().save(must_create=must_create)
            return
        obj = self.create_model_instance(self._get_session(no_load=must_create))
        try:
            obj.save(force_insert=must_create, force_update=not must_create, using=using)
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise

    def _rename(self, old_key: str) -> bool:
        """The old key's row, under the new key and with the session's data, in one UPDATE; False
        when that row is gone (it is then inserted). A new key already in use (190 random bits: in
        practice never) is redrawn, as for an INSERT."""
        using = router.db_for_write(self.model)
        # Inside a transaction a taken key must not break it: a savepoint, as Django's save() has.
        in_transaction = transaction.get_connection(using).in_atomic_block
        while True:
            obj = self.create_model_instance(self._get_session(no_load=True))
            try:
                with transaction.atomic(using=using) if in_transaction else nullcontext():
                    renamed = (
                        self.model.objects.using(using)
                        .filter(session_key=old_key)
                        .update(
                            session_key=self.session_key,
                            session_data=obj.session_data,
                            expire_date=obj.expire_date,
                        )
                    )
            except IntegrityError:
                self._session_key = self._get_new_session_key()
                continue
            return renamed == 1

    def cycle_key(self) -> None:
        data = self._session
        key = self.session_key
        self.create()
        self._session_cache = data
        if key:
            self.delete(key)

    def cycle_key_when_saved(self) -> None:
        """cycle_key() for a login: the data goes under a new key and the old key stops working, but
        by the one UPDATE of the save at the end of the request (the old row renamed) rather than a
        DELETE now and an INSERT then. If that save never comes (a failed response), the old key
        keeps what it had before, never what this request added to it - so this is for a change
        that must not outlive a failed request, such as a login, and not for a logout, which
        cycle_key() ends at once."""
        key = self._renamed_from if self._unsaved_key else self.session_key
        data = self._session
        self.create()
        self._session_cache = data
        self._renamed_from = key

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self._renamed_from is not None:  # the row still has its old key
                self.model.objects.filter(session_key=self._renamed_from).delete()
                self._renamed_from = None
            if self.session_key is None:
                return
            session_key = self.session_key
        self.model.objects.filter(session_key=session_key).delete()
