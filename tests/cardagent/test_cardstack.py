"""The harness's own promise: skip where the smartcard stack is missing, fail instead in CI."""

import pytest

from tests import cardstack


@pytest.fixture
def no_pcscd(monkeypatch, tmp_path):
    monkeypatch.setattr(cardstack, "PCSCD_SOCKET", tmp_path / "pcscd.comm")


def test_missing_pcscd_skips_with_the_packages_to_install(no_pcscd, monkeypatch):
    monkeypatch.delenv("FELLES_REQUIRE_SMARTCARD", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        cardstack.require_smartcard_stack()
    assert "a running pcscd" in str(skipped.value)
    assert "pcscd vsmartcard-vpcd libpcsclite-dev swig python3.11-dev build-essential" in str(skipped.value)


def test_missing_pcscd_fails_when_ci_requires_the_stack(no_pcscd, monkeypatch):
    monkeypatch.setenv("FELLES_REQUIRE_SMARTCARD", "1")
    with pytest.raises(pytest.fail.Exception, match="a running pcscd"):
        cardstack.require_smartcard_stack()


def test_missing_vpcd_driver_is_named(monkeypatch, tmp_path):
    cardstack.require_smartcard_stack()  # the rest of the stack is here
    monkeypatch.setattr(cardstack, "VPCD_DRIVER", tmp_path / "libifdvpcd.so")
    assert cardstack.missing_pieces() == [f"the vpcd reader driver ({tmp_path / 'libifdvpcd.so'})"]
