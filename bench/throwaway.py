"""A database of the benchmark's own, next to the configured one, migrated and dropped afterwards."""

from contextlib import contextmanager


@contextmanager
def throwaway_database(suffix: str):
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    test_settings = connection.settings_dict["TEST"]
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(settings.VAR_DIR / f"bench_{suffix}.sqlite3")
    else:
        test_settings["NAME"] = f"{connection.settings_dict['NAME']}_bench_{suffix}"
    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield connection
    finally:
        teardown_databases(old, verbosity=0)


def prepare_environment(name: str):
    """Before settings are read: tasks run inline, private files (letters) go to a
    temporary folder, one log line per task is silenced. Returns the folder to clean up."""
    import os
    import tempfile

    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    private = tempfile.TemporaryDirectory(prefix=f"felles-bench-{name}-")
    os.environ["PRIVATE_MEDIA_ROOT"] = private.name
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return private
