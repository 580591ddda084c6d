"""The level 4 smartcard test stack: pcscd, vsmartcard's vpcd reader driver and our virtual card.

In a test module or conftest:

    from tests.cardstack import virtual_card, card_agent, require_smartcard_stack  # noqa: F401

virtual_card(certificate_pem, private_key_pem, pin="1234", tries=3) puts a card in the vpcd reader and returns
the VirtualCard (card.remove(), card.insert(), card.tries_left, card.blocked, card.remove_after(n)).
card_agent(origin) runs the card agent for that reader on a free port and returns it (agent.url); with
pinentry=fake_pinentry.program it asks for the PIN in tests/fake_pinentry.py instead of taking it from the page.
fake_pinentry.answer("0000", "1234") sets what that dialog answers; fake_pinentry.commands() is what it was told.
One card at a time per reader: a second virtual_card() call in a test pulls the first card out.
FELLES_VPCD_PORT picks the reader (35963, the default, or 35964); an exclusive lock on it keeps parallel test
runs on this machine from sharing a reader. After card.remove() or card.insert(), wait_for_card(present=...)
waits until pcscd has seen it.
"""

import contextlib
import datetime
import fcntl
import importlib.util
import json
import os
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cardagent.virtualcard import CardImage, VirtualCard

DEBIAN_PACKAGES = "pcscd vsmartcard-vpcd libpcsclite-dev swig python3.11-dev build-essential"
PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
# vpcd has one slot per TCP port; pcscd names the slots after the "Virtual PCD" reader.
READERS = {35963: "Virtual PCD 00 00", 35964: "Virtual PCD 00 01"}
VPCD_PORT = int(os.environ.get("FELLES_VPCD_PORT", "35963"))
READER = READERS.get(VPCD_PORT, "")
CARD_TIMEOUT = 10
LOCK_TIMEOUT = 300


def missing_pieces() -> list[str]:
    missing = []
    try:
        import smartcard.scard  # noqa: F401
    except ImportError:
        spec = importlib.util.find_spec("smartcard")
        shadow = f" (shadowed by {Path(spec.origin).parent})" if spec and spec.origin else ""
        missing.append(f"pyscard{shadow}: pip install -r cardagent/requirements.txt")
    if not PCSCD_SOCKET.exists():
        missing.append(f"a running pcscd (no {PCSCD_SOCKET})")
    if not VPCD_DRIVER.exists():
        missing.append(f"the vpcd reader driver ({VPCD_DRIVER})")
    if not READER:
        missing.append(f"a vpcd reader on FELLES_VPCD_PORT={VPCD_PORT} (use one of {sorted(READERS)})")
    return missing


def require_smartcard_stack() -> None:
    """Skip the test when the stack is incomplete, or fail it when FELLES_REQUIRE_SMARTCARD=1 (CI)."""
    missing = missing_pieces()
    if not missing:
        return
    message = (
        f"The smartcard test stack is incomplete: {'; '.join(missing)}. "
        f"Run bin/ensure-smartcard, which installs the Debian packages {DEBIAN_PACKAGES} and starts pcscd."
    )
    if os.environ.get("FELLES_REQUIRE_SMARTCARD") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def wait_for_card(*, present: bool, timeout: float = CARD_TIMEOUT) -> None:
    """Wait until pcscd sees a card in READER (present=True) or an empty reader."""
    from cardagent.card import card_present

    deadline = time.monotonic() + timeout
    while card_present(READER) != present:
        if time.monotonic() > deadline:
            state = "no card" if present else "still a card"
            raise TimeoutError(f"pcscd shows {state} in {READER!r} after {timeout} s")
        time.sleep(0.05)


@contextlib.contextmanager
def reader_lock():
    """Hold the reader for this test alone; other test runs on this machine wait."""
    # A fixed path on purpose: every test run on this machine must find the same lock.
    with open(f"/tmp/felles-vpcd-{VPCD_PORT}.lock", "a") as lock:  # noqa: S108
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another test run has held {READER!r} for {LOCK_TIMEOUT} s") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def virtual_card():
    require_smartcard_stack()
    cards = []
    with contextlib.ExitStack() as stack:

        def insert(certificate_pem: bytes, private_key_pem: bytes, pin: str = "1234", tries: int = 3):
            if not cards:
                stack.enter_context(reader_lock())
            for card in cards:
                card.close()
            wait_for_card(present=False)
            card = VirtualCard(CardImage.new(certificate_pem, private_key_pem, pin, tries), port=VPCD_PORT)
            cards.append(card)
            card.insert()
            wait_for_card(present=True)
            return card

        yield insert
        for card in cards:
            card.close()
        if cards:
            wait_for_card(present=False)


@pytest.fixture
def card_agent():
    require_smartcard_stack()
    from cardagent.server import CardAgent

    agents = []

    def start(origin: str, *, reader: str = READER, pinentry: str | None = None):
        agent = CardAgent(origin, reader_filter=reader, port=0, pinentry=pinentry)
        agents.append(agent)
        agent.start()
        return agent

    yield start
    for agent in agents:
        agent.stop()


class FakePinentry:
    """tests/fake_pinentry.py, set up through its environment (which the agent's child process inherits)."""

    program = str(Path(__file__).with_name("fake_pinentry.py"))

    def __init__(self, monkeypatch, record: Path):
        self._monkeypatch = monkeypatch
        self.record = record
        monkeypatch.setenv("FAKE_PINENTRY_RECORD", str(record))
        self.answer()

    def answer(self, *answers: str) -> None:
        """What the citizen does at each GETPIN: a PIN, "cancel", "timeout", "hang" or "crash"."""
        self._monkeypatch.setenv("FAKE_PINENTRY_ANSWERS", json.dumps(answers))

    def commands(self) -> list[tuple[str, str]]:
        """The Assuan commands the dialog got, with their text decoded."""
        if not self.record.exists():
            return []
        return [tuple(json.loads(line)) for line in self.record.read_text(encoding="utf-8").splitlines()]

    def texts(self, command: str) -> list[str]:
        return [text for name, text in self.commands() if name == command]


@pytest.fixture
def fake_pinentry(monkeypatch, tmp_path):
    return FakePinentry(monkeypatch, tmp_path / "pinentry-commands.jsonl")


def self_signed_identity(common_name: str = "Test Testesen") -> tuple[bytes, bytes]:
    """A throwaway P-256 key and a self-signed certificate for it: (certificate PEM, private key PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem
