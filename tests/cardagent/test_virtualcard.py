"""The virtual card's answers to raw APDUs, sent through pyscard, pcscd and vpcd."""

import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

from cardagent import apdu
from cardagent.virtualcard import CardImage, VirtualCard, main, write_card_image
from tests.cardstack import READER

from .conftest import PIN

DIGEST = bytes(range(32))


@pytest.fixture
def connection(card):
    from smartcard.scard import SCARD_RESET_CARD
    from smartcard.System import readers

    (pcsc_reader,) = [reader for reader in readers() if str(reader) == READER]
    connection = pcsc_reader.createConnection()
    connection.connect(disposition=SCARD_RESET_CARD)
    yield connection
    connection.disconnect()


@pytest.fixture
def send(connection):
    def send(command: bytes | str) -> tuple[bytes, int]:
        raw = bytes.fromhex(command) if isinstance(command, str) else command
        data, sw1, sw2 = connection.transmit(list(raw))
        return bytes(data), sw1 << 8 | sw2

    return send


@pytest.fixture
def selected(send):
    assert send(apdu.select_applet()) == (b"", 0x9000)
    return send


def certificate_der(identity) -> bytes:
    return x509.load_pem_x509_certificate(identity[0]).public_bytes(serialization.Encoding.DER)


def test_the_card_answers_with_its_atr(connection):
    assert bytes(connection.getATR()) == apdu.ATR


def test_select_of_another_application_is_file_not_found(send):
    assert send("00A4040C08A000000063504B43")[1] == 0x6A82


def test_failed_select_leaves_the_applet_selected(selected):
    selected(apdu.verify_pin(PIN))
    assert selected("00A4040C08A000000063504B43")[1] == 0x6A82
    assert selected(apdu.verify_pin(None))[1] == 0x9000


def test_commands_before_selecting_the_applet_are_refused(send):
    assert send(apdu.verify_pin(PIN))[1] == 0x6985
    assert send(apdu.read_binary(0, 16))[1] == 0x6985


def test_unknown_instruction_and_class(selected):
    assert selected("00CA005A00")[1] == 0x6D00
    assert selected("80A4040C08" + apdu.AID.hex())[1] == 0x6E00


def test_select_with_unsupported_parameters(selected):
    assert selected("00A40400" + "08" + apdu.AID.hex())[1] == 0x6A86
    assert selected("00A4080C02C001")[1] == 0x6A86


def test_select_of_an_unknown_file(selected):
    assert selected(apdu.select_file(bytes.fromhex("C0FF")))[1] == 0x6A82
    assert selected("00A4020C03C00100")[1] == 0x6700


def test_apdu_whose_lc_does_not_match_is_wrong_length(selected):
    assert selected("00A4040C09" + apdu.AID.hex())[1] == 0x6700


def test_read_binary_in_chunks_returns_the_certificate(selected, identity):
    expected = certificate_der(identity)
    assert selected(apdu.select_file(apdu.CERTIFICATE_FID)) == (b"", 0x9000)
    first, sw = selected(apdu.read_binary(0, 100))
    assert (first, sw) == (expected[:100], 0x9000)
    rest, sw = selected(apdu.read_binary(100, 255))
    assert (rest, sw) == (expected[100:], 0x6282)
    assert selected(apdu.read_binary(len(expected) + 1, 16))[1] == 0x6B00


def test_read_binary_needs_a_selected_file_and_an_le(selected):
    assert selected(apdu.read_binary(0, 16))[1] == 0x6986
    selected(apdu.select_file(apdu.CERTIFICATE_FID))
    assert selected("00B00000")[1] == 0x6700
    assert selected("00B0810010")[1] == 0x6A81


def test_verify_without_data_reports_the_tries_left(selected):
    assert selected(apdu.verify_pin(None))[1] == 0x63C3
    assert selected(apdu.verify_pin("0000"))[1] == 0x63C2
    assert selected(apdu.verify_pin(None))[1] == 0x63C2
    assert selected(apdu.verify_pin(PIN))[1] == 0x9000
    assert selected(apdu.verify_pin(None))[1] == 0x9000


def test_right_pin_resets_the_counter(selected, card):
    selected(apdu.verify_pin("0000"))
    assert card.tries_left == 2
    assert selected(apdu.verify_pin(PIN))[1] == 0x9000
    assert card.tries_left == 3


