"""The benchmarks' set-up: tasks inline, private files in a temporary folder, and a database of
the benchmark's own next to the configured one, migrated and dropped afterwards."""

import os
import socket
import tempfile
from contextlib import contextmanager


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on, for a benchmark's own server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def bench_database(name: str):
    """Prepare the environment (before settings are read), set Django up, and yield the connection
    to a throwaway database; everything is removed afterwards."""
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per task run
    with tempfile.TemporaryDirectory(prefix=f"felles-bench-{name}-") as private:
        os.environ["PRIVATE_MEDIA_ROOT"] = private
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection
        from django.test.utils import setup_databases, teardown_databases

        test_settings = connection.settings_dict["TEST"]
        if connection.vendor == "sqlite":
            test_settings["NAME"] = str(settings.VAR_DIR / f"bench_{name}.sqlite3")
        else:
            test_settings["NAME"] = f"{connection.settings_dict['NAME']}_bench_{name}"
        old = setup_databases(verbosity=0, interactive=False)
        try:
            yield connection
        finally:
            teardown_databases(old, verbosity=0)
