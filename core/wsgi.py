"""The WSGI application gunicorn runs: Django's, with a request that survives a hostile Content-Type.

Django 5.2 parses the Content-Type's parameters while it builds the request, before any middleware
or error handler runs, and raises ValueError for `charset*=` in an unknown encoding: every URL then
answered 500. Such a header names no type Felles accepts, so the request goes on without one and the
view refuses it in its own format (an API's 415 problem, a page's form error)."""

import django
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest


class Request(WSGIRequest):
    def _set_content_type_params(self, meta):
        try:
            super()._set_content_type_params(meta)
        except ValueError:
            self.content_type, self.content_params = "", {}


class Handler(WSGIHandler):
    request_class = Request


def application() -> Handler:
    django.setup(set_prefix=False)
    return Handler()
