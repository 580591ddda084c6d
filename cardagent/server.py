"""The agent's HTTP API on 127.0.0.1, for exactly one web origin; JSON in Web eID's style.

Only the configured origin gets an answer (and CORS headers); requests with another Origin, none at all, or a
Host other than this loopback address (DNS rebinding) get 403. The PIN goes to the card and nowhere else: the
page sends it, or, with a pinentry program, the agent asks for it in its own window and the page never sees it.
"""

import base64
import binascii
import hashlib
import json
import logging
import shutil
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from cardagent import __version__, apdu, card, pinentry

DEFAULT_PORT = 24727
APP_VERSION = f"felles-cardagent/{__version__}"
TOKEN_FORMAT = "web-eid:1.0"
SIGNATURE_ALGORITHM = "ES256"
CHALLENGE_LENGTH = range(32, 257)
MAX_BODY = 4096
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
DEFAULT_PORTS = {"http": 80, "https": 443}
DIALOG_TITLE = "Felles card agent"
# What the PIN dialog says the site asks for.
PURPOSES = {"authenticate": "log in", "sign": "sign a document"}

ERROR_STATUS = {
    "bad-request": HTTPStatus.BAD_REQUEST,
    "forbidden-origin": HTTPStatus.FORBIDDEN,
    "no-reader": HTTPStatus.SERVICE_UNAVAILABLE,
    "no-card": HTTPStatus.CONFLICT,
    "card-removed": HTTPStatus.CONFLICT,
    "not-eid-card": HTTPStatus.UNPROCESSABLE_ENTITY,
    "wrong-pin": HTTPStatus.UNPROCESSABLE_ENTITY,
    "pin-blocked": HTTPStatus.LOCKED,
    "pin-cancelled": HTTPStatus.CONFLICT,
    "pin-timeout": HTTPStatus.CONFLICT,
    "card-error": HTTPStatus.BAD_GATEWAY,
    "internal-error": HTTPStatus.INTERNAL_SERVER_ERROR,
}

logger = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: HTTPStatus | None = None):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status or ERROR_STATUS[code]


def validate_origin(origin: str) -> str:
    """A web origin as browsers serialise it; plain http only for a page on this computer."""
    parts = urlsplit(origin)
    if (
        parts.scheme not in DEFAULT_PORTS
        or not parts.hostname
        or origin != f"{parts.scheme}://{parts.netloc}"
        or parts.netloc != parts.netloc.lower()
        or "@" in parts.netloc
        or parts.port == DEFAULT_PORTS[parts.scheme]
    ):
        raise ValueError(f"{origin!r} is not a web origin like https://felles.example")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError("only https origins are allowed, or http on localhost")
    return origin


def find_pinentry(program: str) -> str:
    """The path of a pinentry program named on the command line (a name on PATH or a path)."""
    path = shutil.which(program)
    if path is None:
        raise ValueError(f"no pinentry program {program!r} (install e.g. the Debian package pinentry-gnome3)")
    return path


