"""WSGI entry point: `gunicorn config.wsgi`."""

import os

from core.wsgi import application as felles_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = felles_application()
