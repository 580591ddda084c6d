"""A virtual "Felles eID" smartcard for tests and demos, plugged into pcscd through vsmartcard's vpcd driver.

The emulator is a TCP client of vpcd (the reader): each message is a 2-byte big-endian length and a payload.
A 1-byte payload is a control (power off/on, reset, get ATR), anything else a command APDU. Connecting the
socket inserts the card, closing it pulls the card out.

    python -m cardagent.virtualcard --new-image card.json --certificate c.pem --key k.pem --pin 1234
    python -m cardagent.virtualcard --image card.json [--port 35963]
"""

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import socket
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from cryptography.x509 import load_pem_x509_certificate

from cardagent import apdu

logger = logging.getLogger(__name__)

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963
VPCD_POWER_OFF, VPCD_POWER_ON, VPCD_RESET, VPCD_GET_ATR = 0x00, 0x01, 0x02, 0x04
PIN_HASH_ITERATIONS = 100_000
PULLED_OUT_SECONDS = 1.0  # pcscd polls a reader for its card every 0.4 s


def hash_pin(pin: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, PIN_HASH_ITERATIONS)


@dataclass
class CardImage:
    """What the card stores: certificate, key, the PIN only as a salted hash, and the retry counter."""

    certificate_pem: bytes
    private_key_pem: bytes
    pin_salt: bytes
    pin_hash: bytes
    tries_left: int = apdu.PIN_TRIES

    @classmethod
    def new(cls, certificate_pem: bytes, private_key_pem: bytes, pin: str, tries: int = apdu.PIN_TRIES):
        if not re.fullmatch(rf"[0-9]{{{apdu.PIN_LENGTH}}}", pin):
            raise ValueError(f"the PIN must be {apdu.PIN_LENGTH} digits")
        if not 0 <= tries <= apdu.PIN_TRIES:
            raise ValueError(f"tries must be between 0 and {apdu.PIN_TRIES}")
        key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError("the card's key must be an ECDSA P-256 key")
        load_pem_x509_certificate(certificate_pem)
        salt = secrets.token_bytes(16)
        return cls(certificate_pem, private_key_pem, salt, hash_pin(pin, salt), tries)

    @classmethod
    def load(cls, path: Path) -> "CardImage":
        fields = json.loads(Path(path).read_text())
        return cls(
            certificate_pem=fields["certificate"].encode(),
            private_key_pem=fields["privateKey"].encode(),
            pin_salt=base64.b64decode(fields["pinSalt"]),
            pin_hash=base64.b64decode(fields["pinHash"]),
            tries_left=fields["triesLeft"],
        )

    def save(self, path: Path) -> None:
        fields = {
            "certificate": self.certificate_pem.decode(),
            "privateKey": self.private_key_pem.decode(),
            "pinSalt": base64.b64encode(self.pin_salt).decode(),
            "pinHash": base64.b64encode(self.pin_hash).decode(),
            "triesLeft": self.tries_left,
        }
        path = Path(path)
        temporary = path.with_name(path.name + ".tmp")
        # The image holds a private key: readable by its owner only.
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            json.dump(fields, file, indent=2)
        temporary.replace(path)


def write_card_image(
    path: Path, *, certificate_pem: bytes, private_key_pem: bytes, pin: str, tries: int = apdu.PIN_TRIES
) -> CardImage:
    image = CardImage.new(certificate_pem, private_key_pem, pin, tries)
    image.save(path)
    return image


