import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError

from core.models import OutboundSms
from core.phone import normalise_phone_number
from core.sms import SmsError, send_sms
from core.sms.backends.http import GatewayBackend


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("91234567", "+4791234567"), ("+47 412 34 567", "+4741234567"), ("0046 70 123 45 67", "+46701234567")],
)
def test_phone_numbers_are_normalised_to_e164(raw, expected):
    assert normalise_phone_number(raw) == expected


@pytest.mark.parametrize("raw", ["1234", "abc", "", "+47 0000"])
def test_invalid_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalise_phone_number(raw)


@pytest.mark.django_db
def test_outbox_backend_keeps_the_message():
    send_sms("412 34 567", "Din kode er 12345", sender="MinID")
    sms = OutboundSms.objects.get()
    assert (sms.to, sms.text, sms.sender) == ("+4741234567", "Din kode er 12345", "MinID")


@pytest.mark.django_db
def test_landline_numbers_cannot_get_sms():
    with pytest.raises(ValidationError):
        send_sms("22 12 34 56", "Hei")
    assert not OutboundSms.objects.exists()


@pytest.mark.django_db
def test_outbox_page_shows_messages_in_debug_only(client, settings):
    send_sms("41234567", "Engangskode 98765")
    settings.DEBUG = False
    assert client.get("/utvikling/sms/").status_code == 404
    settings.DEBUG = True
    response = client.get("/utvikling/sms/")
    assert response.status_code == 200
    assert "Engangskode 98765" in response.content.decode()


class Gateway:
    """A real HTTP server on loopback standing in for an SMS gateway."""

    def __init__(self, status: int):
        self.received: list[tuple[dict, str]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append((json.loads(body), self.headers.get("Authorization", "")))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/messages"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway_accepting():
    gateway = Gateway(202)
    yield gateway
    gateway.close()


@pytest.fixture
def gateway_refusing():
    gateway = Gateway(503)
    yield gateway
    gateway.close()


def test_http_backend_posts_to_the_gateway(gateway_accepting):
    send_sms("41234567", "Kode 12345", backend=GatewayBackend(gateway_accepting.url, "hemmelig"))
    assert gateway_accepting.received == [
        ({"from": "Felles", "to": "+4741234567", "text": "Kode 12345"}, "Bearer hemmelig")
    ]


def test_http_backend_reports_a_refusing_gateway(gateway_refusing):
    with pytest.raises(SmsError, match="503"):
        send_sms("41234567", "Kode 12345", backend=GatewayBackend(gateway_refusing.url, ""))


def test_http_backend_reports_an_unreachable_gateway():
    with pytest.raises(SmsError, match="could not be reached"):
        send_sms("41234567", "Kode 12345", backend=GatewayBackend("http://127.0.0.1:9/messages", ""))


def test_http_backend_is_chosen_by_settings(settings, gateway_accepting):
    settings.SMS_BACKEND = "core.sms.backends.http.GatewayBackend"
    settings.SMS_GATEWAY_URL = gateway_accepting.url
    send_sms("41234567", "Hei")
    assert gateway_accepting.received[0][0]["to"] == "+4741234567"