def test_three_wrong_pins_block_the_card_for_good(selected, card):
    assert [selected(apdu.verify_pin("0000"))[1] for _ in range(3)] == [0x63C2, 0x63C1, 0x63C0]
    assert selected(apdu.verify_pin(PIN))[1] == 0x6983
    assert selected(apdu.verify_pin(None))[1] == 0x6983
    assert card.blocked


def test_malformed_pins_are_refused_without_using_a_try(selected, card):
    assert selected(apdu.Command(apdu.INS_VERIFY, 0, 0x81, b"123").encode())[1] == 0x6700
    assert selected(apdu.Command(apdu.INS_VERIFY, 0, 0x81, b"12a4").encode())[1] == 0x6A80
    assert selected(apdu.Command(apdu.INS_VERIFY, 0, 0x82, b"1234").encode())[1] == 0x6A88
    assert selected(apdu.Command(apdu.INS_VERIFY, 1, 0x81, b"1234").encode())[1] == 0x6A86
    assert card.tries_left == 3


def test_signature_needs_the_pin_first(selected):
    assert selected(apdu.compute_signature(DIGEST))[1] == 0x6982


def test_signature_is_raw_r_s_over_the_digest(selected, identity):
    selected(apdu.verify_pin(PIN))
    signature, sw = selected(apdu.compute_signature(DIGEST))
    assert sw == 0x9000 and len(signature) == 64
    public_key = x509.load_pem_x509_certificate(identity[0]).public_key()
    der = encode_dss_signature(int.from_bytes(signature[:32]), int.from_bytes(signature[32:]))
    public_key.verify(der, DIGEST, ec.ECDSA(Prehashed(hashes.SHA256())))


def test_signature_with_bad_parameters_or_lengths(selected):
    selected(apdu.verify_pin(PIN))
    assert selected(apdu.Command(apdu.INS_PSO, 0x9E, 0x9B, DIGEST, le=256).encode())[1] == 0x6A86
    assert selected(apdu.Command(apdu.INS_PSO, 0x9E, 0x9A, DIGEST[:31], le=256).encode())[1] == 0x6700
    assert selected(apdu.Command(apdu.INS_PSO, 0x9E, 0x9A, DIGEST).encode())[1] == 0x6700
    assert selected(apdu.Command(apdu.INS_PSO, 0x9E, 0x9A, DIGEST, le=32).encode())[1] == 0x6C40


def test_reset_forgets_the_verified_pin(connection, selected):
    from smartcard.scard import SCARD_RESET_CARD

    selected(apdu.verify_pin(PIN))
    connection.reconnect(disposition=SCARD_RESET_CARD)
    selected(apdu.select_applet())
    assert selected(apdu.compute_signature(DIGEST))[1] == 0x6982


def test_selecting_the_applet_again_forgets_the_verified_pin(selected):
    selected(apdu.verify_pin(PIN))
    selected(apdu.select_applet())
    assert selected(apdu.compute_signature(DIGEST))[1] == 0x6982


def test_card_image_keeps_only_a_salted_pin_hash(tmp_path, identity):
    path = tmp_path / "card.json"
    write_card_image(path, certificate_pem=identity[0], private_key_pem=identity[1], pin="4711")
    stored = json.loads(path.read_text())
    assert "4711" not in path.read_text()
    assert stored["triesLeft"] == 3
    assert set(stored) == {"certificate", "privateKey", "pinSalt", "pinHash", "triesLeft"}
    assert path.stat().st_mode & 0o777 == 0o600


def test_card_image_refuses_a_pin_that_is_not_four_digits(identity):
    with pytest.raises(ValueError, match="4 digits"):
        CardImage.new(*identity, pin="12345")


def test_command_line_writes_an_image_whose_counter_the_card_keeps(tmp_path, identity):
    (tmp_path / "c.pem").write_bytes(identity[0])
    (tmp_path / "k.pem").write_bytes(identity[1])
    path = tmp_path / "card.json"
    certificate, key = str(tmp_path / "c.pem"), str(tmp_path / "k.pem")
    main(["--new-image", str(path), "--certificate", certificate, "--key", key, "--pin", "4711"])
    applet = VirtualCard(CardImage.load(path), image_path=path).applet
    applet.process(apdu.select_applet())
    assert applet.process(apdu.verify_pin("0000")) == bytes.fromhex("63C2")
    assert json.loads(path.read_text())["triesLeft"] == 2
    assert applet.process(apdu.verify_pin("4711")) == bytes.fromhex("9000")
    assert json.loads(path.read_text())["triesLeft"] == 3
