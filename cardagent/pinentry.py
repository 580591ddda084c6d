"""The agent's own PIN dialog: a pinentry program (GnuPG's PIN dialog: pinentry-gnome3, -qt, -curses, ...).

The agent speaks the Assuan protocol to it on its stdin and stdout, as gpg-agent does, so the web page never
sees the PIN. Protocol: https://www.gnupg.org/documentation/manuals/assuan/ and pinentry's doc/pinentry.texi.
"""

import contextlib
import math
import os
import re
import select
import subprocess
import sys
import time

from cryptography import x509
from cryptography.x509.oid import NameOID

PIN_TIMEOUT = 120  # seconds the citizen has for each PIN
# Our own backstop after the program's SETTIMEOUT: past it the program is killed.
GRACE = 2
MAX_LINE = 1000  # Assuan's line limit, with the LF
# libgpg-error codes in an ERR line (the low 16 bits; the high bits name the source, e.g. 5 << 24 for pinentry).
GPG_ERR_TIMEOUT = 62
GPG_ERR_CANCELED = 99
GPG_ERR_FULLY_CANCELED = 198


def subject_common_name(certificate: bytes) -> str | None:
    """The card holder's name for the dialog: the certificate's subject CN, without control
    characters; None when there is none. Nothing else of the certificate is checked here (the
    server does that)."""
    try:
        names = x509.load_der_x509_certificate(certificate).subject.get_attributes_for_oid(
            NameOID.COMMON_NAME
        )
    except ValueError:
        return None
    if not names or not isinstance(names[0].value, str):
        return None
    return "".join(character for character in names[0].value if character.isprintable()).strip()


class PinentryError(Exception):
    """The PIN dialog could not be shown or broke off; a problem with this computer, not with the card."""

    code = "internal-error"
    message = "The card agent's PIN window (pinentry) failed."

    def __init__(self, detail: str | None = None):
        self.detail = detail
        super().__init__(detail or self.message)


class PinCancelled(PinentryError):
    code = "pin-cancelled"
    message = "The PIN entry was cancelled."


class PinTimeout(PinentryError):
    code = "pin-timeout"
    message = "No PIN was entered in time."


def escape(text: str) -> str:
    """Percent-escape a command's text as Assuan needs: %, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def unescape(data: bytes) -> bytes:
    """Decode the %XX escapes of a data line."""
    return re.sub(rb"%([0-9A-Fa-f]{2})", lambda match: bytes([int(match.group(1), 16)]), data)


class PinDialog:
    """One pinentry process that asks for the PIN, again after a wrong one, until closed.

    with PinDialog(program, title=..., description=...) as dialog:
        pin = dialog.ask()                      # the first time
        pin = dialog.ask("Wrong PIN. 2 tries left.")
    """

    def __init__(self, program: str, *, title: str, description: str, timeout: float = PIN_TIMEOUT):
        self.program = program
        self.timeout = timeout
        self._texts = [("SETTITLE", title), ("SETDESC", description), ("SETPROMPT", "PIN:")]
        self._process: subprocess.Popen | None = None
        self._buffer = b""
        self._broken = False

    def __enter__(self) -> "PinDialog":
        try:
            self._process = subprocess.Popen(  # noqa: S603 (the program the citizen named on the command line)
                [self.program], stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True
            )
        except OSError as error:
            raise PinentryError(f"cannot start {self.program}: {error}") from None
        try:
            self._response()  # the greeting
            for option in _terminal_options():
                self._command(f"OPTION {option}", optional=True)
            for command, text in self._texts:
                self._command(f"{command} {escape(text)}")
            self._command(f"SETTIMEOUT {math.ceil(self.timeout)}", optional=True)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def ask(self, error: str | None = None) -> str:
        """The PIN the citizen typed; with error, the dialog first says what went wrong with the last one."""
        if error:
            self._command(f"SETERROR {escape(error)}")
        return self._command("GETPIN").decode("utf-8", errors="replace")

    def close(self) -> None:
        """Say BYE and reap the process; kill it if it does not end, or if it has stopped answering."""
        process = self._process
        if process is None:
            return
        self._process = None
        with contextlib.suppress(OSError):
            if not self._broken:
                process.stdin.write(b"BYE\n")
                process.stdin.flush()
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            process.wait(timeout=0 if self._broken else GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()

    # Assuan.

    def _command(self, line: str, *, optional: bool = False) -> bytes:
        """Send one command; the data lines of the answer, joined and decoded. ERR raises (unless optional)."""
        encoded = line.encode("utf-8")
        if len(encoded) >= MAX_LINE:
            raise PinentryError(f"{line.split()[0]} is longer than an Assuan line")
        try:
            self._process.stdin.write(encoded + b"\n")
            self._process.stdin.flush()
        except OSError:
            self._broken = True
            raise PinentryError(f"{self.program} stopped reading") from None
        return self._response(optional=optional)

    def _response(self, *, optional: bool = False) -> bytes:
        data = b""
        deadline = time.monotonic() + self.timeout + GRACE
        while True:
            line = self._line(deadline)
            if line == b"OK" or line.startswith(b"OK "):
                return data
            if line.startswith(b"D "):
                data += unescape(line[2:])
            elif line.startswith(b"ERR ") or line == b"ERR":
                if optional:
                    return b""
                self._failed(line)
            elif not (line.startswith((b"S ", b"#")) or line in (b"S", b"#")):
                self._broken = True
                raise PinentryError(f"{self.program} said something unexpected")

    def _failed(self, line: bytes):
        fields = line.split(maxsplit=2)
        code = int(fields[1]) & 0xFFFF if len(fields) > 1 and fields[1].isdigit() else None
        if code in (GPG_ERR_CANCELED, GPG_ERR_FULLY_CANCELED):
            raise PinCancelled()
        if code == GPG_ERR_TIMEOUT:
            raise PinTimeout()
        raise PinentryError(f"{self.program} failed: {line.decode('utf-8', errors='replace')}")

    def _line(self, deadline: float) -> bytes:
        output = self._process.stdout.fileno()
        while b"\n" not in self._buffer:
            if len(self._buffer) >= MAX_LINE:
                self._broken = True
                raise PinentryError(f"{self.program} sent a line that is too long")
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([output], [], [], remaining)[0]:
                self._broken = True
                raise PinTimeout()
            chunk = os.read(output, 4096)
            if not chunk:
                self._broken = True
                raise PinentryError(f"{self.program} ended without an answer")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.rstrip(b"\r")


def _terminal_options() -> list[str]:
    """pinentry-curses draws on the terminal the agent runs in, when it runs in one."""
    try:
        ttyname = os.ttyname(sys.stdin.fileno())
    except (OSError, ValueError, AttributeError):
        return []
    return [f"ttyname={ttyname}", f"ttytype={os.environ.get('TERM', 'vt100')}"]
