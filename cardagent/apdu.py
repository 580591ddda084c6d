"""The command set of the "Felles eID" card applet (ISO/IEC 7816-4 short APDUs), shared by agent and emulator.

The applet holds one EF with the person certificate (DER) and one ECDSA P-256 key behind a 4-digit PIN.
"""

from dataclasses import dataclass

# Our own proprietary (category F) application identifier: F0 "FELLES" 01.
AID = bytes.fromhex("F0") + b"FELLES" + bytes.fromhex("01")
CERTIFICATE_FID = bytes.fromhex("C001")
PIN_REFERENCE = 0x81  # specific (applet-local) reference data, PIN 1
PIN_LENGTH = 4
PIN_TRIES = 3
DIGEST_LENGTH = 32  # SHA-256
SIGNATURE_LENGTH = 64  # raw r || s on P-256


def _atr(historical_bytes: bytes) -> bytes:
    """TS, T0 (TD1 follows), TD1 (TD2 follows), TD2 (T=1), historical bytes, TCK (XOR of T0 to the end)."""
    body = bytes([0x80 | len(historical_bytes), 0x80, 0x01]) + historical_bytes
    check = 0
    for byte in body:
        check ^= byte
    return bytes([0x3B]) + body + bytes([check])


ATR = _atr(b"Felles eID")  # proprietary historical bytes

CLA = 0x00
INS_VERIFY = 0x20
INS_PSO = 0x2A
INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
SELECT_BY_AID = 0x04
SELECT_EF_UNDER_CURRENT_DF = 0x02
SELECT_NO_RESPONSE_DATA = 0x0C
PSO_CDS = (0x9E, 0x9A)  # P1 9E: answer with the digital signature; P2 9A: the data field is what to sign

# Status words (ISO/IEC 7816-4, 5.6).
SW_OK = 0x9000
SW_END_OF_FILE = 0x6282
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_STATUS_NOT_SATISFIED = 0x6982
SW_AUTHENTICATION_METHOD_BLOCKED = 0x6983
SW_CONDITIONS_NOT_SATISFIED = 0x6985
SW_NO_CURRENT_EF = 0x6986
SW_WRONG_DATA = 0x6A80
SW_FUNCTION_NOT_SUPPORTED = 0x6A81
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_REFERENCE_NOT_FOUND = 0x6A88
SW_OFFSET_OUTSIDE_EF = 0x6B00
SW_WRONG_LE = 0x6C00  # | exact length
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_VERIFICATION_FAILED = 0x63C0  # | tries left


def tries_left_in(sw: int) -> int | None:
    """The retry counter in a 63Cx answer to VERIFY, else None."""
    return sw & 0x0F if sw & 0xFFF0 == SW_VERIFICATION_FAILED else None


@dataclass(frozen=True)
class Command:
    """A short command APDU; le=None means no Le field, le=256 is encoded as 00."""

    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    cla: int = CLA

    @classmethod
    def parse(cls, raw: bytes) -> "Command":
        """Decode cases 1 to 4 of a short APDU; ValueError when the length fields do not add up."""
        if len(raw) < 4:
            raise ValueError("an APDU has at least CLA INS P1 P2")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(ins, p1, p2, cla=cla)
        if len(body) == 1:
            return cls(ins, p1, p2, le=body[0] or 256, cla=cla)
        lc = body[0]
        if lc == 0:
            raise ValueError("extended length APDUs are not supported")
        if len(body) == 1 + lc:
            return cls(ins, p1, p2, data=bytes(body[1:]), cla=cla)
        if len(body) == 2 + lc:
            return cls(ins, p1, p2, data=bytes(body[1:-1]), le=body[-1] or 256, cla=cla)
        raise ValueError("Lc does not match the length of the APDU")

    def encode(self) -> bytes:
        if len(self.data) > 255:
            raise ValueError("data too long for a short APDU")
        raw = bytes([self.cla, self.ins, self.p1, self.p2])
        if self.data:
            raw += bytes([len(self.data)]) + self.data
        if self.le is not None:
            raw += bytes([self.le % 256])
        return raw


def select_applet() -> bytes:
    return Command(INS_SELECT, SELECT_BY_AID, SELECT_NO_RESPONSE_DATA, AID).encode()


def select_file(fid: bytes) -> bytes:
    return Command(INS_SELECT, SELECT_EF_UNDER_CURRENT_DF, SELECT_NO_RESPONSE_DATA, fid).encode()


def read_binary(offset: int, length: int) -> bytes:
    if not 0 <= offset <= 0x7FFF:
        raise ValueError("READ BINARY offsets have 15 bits")
    return Command(INS_READ_BINARY, offset >> 8, offset & 0xFF, le=length).encode()


def verify_pin(pin: str | None) -> bytes:
    """VERIFY with the PIN, or without data to ask for the retry counter."""
    data = pin.encode("ascii") if pin is not None else b""
    return Command(INS_VERIFY, 0x00, PIN_REFERENCE, data).encode()


def compute_signature(digest: bytes) -> bytes:
    return Command(INS_PSO, *PSO_CDS, data=digest, le=256).encode()