class Applet:
    """The card's behaviour: one APDU in, one response APDU (data + SW1 SW2) out."""

    def __init__(self, image: CardImage, on_change=None):
        self.image = image
        self._on_change = on_change or (lambda image: None)
        self._certificate = load_pem_x509_certificate(image.certificate_pem).public_bytes(
            serialization.Encoding.DER
        )
        self._key = serialization.load_pem_private_key(image.private_key_pem, password=None)
        self.reset()

    def reset(self) -> None:
        """Power off, power on or reset: nothing selected, PIN not verified."""
        self.selected = False
        self.current_ef = None
        self.pin_verified = False

    def process(self, raw: bytes) -> bytes:
        try:
            command = apdu.Command.parse(raw)
        except ValueError:
            return _sw(apdu.SW_WRONG_LENGTH)
        if command.cla != apdu.CLA:
            return _sw(apdu.SW_CLA_NOT_SUPPORTED)
        if command.ins == apdu.INS_SELECT:
            return self._select(command)
        handler = {
            apdu.INS_READ_BINARY: self._read_binary,
            apdu.INS_VERIFY: self._verify,
            apdu.INS_PSO: self._compute_signature,
        }.get(command.ins)
        if handler is None:
            return _sw(apdu.SW_INS_NOT_SUPPORTED)
        if not self.selected:
            return _sw(apdu.SW_CONDITIONS_NOT_SATISFIED)
        return handler(command)

    def _select(self, command: apdu.Command) -> bytes:
        if command.p2 != apdu.SELECT_NO_RESPONSE_DATA or command.p1 not in (
            apdu.SELECT_BY_AID,
            apdu.SELECT_EF_UNDER_CURRENT_DF,
        ):
            return _sw(apdu.SW_WRONG_P1P2)
        if command.le is not None:
            return _sw(apdu.SW_WRONG_LENGTH)  # P2 0C: no response data, so no Le
        if command.p1 == apdu.SELECT_BY_AID:
            if command.data != apdu.AID:
                return _sw(apdu.SW_FILE_NOT_FOUND)  # and the current selection stays
            self.reset()  # selecting the applet, again too, starts from a clean security state
            self.selected = True
            return _sw(apdu.SW_OK)
        if not self.selected:
            return _sw(apdu.SW_FILE_NOT_FOUND)
        if len(command.data) != 2:
            return _sw(apdu.SW_WRONG_LENGTH)
        if command.data != apdu.CERTIFICATE_FID:
            return _sw(apdu.SW_FILE_NOT_FOUND)
        self.current_ef = self._certificate
        return _sw(apdu.SW_OK)

    def _read_binary(self, command: apdu.Command) -> bytes:
        if command.p1 & 0x80:
            return _sw(apdu.SW_FUNCTION_NOT_SUPPORTED)  # short EF identifiers
        if command.data or command.le is None:
            return _sw(apdu.SW_WRONG_LENGTH)
        if self.current_ef is None:
            return _sw(apdu.SW_NO_CURRENT_EF)
        offset = command.p1 << 8 | command.p2
        if offset > len(self.current_ef):
            return _sw(apdu.SW_OFFSET_OUTSIDE_EF)
        chunk = self.current_ef[offset : offset + command.le]
        return chunk + _sw(apdu.SW_OK if len(chunk) == command.le else apdu.SW_END_OF_FILE)

    def _verify(self, command: apdu.Command) -> bytes:
        if command.p1 != 0x00:
            return _sw(apdu.SW_WRONG_P1P2)
        if command.p2 != apdu.PIN_REFERENCE:
            return _sw(apdu.SW_REFERENCE_NOT_FOUND)
        if command.le is not None:
            return _sw(apdu.SW_WRONG_LENGTH)
        if self.image.tries_left == 0:
            return _sw(apdu.SW_AUTHENTICATION_METHOD_BLOCKED)
        if not command.data:  # ISO 7816-4: VERIFY without data reports the state
            if self.pin_verified:
                return _sw(apdu.SW_OK)
            return _sw(apdu.SW_VERIFICATION_FAILED | self.image.tries_left)
        if len(command.data) != apdu.PIN_LENGTH:
            return _sw(apdu.SW_WRONG_LENGTH)
        if not command.data.isdigit():
            return _sw(apdu.SW_WRONG_DATA)
        # Count the try before comparing, as cards do: pulling the card mid-check must not save a try.
        self.pin_verified = False
        self._set_tries_left(self.image.tries_left - 1)
        candidate = hash_pin(command.data.decode("ascii"), self.image.pin_salt)
        if not hmac.compare_digest(candidate, self.image.pin_hash):
            return _sw(apdu.SW_VERIFICATION_FAILED | self.image.tries_left)
        self.pin_verified = True
        self._set_tries_left(apdu.PIN_TRIES)
        return _sw(apdu.SW_OK)

    def _set_tries_left(self, tries: int) -> None:
        if tries != self.image.tries_left:
            self.image.tries_left = tries
            self._on_change(self.image)

    def _compute_signature(self, command: apdu.Command) -> bytes:
        if (command.p1, command.p2) != apdu.PSO_CDS:
            return _sw(apdu.SW_WRONG_P1P2)
        if len(command.data) != apdu.DIGEST_LENGTH or command.le is None:
            return _sw(apdu.SW_WRONG_LENGTH)
        if command.le < apdu.SIGNATURE_LENGTH:
            return _sw(apdu.SW_WRONG_LE | apdu.SIGNATURE_LENGTH)
        if not self.pin_verified:
            return _sw(apdu.SW_SECURITY_STATUS_NOT_SATISFIED)
        der = self._key.sign(command.data, ec.ECDSA(Prehashed(hashes.SHA256())))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big") + _sw(apdu.SW_OK)


def _sw(status_word: int) -> bytes:
    return status_word.to_bytes(2, "big")


