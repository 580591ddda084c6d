"""The agent's card layer (cardagent.card) against pcscd and the virtual card."""

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

from tests.cardstack import READER, require_smartcard_stack, wait_for_card

from .conftest import PIN


@pytest.fixture
def card_module():
    require_smartcard_stack()
    from cardagent import card

    return card


def test_lists_the_matching_readers(card_module, card):
    assert card_module.list_readers(READER.lower()) == [READER]
    assert card_module.list_readers("No such reader") == []
    assert card_module.card_present(READER)


def test_reads_the_certificate(card_module, card, identity):
    with card_module.open_card(READER) as eid:
        certificate = eid.certificate()
    assert certificate == x509.load_pem_x509_certificate(identity[0]).public_bytes(serialization.Encoding.DER)


def test_signs_a_digest_after_the_pin(card_module, card, identity):
    digest = bytes(range(32))
    with card_module.open_card(READER) as eid:
        eid.verify_pin(PIN)
        signature = eid.sign(digest)
    der = encode_dss_signature(int.from_bytes(signature[:32]), int.from_bytes(signature[32:]))
    public_key = x509.load_pem_x509_certificate(identity[0]).public_key()
    public_key.verify(der, digest, ec.ECDSA(Prehashed(hashes.SHA256())))


def test_wrong_pin_tells_the_tries_left(card_module, card):
    with card_module.open_card(READER) as eid, pytest.raises(card_module.WrongPin) as wrong:
        eid.verify_pin("0000")
    assert wrong.value.tries_left == 2
    assert str(wrong.value) == "Wrong PIN. 2 tries left."


def test_last_wrong_pin_blocks(card_module, virtual_card, identity):
    virtual_card(*identity, pin=PIN, tries=1)
    with card_module.open_card(READER) as eid, pytest.raises(card_module.CardBlocked):
        eid.verify_pin("0000")


def test_no_reader_when_none_matches(card_module, card):
    with pytest.raises(card_module.NoReader), card_module.open_card("No such reader"):
        pass


def test_no_card_in_the_reader(card_module, card):
    card.remove()
    wait_for_card(present=False)
    with pytest.raises(card_module.NoCard), card_module.open_card(READER):
        pass


def test_card_pulled_out_while_reading(card_module, card):
    card.remove_after(3)  # SELECT applet, SELECT file, then gone during READ BINARY
    with card_module.open_card(READER) as eid, pytest.raises(card_module.CardRemoved):
        eid.certificate()
    assert not card.inserted


def test_card_pulled_out_can_be_used_again_when_back(card_module, card):
    card.remove_after(1)
    with pytest.raises(card_module.CardRemoved), card_module.open_card(READER):
        pass
    card.insert()
    wait_for_card(present=True)
    with card_module.open_card(READER) as eid:
        assert eid.certificate()


def test_a_card_without_the_applet_is_not_an_eid_card(card_module, card):
    card.applet.process = lambda command: bytes.fromhex("6A82")  # some other card: no such application
    with pytest.raises(card_module.NotAnEidCard), card_module.open_card(READER):
        pass
