"""The two programs: python -m cardagent.virtualcard and python -m cardagent."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cardagent.virtualcard import write_card_image
from tests.cardstack import (
    READER,
    VPCD_PORT,
    FakePinentry,
    reader_lock,
    require_smartcard_stack,
    wait_for_card,
)

from .conftest import ORIGIN

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run():
    processes = []

    def start(*arguments: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", *arguments], cwd=PROJECT, stderr=subprocess.PIPE, text=True
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_card_from_an_image_file_goes_into_the_reader(run, tmp_path, identity):
    require_smartcard_stack()
    from cardagent.card import open_card

    path = tmp_path / "card.json"
    write_card_image(path, certificate_pem=identity[0], private_key_pem=identity[1], pin="1234")
    with reader_lock():
        wait_for_card(present=False)
        card = run("cardagent.virtualcard", "--image", str(path), "--port", str(VPCD_PORT))
        wait_for_card(present=True)
        with open_card(READER) as eid:
            certificate = eid.certificate()
        card.terminate()
        card.wait(timeout=10)
        wait_for_card(present=False)
    assert certificate == x509.load_pem_x509_certificate(identity[0]).public_bytes(serialization.Encoding.DER)


def status_of_agent(run, *options: str) -> dict:
    """Start the agent with these options and ask its status once it listens."""
    require_smartcard_stack()
    port = free_port()
    run("cardagent", "--origin", ORIGIN, "--port", str(port), "--reader", "No such reader", *options)
    deadline = time.monotonic() + 10
    while True:
        try:
            response = requests.get(f"http://127.0.0.1:{port}/status", headers={"Origin": ORIGIN}, timeout=5)
            return response.json()
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "the agent did not start"
            time.sleep(0.1)


def test_agent_serves_its_origin(run):
    status = status_of_agent(run)
    assert status["origin"] == ORIGIN
    assert status["readers"] == []
    assert status["pinEntry"] == "page"


def test_agent_with_a_pinentry_program_asks_for_the_pin_itself(run):
    assert status_of_agent(run, "--pinentry", FakePinentry.program)["pinEntry"] == "agent"


def test_agent_refuses_a_pinentry_program_that_is_not_there(run):
    require_smartcard_stack()
    agent = run("cardagent", "--origin", ORIGIN, "--pinentry", "pinentry-nothing")
    assert agent.wait(timeout=10) == 2
    assert "no pinentry program 'pinentry-nothing'" in agent.stderr.read()


def test_agent_refuses_an_origin_that_is_not_https(run):
    require_smartcard_stack()
    agent = run("cardagent", "--origin", "http://felles.example")
    assert agent.wait(timeout=10) == 2
    assert "only https origins are allowed" in agent.stderr.read()
