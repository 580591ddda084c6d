"""The WSGI application gunicorn runs answers a hostile Content-Type in the surface's own format."""

import io
import json
from wsgiref.util import setup_testing_defaults

import pytest

from config.wsgi import application

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = "application/json; charset*=bogus''x"


def call(path: str, content_type: str, body: bytes = b"{}") -> tuple[str, dict, bytes]:
    environ = {}
    setup_testing_defaults(environ)
    environ.update(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "SERVER_NAME": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
        }
    )
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    content = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], content


def test_an_unknown_rfc_2231_charset_is_refused_by_the_api_not_a_500():
    status, headers, content = call("/api/krr/v1/personer", HOSTILE)
    assert not status.startswith("5"), status
    assert headers["Content-Type"].startswith("application/json")
    assert "code" in json.loads(content)


def test_an_unknown_rfc_2231_charset_on_a_page_is_not_a_500():
    status, _headers, _content = call("/minid/logg-inn/", HOSTILE, b"fodselsnummer=1")
    assert not status.startswith("5"), status
