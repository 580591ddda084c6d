"""The Felles eID card through PC/SC (pyscard): find the reader, read the certificate, verify the PIN, sign.

Each use opens its own PC/SC context and holds a transaction, so no other program can slip commands in between
VERIFY and the signature; afterwards the card is reset, which drops the verified PIN.
"""

from contextlib import contextmanager

from smartcard import scard

from cardagent import apdu

READ_CHUNK = 0xE0
MAX_CERTIFICATE_SIZE = 0x2000


class CardError(Exception):
    code = "card-error"
    message = "The smartcard could not be used."

    def __init__(self, message: str | None = None):
        if message:
            self.message = message
        super().__init__(self.message)


class NoReader(CardError):
    code = "no-reader"
    message = "No smartcard reader was found. Connect the card reader and try again."


class NoCard(CardError):
    code = "no-card"
    message = "There is no card in the reader. Insert your eID card and try again."


class WrongPin(CardError):
    code = "wrong-pin"

    def __init__(self, tries_left: int):
        super().__init__(f"Wrong PIN. {tries_left} {'try' if tries_left == 1 else 'tries'} left.")
        self.tries_left = tries_left


class CardBlocked(CardError):
    code = "pin-blocked"
    message = "The PIN is blocked after too many wrong tries. The card can no longer be used."


class CardRemoved(CardError):
    code = "card-removed"
    message = "The card was removed or stopped answering. Insert it again and retry."


class NotAnEidCard(CardError):
    code = "not-eid-card"
    message = "The card in the reader is not a Felles eID card."


class CardFailure(CardError):
    """The card answered with a status word it should not give; a bug or a broken card."""

    code = "card-error"


_NO_SERVICE = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED}


def list_readers(reader_filter: str | None = None) -> list[str]:
    """The names of the readers whose name contains reader_filter (ignoring case)."""
    with _context() as context:
        return _readers(context, reader_filter)


def card_present(reader: str) -> bool:
    with _context() as context:
        return _card_present(context, reader)


@contextmanager
def open_card(reader_filter: str | None = None):
    """The eID card in the first matching reader that has a card, with its applet selected."""
    with _context() as context:
        readers = _readers(context, reader_filter)
        if not readers:
            raise NoReader()
        reader = next((name for name in readers if _card_present(context, name)), None)
        if reader is None:
            raise NoCard()
        hresult, handle, protocol = scard.SCardConnect(
            context, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        if hresult in (scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD):
            raise NoCard()  # taken out since pcscd last looked
        if hresult != scard.SCARD_S_SUCCESS:
            raise CardRemoved()
        try:
            if scard.SCardBeginTransaction(handle) != scard.SCARD_S_SUCCESS:
                raise CardRemoved()
            try:
                card = EidCard(handle, protocol)
                card.select_applet()
                yield card
            finally:
                scard.SCardEndTransaction(handle, scard.SCARD_LEAVE_CARD)
        finally:
            scard.SCardDisconnect(handle, scard.SCARD_RESET_CARD)


class EidCard:
    def __init__(self, handle, protocol):
        self._handle = handle
        self._protocol = protocol

    def transmit(self, command: bytes) -> tuple[bytes, int]:
        """Send one APDU; the response data and the status word."""
        hresult, response = scard.SCardTransmit(self._handle, self._protocol, list(command))
        if hresult != scard.SCARD_S_SUCCESS or len(response) < 2:
            raise CardRemoved()
        return bytes(response[:-2]), response[-2] << 8 | response[-1]

    def select_applet(self) -> None:
        _, sw = self.transmit(apdu.select_applet())
        if sw != apdu.SW_OK:
            raise NotAnEidCard()

    def certificate(self) -> bytes:
        """The person certificate, DER."""
        _, sw = self.transmit(apdu.select_file(apdu.CERTIFICATE_FID))
        if sw != apdu.SW_OK:
            raise NotAnEidCard()
        certificate = b""
        while True:
            data, sw = self.transmit(apdu.read_binary(len(certificate), READ_CHUNK))
            if sw == apdu.SW_OFFSET_OUTSIDE_EF and certificate:
                break  # the file ended exactly at a chunk boundary
            if sw not in (apdu.SW_OK, apdu.SW_END_OF_FILE):
                raise CardFailure(f"The card refused to read its certificate (status {sw:04X}).")
            certificate += data
            if sw == apdu.SW_END_OF_FILE or len(data) < READ_CHUNK:
                break
            if len(certificate) >= MAX_CERTIFICATE_SIZE:
                raise CardFailure("The certificate on the card is too large.")
        if not certificate:
            raise NotAnEidCard()
        return certificate

    def verify_pin(self, pin: str) -> None:
        if len(pin) != apdu.PIN_LENGTH or not pin.isascii() or not pin.isdigit():
            raise ValueError(f"the PIN is {apdu.PIN_LENGTH} digits")
        _, sw = self.transmit(apdu.verify_pin(pin))
        if sw == apdu.SW_OK:
            return
        tries = apdu.tries_left_in(sw)
        if sw == apdu.SW_AUTHENTICATION_METHOD_BLOCKED or tries == 0:
            raise CardBlocked()
        if tries is not None:
            raise WrongPin(tries)
        raise CardFailure(f"The card refused the PIN check (status {sw:04X}).")

    def pin_tries_left(self) -> int | None:
        """The card's PIN retry counter, without using a try (VERIFY without data); None if it does not say."""
        _, sw = self.transmit(apdu.verify_pin(None))
        if sw == apdu.SW_AUTHENTICATION_METHOD_BLOCKED:
            return 0
        return apdu.tries_left_in(sw)

    def sign(self, digest: bytes) -> bytes:
        """Raw r || s over a SHA-256 digest; verify_pin() first."""
        if len(digest) != apdu.DIGEST_LENGTH:
            raise ValueError("the digest is a 32-byte SHA-256 value")
        signature, sw = self.transmit(apdu.compute_signature(digest))
        if sw != apdu.SW_OK or len(signature) != apdu.SIGNATURE_LENGTH:
            raise CardFailure(f"The card refused to sign (status {sw:04X}).")
        return signature


@contextmanager
def _context():
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult in _NO_SERVICE:
        raise NoReader("The smartcard service (pcscd) is not running.")
    if hresult != scard.SCARD_S_SUCCESS:
        raise NoReader(f"The smartcard service could not be reached: {scard.SCardGetErrorMessage(hresult)}")
    try:
        yield context
    finally:
        scard.SCardReleaseContext(context)


def _readers(context, reader_filter: str | None) -> list[str]:
    hresult, readers = scard.SCardListReaders(context, [])
    if hresult in _NO_SERVICE:
        raise NoReader("The smartcard service (pcscd) is not running.")
    if hresult not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_NO_READERS_AVAILABLE):
        raise NoReader()
    return [name for name in readers or [] if (reader_filter or "").lower() in name.lower()]


def _card_present(context, reader: str) -> bool:
    hresult, states = scard.SCardGetStatusChange(context, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
    if hresult != scard.SCARD_S_SUCCESS:
        return False
    _, event_state, _ = states[0]
    return bool(event_state & scard.SCARD_STATE_PRESENT) and not event_state & scard.SCARD_STATE_MUTE