class CardAgent(ThreadingHTTPServer):
    daemon_threads = True
    pin_timeout: float = pinentry.PIN_TIMEOUT

    def __init__(
        self,
        origin: str,
        *,
        reader_filter: str | None = None,
        port: int = DEFAULT_PORT,
        pinentry: str | None = None,
    ):
        self.origin = validate_origin(origin)
        self.reader_filter = reader_filter
        # The pinentry program that asks for the PIN in the agent's own window; None: the page sends it.
        self.pinentry = find_pinentry(pinentry) if pinentry else None
        super().__init__(("127.0.0.1", port), Handler)
        self.port = self.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = None

    def start(self) -> None:
        """Serve in a background thread (tests, embedding)."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: CardAgent
    server_version = APP_VERSION
    sys_version = ""

    def do_OPTIONS(self):
        if self._refused():
            return
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self._dispatch({"/status": self.status})

    def do_POST(self):
        self._dispatch(
            {"/certificate": self.certificate, "/authenticate": self.authenticate, "/sign": self.sign}
        )

    # The API.

    def status(self, body: None) -> dict:
        readers = card.list_readers(self.server.reader_filter)
        return {
            "version": __version__,
            "origin": self.server.origin,
            "readers": readers,
            "cardPresent": any(card.card_present(reader) for reader in readers),
            "pinEntry": "agent" if self.server.pinentry else "page",
        }

    def certificate(self, body: dict) -> dict:
        with card.open_card(self.server.reader_filter) as eid:
            return {"certificate": _b64(eid.certificate())}

    def authenticate(self, body: dict) -> dict:
        challenge = body.get("challenge")
        if not isinstance(challenge, str) or len(challenge) not in CHALLENGE_LENGTH:
            raise ApiError("bad-request", "The challenge must be a string of 32 to 256 characters.")
        pin = self._pin(body)
        # Web eID's token: the signature covers SHA-256(origin) || SHA-256(challenge), hashed again by ES256.
        signed_data = _sha256(self.server.origin.encode()) + _sha256(challenge.encode())
        with card.open_card(self.server.reader_filter) as eid:
            certificate = eid.certificate()
            self._verify_pin(eid, pin, certificate, PURPOSES["authenticate"])
            signature = eid.sign(_sha256(signed_data))
        return {
            "format": TOKEN_FORMAT,
            "unverifiedCertificate": _b64(certificate),
            "algorithm": SIGNATURE_ALGORITHM,
            "signature": _b64(signature),
            "appVersion": APP_VERSION,
        }

    def sign(self, body: dict) -> dict:
        if body.get("hashFunction") != "SHA-256":
            raise ApiError("bad-request", 'The hashFunction must be "SHA-256".')
        try:
            digest = base64.b64decode(body.get("digest") or "", validate=True)
        except (binascii.Error, TypeError, ValueError):
            digest = b""
        if len(digest) != apdu.DIGEST_LENGTH:
            raise ApiError("bad-request", "The digest must be a base64-encoded 32-byte SHA-256 value.")
        pin = self._pin(body)
        with card.open_card(self.server.reader_filter) as eid:
            certificate = eid.certificate()
            self._verify_pin(eid, pin, certificate, PURPOSES["sign"])
            signature = eid.sign(digest)
        return {
            "signature": _b64(signature),
            "algorithm": SIGNATURE_ALGORITHM,
            "certificate": _b64(certificate),
        }

    # The PIN: from the page, or from the agent's own dialog.

    def _pin(self, body: dict) -> str | None:
        """The page's PIN from the body; None when the agent asks for it itself (then the page must send none)."""
        if self.server.pinentry is None:
            pin = body.get("pin")
            if not _is_pin(pin):
                raise ApiError("bad-request", f"The PIN must be {apdu.PIN_LENGTH} digits.")
            return pin
        if "pin" in body:
            raise ApiError(
                "bad-request",
                "This card agent asks for the PIN in its own window; the page must not send one.",
            )
        return None

    def _verify_pin(self, eid: card.EidCard, pin: str | None, certificate: bytes, purpose: str) -> None:
        if pin is not None:
            eid.verify_pin(pin)
            return
        if eid.pin_tries_left() == 0:
            raise card.CardBlocked()  # no dialog for a PIN that the card would refuse anyway
        description = f"{self.server.origin} asks you to {purpose} with your eID card."
        holder = pinentry.subject_common_name(certificate)
        if holder:
            description += f"\nCard holder: {holder}"
        logger.info("Asking for the PIN (%s) in %s", purpose, self.server.pinentry)
        dialog = pinentry.PinDialog(
            self.server.pinentry, title=DIALOG_TITLE, description=description, timeout=self.server.pin_timeout
        )
        with dialog:
            error = None
            while True:
                pin = dialog.ask(error)
                if not _is_pin(pin):
                    error = f"The PIN is {apdu.PIN_LENGTH} digits."  # the card was not asked: no try used
                    continue
                try:
                    eid.verify_pin(pin)
                    return
                except card.WrongPin as wrong:
                    logger.info("Wrong PIN in the dialog; %d tries left", wrong.tries_left)
                    error = wrong.message  # CardBlocked, after the last try, ends the dialog

    # Plumbing.

    def _dispatch(self, routes: dict) -> None:
        if self._refused():
            return
        try:
            view = routes.get(urlsplit(self.path).path)
            if view is None:
                raise ApiError("bad-request", "No such endpoint.", HTTPStatus.NOT_FOUND)
            self._send(HTTPStatus.OK, view(self._json_body() if self.command == "POST" else None))
        except ApiError as error:
            self._send_error(error.status, error.code, error.message)
        except card.WrongPin as error:
            self._send_error(ERROR_STATUS[error.code], error.code, error.message, triesLeft=error.tries_left)
        except card.CardError as error:
            self._send_error(ERROR_STATUS[error.code], error.code, error.message)
        except pinentry.PinentryError as error:
            if error.code == "internal-error":
                logger.error("The PIN dialog failed: %s", error.detail)
            self._send_error(ERROR_STATUS[error.code], error.code, error.message)
        except Exception:
            logger.exception("Unexpected failure in %s", self.path)
            self._send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal-error", "The card agent failed.")

    def _refused(self) -> bool:
        """Answer 403, without CORS headers, unless both Host and Origin are the expected ones."""
        expected_hosts = {f"127.0.0.1:{self.server.port}", f"localhost:{self.server.port}"}
        if self.headers.get("Host") not in expected_hosts:
            message = "Requests must be addressed to 127.0.0.1."
        elif self.headers.get("Origin") != self.server.origin:
            message = "This card agent only answers its own web site."
        else:
            return False
        self.close_connection = True
        self._send(HTTPStatus.FORBIDDEN, {"error": "forbidden-origin", "message": message}, cors=False)
        return True

    def _json_body(self) -> dict:
        if self.headers.get("Transfer-Encoding"):
            raise ApiError("bad-request", "Send the body with a Content-Length.", HTTPStatus.LENGTH_REQUIRED)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise ApiError("bad-request", "Bad Content-Length.") from None
        if not 0 <= length <= MAX_BODY:
            raise ApiError(
                "bad-request", "The request body is too large.", HTTPStatus.REQUEST_ENTITY_TOO_LARGE
            )
        raw = self.rfile.read(length)
        if not raw:
            return {}
        if self.headers.get_content_type() != "application/json":
            raise ApiError("bad-request", "Send JSON.", HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError("bad-request", "The body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise ApiError("bad-request", "The body must be a JSON object.")
        return body

    def _send_error(self, status: HTTPStatus, code: str, message: str, **extra) -> None:
        self._send(status, {"error": code, "message": message, **extra})

    def _send(self, status: HTTPStatus, payload: dict, *, cors: bool = True) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        if cors:
            self._cors_headers()
        else:
            self.send_header("Vary", "Origin")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def _cors_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", self.server.origin)
        self.send_header("Vary", "Origin")

    def log_message(self, format, *args):
        # The request line and status only (BaseHTTPRequestHandler never logs bodies).
        logger.info("%s %s", self.address_string(), format % args)


def _is_pin(value) -> bool:
    return isinstance(value, str) and len(value) == apdu.PIN_LENGTH and value.isascii() and value.isdigit()


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
