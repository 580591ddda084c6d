"""The database session store with fewer statements per login.

Django's store reads before it writes: a new key is first looked up (SELECT) and then inserted, and
cycle_key() inserts the new key at once, reads the old row back to delete it, and updates the new row
with the data at the end of the request. Here a new key is inserted once, with its data, when the
request's session is saved (a key already in use fails that INSERT, as in Django, and another is
drawn), the old row is deleted with one DELETE, and a write outside a transaction is not wrapped in
one of its own. Sessions stay in the database, so logging out still ends them on the server.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import DatabaseError, IntegrityError, router, transaction
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    _unsaved_key = False

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

    def cycle_key(self) -> None:
        data = self._session
        key = self.session_key
        self.create()
        self._session_cache = data
        if key:
            self.delete(key)

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self.model.objects.filter(session_key=session_key).delete()