class VirtualCard:
    """A card in a vpcd reader. insert() connects in a background thread; remove() pulls the card out."""

    def __init__(
        self,
        image: CardImage,
        *,
        host: str = VPCD_HOST,
        port: int = VPCD_PORT,
        image_path: Path | None = None,
    ):
        on_change = (lambda image: image.save(image_path)) if image_path else None
        self.applet = Applet(image, on_change)
        self.host, self.port = host, port
        self._socket = None
        self._thread = None
        self._remove_countdown = None
        self._connected = threading.Event()

    @property
    def tries_left(self) -> int:
        return self.applet.image.tries_left

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0

    @property
    def inserted(self) -> bool:
        return self._connected.is_set()

    def remove_after(self, apdus: int) -> None:
        """Pull the card out when the apdus-th command APDU from now arrives, before answering it."""
        self._remove_countdown = apdus

    def insert(self) -> None:
        if self.inserted:
            return
        self.remove()  # a card pulled out by remove_after(): let its thread finish
        self._socket = socket.create_connection((self.host, self.port), timeout=5)
        self._connected.set()
        self._socket.settimeout(None)
        self._thread = threading.Thread(target=self._serve, args=(self._socket,), daemon=True)
        self._thread.start()

    def remove(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):  # already gone
                self._socket.shutdown(socket.SHUT_RDWR)
            self._socket.close()
            self._socket = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    close = remove  # a virtual card holds nothing else to let go of

    def wait(self) -> None:
        """Block until the card is out (the reader went away or remove() was called)."""
        if self._thread is not None:
            self._thread.join()

    def _serve(self, sock: socket.socket) -> None:
        self.applet.reset()
        pulled_out = False
        try:
            while (message := _receive(sock)) is not None:
                if len(message) == 1:
                    answer = self._control(message[0])
                elif self._pull_out_now():
                    pulled_out = True
                    break
                else:
                    answer = self.applet.process(message)
                if answer is not None:
                    sock.sendall(struct.pack(">H", len(answer)) + answer)
        except OSError:
            pass  # the socket was closed by remove() or by the reader
        finally:
            # Out of the reader before the socket closes: whoever learns of the removal through the
            # closed socket (pcscd, then the caller) must already find the card not inserted.
            self._connected.clear()
            sock.close()
            self.applet.reset()
            if pulled_out:
                # pcscd learns of a card pulled out during a command only when its next poll finds the
                # slot empty; a card back before that is never seen again. remove() and insert() wait here.
                time.sleep(PULLED_OUT_SECONDS)

    def _control(self, code: int) -> bytes | None:
        if code == VPCD_GET_ATR:
            return apdu.ATR
        if code in (VPCD_POWER_OFF, VPCD_POWER_ON, VPCD_RESET):
            self.applet.reset()
        return None

    def _pull_out_now(self) -> bool:
        if self._remove_countdown is None:
            return False
        self._remove_countdown -= 1
        if self._remove_countdown > 0:
            return False
        self._remove_countdown = None
        return True


def _receive(sock: socket.socket) -> bytes | None:
    header = _receive_exactly(sock, 2)
    if header is None:
        return None
    return _receive_exactly(sock, struct.unpack(">H", header)[0])


def _receive_exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m cardagent.virtualcard", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--image", type=Path, help="run the card stored in this card image")
    parser.add_argument("--new-image", type=Path, help="write a new card image and exit")
    parser.add_argument("--certificate", type=Path, help="PEM certificate for --new-image")
    parser.add_argument("--key", type=Path, help="PEM ECDSA P-256 private key for --new-image")
    parser.add_argument("--pin", help="4-digit PIN for --new-image")
    parser.add_argument("--host", default=VPCD_HOST)
    parser.add_argument("--port", type=int, default=VPCD_PORT, help="vpcd's port (default 35963)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.new_image:
        if not (args.certificate and args.key and args.pin):
            parser.error("--new-image needs --certificate, --key and --pin")
        try:
            write_card_image(
                args.new_image,
                certificate_pem=args.certificate.read_bytes(),
                private_key_pem=args.key.read_bytes(),
                pin=args.pin,
            )
        except ValueError as error:
            parser.error(str(error))
        logger.info("Wrote the card image %s", args.new_image)
        return
    if not args.image:
        parser.error("give --image PATH or --new-image PATH")
    card = VirtualCard(CardImage.load(args.image), host=args.host, port=args.port, image_path=args.image)
    try:
        card.insert()
    except OSError as error:
        parser.exit(1, f"Cannot reach vpcd on {args.host}:{args.port} (is pcscd running?): {error}\n")
    logger.info("The card is in the reader on vpcd port %d; Ctrl-C pulls it out.", args.port)
    try:
        card.wait()
    except KeyboardInterrupt:
        card.remove()
    logger.info("The card is out.")


if __name__ == "__main__":
    main()
