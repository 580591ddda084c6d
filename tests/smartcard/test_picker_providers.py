"""The picker's smartcard choices are read once a minute per process, not on every login; a change
made here shows at once, and choosing a smartcard whose issuer was deactivated elsewhere is refused
at once, whatever the picker still showed."""

from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from idporten.models import LOA_HIGH
from smartkort.models import Issuer
from tests.idporten.factories import authorize_params, client, pkce
from tests.smartcard.factories import TestIssuer

pytestmark = pytest.mark.django_db


def _picker(browser, oidc_client):
    response = browser.get(
        "/idporten/authorize", authorize_params(oidc_client, pkce()[1], acr_values=LOA_HIGH)
    )
    return response.url, browser.get(response.url).content.decode()


def _issuer_reads(context) -> int:
    return sum('FROM "smartkort_issuer"' in query["sql"] for query in context.captured_queries)


def test_the_picker_reads_the_issuers_once_a_minute_not_on_every_login():
    TestIssuer()
    oidc_client, _secret = client()
    with CaptureQueriesContext(connection) as context:
        url, page = _picker(Client(), oidc_client)
        assert url + "smartkort/buypass/" in page
        url, page = _picker(Client(), oidc_client)
        assert url + "smartkort/buypass/" in page
    assert _issuer_reads(context) == 1
    with (
        mock.patch("smartkort.services.registry.time") as clock,
        CaptureQueriesContext(connection) as context,
    ):
        clock.monotonic.return_value = 10**9  # a minute and more later
        _picker(Client(), oidc_client)
    assert _issuer_reads(context) == 1


def test_an_issuer_registered_here_shows_in_the_picker_at_once():
    oidc_client, _secret = client()
    url, page = _picker(Client(), oidc_client)
    assert "smartkort/buypass/" not in page
    TestIssuer()
    url, page = _picker(Client(), oidc_client)
    assert url + "smartkort/buypass/" in page


def test_an_issuer_deactivated_elsewhere_is_refused_when_chosen_though_the_picker_still_shows_it():
    TestIssuer()
    oidc_client, _secret = client()
    browser = Client()
    url, page = _picker(browser, oidc_client)
    assert url + "smartkort/buypass/" in page
    Issuer.objects.update(active=False)  # another node's change: this process's list is not told
    url, page = _picker(browser, oidc_client)
    assert url + "smartkort/buypass/" in page
    chosen = browser.get(url + "smartkort/buypass/")
    assert browser.get(chosen.url).status_code == 404
