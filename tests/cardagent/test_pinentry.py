"""The agent's Assuan client for pinentry (cardagent.pinentry) against tests/fake_pinentry.py, and the card
holder's name that its dialog shows."""

import datetime
import subprocess
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from cardagent import pinentry
from cardagent.pinentry import subject_common_name


@pytest.fixture
def started(monkeypatch):
    """The pinentry processes the dialogs start."""
    processes = []
    popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        process = popen(*args, **kwargs)
        processes.append(process)
        return process

    monkeypatch.setattr(pinentry.subprocess, "Popen", recording_popen)
    return processes


def dialog(program, **options):
    return pinentry.PinDialog(program, title="Title", description="Description", **options)


def test_texts_are_percent_escaped_for_the_dialog(fake_pinentry):
    fake_pinentry.answer("1234")
    description = "100% sure?\r\nCard holder: Åse"
    with pinentry.PinDialog(fake_pinentry.program, title="T", description=description) as pin_dialog:
        pin_dialog.ask("50%\nleft")
    assert fake_pinentry.texts("SETDESC") == [description]
    assert fake_pinentry.texts("SETERROR") == ["50%\nleft"]


def test_the_data_line_is_decoded(fake_pinentry):
    fake_pinentry.answer("1%2\n3")
    with dialog(fake_pinentry.program) as pin_dialog:
        assert pin_dialog.ask() == "1%2\n3"


def test_escape_and_unescape():
    assert pinentry.escape("a%b\r\nc") == "a%25b%0D%0Ac"
    assert pinentry.unescape(b"a%25b%0d%0Ac%41") == b"a%b\r\ncA"


def test_the_process_says_bye_and_is_reaped(fake_pinentry, started):
    fake_pinentry.answer("1234")
    with dialog(fake_pinentry.program) as pin_dialog:
        pin_dialog.ask()
    assert fake_pinentry.commands()[-1][0] == "BYE"
    assert started[0].returncode == 0


def test_cancel(fake_pinentry, started):
    with dialog(fake_pinentry.program) as pin_dialog, pytest.raises(pinentry.PinCancelled):
        pin_dialog.ask()
    assert started[0].returncode == 0


def test_a_dialog_that_hangs_is_killed_after_the_timeout(fake_pinentry, started):
    fake_pinentry.answer("hang")
    begun = time.monotonic()
    with dialog(fake_pinentry.program, timeout=0.1) as pin_dialog, pytest.raises(pinentry.PinTimeout):
        pin_dialog.ask()
    assert time.monotonic() - begun < 0.1 + pinentry.GRACE + 2
    assert started[0].returncode is not None and started[0].returncode < 0  # killed, and reaped


def test_a_program_that_is_missing(tmp_path):
    with pytest.raises(pinentry.PinentryError, match="cannot start"):
        dialog(str(tmp_path / "pinentry-nothing")).__enter__()


def test_a_program_that_is_not_pinentry(started):
    with pytest.raises(pinentry.PinentryError, match="ended without an answer"):
        dialog("/bin/true").__enter__()
    assert started[0].returncode == 0


def certificate(name: x509.Name) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Felles Test CA")]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )


def test_the_card_holder_is_the_subject_common_name():
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "PNONO-12345678901"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Åse Ødegård Ærø"),
        ]
    )
    assert subject_common_name(certificate(name)) == "Åse Ødegård Ærø"


def test_a_printable_string_name_and_control_characters():
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Kari Nordmann", _type=_ASN1Type.PrintableString)]
    )
    assert subject_common_name(certificate(name)) == "Kari Nordmann"
    evil = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kari\nOK\x1b[2J")])
    assert subject_common_name(certificate(evil)) == "KariOK[2J"


def test_no_name_without_a_common_name_or_a_certificate():
    assert (
        subject_common_name(certificate(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "NO")]))) is None
    )
    assert subject_common_name(b"\x30\x03\x02\x01") is None
    assert subject_common_name(b"") is None
