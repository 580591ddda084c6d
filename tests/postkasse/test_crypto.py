import hashlib
import subprocess
from datetime import timedelta

import pytest
from cryptography import x509
from django.utils import translation

from core.pdf import render_pdf
from postkasse.crypto import (
    CryptoError,
    certificate_fingerprint,
    decrypt_with,
    encrypt_for,
    key_matches_certificate,
    load_private_key_from_env,
    load_private_key_from_file,
    make_provider_certificate,
)
from virksomheter.certificates import organisation_number

# The DER of the algorithm identifier aes256-CBC (2.16.840.1.101.3.4.1.42).
AES_256_CBC_OID = bytes.fromhex("060960864801650304012a")


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def provider():
    return make_provider_certificate("Digital postkasse AS", "974760673")


@pytest.fixture(scope="module")
def other_provider():
    return make_provider_certificate("Annen postkasse AS", "984661185")


@pytest.fixture(scope="module")
def pdf():
    return render_pdf("<h1>Vedtak om bostøtte</h1><p>Du får innvilget bostøtte fra 1. mars.</p>")


@pytest.fixture(scope="module")
def envelope(provider, pdf):
    certificate_pem, _key_pem = provider
    return encrypt_for(certificate_pem, pdf)


def test_pdf_round_trips_through_the_envelope(provider, pdf, envelope):
    certificate_pem, key_pem = provider

    assert pdf.startswith(b"%PDF-")
    assert decrypt_with(certificate_pem, key_pem, envelope) == pdf


def test_envelope_holds_no_plaintext(pdf, envelope):
    chunks = [pdf[start : start + 16] for start in range(0, len(pdf) - 16, 16)]

    assert b"%PDF" not in envelope
    assert not any(chunk in envelope for chunk in chunks)


def test_envelope_uses_aes_256(envelope):
    assert AES_256_CBC_OID in envelope


def test_openssl_cms_decrypts_the_envelope(provider, pdf, envelope, tmp_path):
    certificate_pem, key_pem = provider
    (tmp_path / "cert.pem").write_bytes(certificate_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    (tmp_path / "letter.der").write_bytes(envelope)

    subprocess.run(
        [
            "openssl", "cms", "-decrypt", "-inform", "DER", "-binary",
            "-in", "letter.der", "-recip", "cert.pem", "-inkey", "key.pem", "-out", "letter.pdf",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )  # fmt: skip

    assert (tmp_path / "letter.pdf").read_bytes() == pdf


def test_wrong_key_is_refused(provider, other_provider, envelope):
    certificate_pem, _key_pem = provider
    _other_certificate_pem, other_key_pem = other_provider

    with pytest.raises(CryptoError, match="does not belong to the certificate"):
        decrypt_with(certificate_pem, other_key_pem, envelope)


def test_envelope_for_another_provider_is_refused(other_provider, envelope):
    with pytest.raises(CryptoError, match="cannot be decrypted"):
        decrypt_with(*other_provider, envelope)


def test_truncated_envelope_is_refused(provider, envelope):
    with pytest.raises(CryptoError, match="cannot be decrypted"):
        decrypt_with(*provider, envelope[:-20])


def test_damaged_padding_is_refused(provider, envelope):
    # The ciphertext ends the DER; flipping the last byte of the next-to-last block flips the
    # padding length byte of the last one, which CBC decryption then always rejects.
    damaged = envelope[:-17] + bytes([envelope[-17] ^ 0xFF]) + envelope[-16:]

    with pytest.raises(CryptoError, match="cannot be decrypted"):
        decrypt_with(*provider, damaged)


def test_non_envelope_is_refused(provider):
    with pytest.raises(CryptoError, match="cannot be decrypted"):
        decrypt_with(*provider, b"%PDF-1.7 not an envelope")


def test_encrypting_to_garbage_certificate_is_refused():
    with pytest.raises(CryptoError, match="not a PEM-encoded X.509 certificate"):
        encrypt_for(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", b"brev")


def test_key_loads_from_file(provider, tmp_path):
    certificate_pem, key_pem = provider
    path = tmp_path / "provider.key"
    path.write_bytes(key_pem)

    loaded = load_private_key_from_file(path)

    assert key_matches_certificate(certificate_pem, loaded)


def test_missing_key_file_is_refused(tmp_path):
    with pytest.raises(CryptoError, match="cannot be read"):
        load_private_key_from_file(tmp_path / "missing.key")


def test_key_loads_from_env_with_literal_newlines(provider, monkeypatch):
    certificate_pem, key_pem = provider
    monkeypatch.setenv("POSTKASSE_TEST_KEY", key_pem.decode().replace("\n", "\\n"))

    loaded = load_private_key_from_env("POSTKASSE_TEST_KEY")

    assert key_matches_certificate(certificate_pem, loaded)


def test_key_loads_from_env_with_real_newlines(provider, envelope, monkeypatch):
    certificate_pem, key_pem = provider
    monkeypatch.setenv("POSTKASSE_TEST_KEY", key_pem.decode())

    loaded = load_private_key_from_env("POSTKASSE_TEST_KEY")

    assert decrypt_with(certificate_pem, loaded, envelope).startswith(b"%PDF-")


def test_unset_env_key_is_refused(monkeypatch):
    monkeypatch.delenv("POSTKASSE_TEST_KEY", raising=False)

    with pytest.raises(CryptoError, match="POSTKASSE_TEST_KEY holds no private key"):
        load_private_key_from_env("POSTKASSE_TEST_KEY")


def test_invalid_env_key_is_refused_without_echoing_it(monkeypatch):
    secret = "-----BEGIN PRIVATE KEY-----\\nc2VjcmV0LWJ1dC1icm9rZW4=\\n-----END PRIVATE KEY-----"
    monkeypatch.setenv("POSTKASSE_TEST_KEY", secret)

    with pytest.raises(CryptoError) as raised:
        load_private_key_from_env("POSTKASSE_TEST_KEY")

    assert "POSTKASSE_TEST_KEY" in raised.value.message
    assert "c2VjcmV0" not in str(raised.value)
    assert raised.value.__cause__ is None


def test_key_does_not_match_another_certificate(provider, other_provider):
    certificate_pem, key_pem = provider
    other_certificate_pem, _other_key_pem = other_provider

    assert key_matches_certificate(certificate_pem, key_pem)
    assert not key_matches_certificate(other_certificate_pem, key_pem)


def test_fingerprint_is_sha256_hex_of_the_certificate(provider):
    certificate_pem, _key_pem = provider
    der = subprocess.run(
        ["openssl", "x509", "-outform", "DER"], input=certificate_pem, check=True, capture_output=True
    ).stdout

    assert certificate_fingerprint(certificate_pem) == hashlib.sha256(der).hexdigest()


def test_provider_certificate_names_the_organisation_for_key_transport(provider):
    certificate = x509.load_pem_x509_certificate(provider[0])
    key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value

    assert certificate.subject.rfc4514_string().startswith("C=NO,2.5.4.5=974760673,O=Digital postkasse AS")
    assert organisation_number(certificate) == "974760673"
    assert key_usage.key_encipherment
    assert not key_usage.digital_signature
    assert certificate.not_valid_after_utc - certificate.not_valid_before_utc >= timedelta(days=730)
