"""The API documentation page in a real browser: Swagger UI renders under the site's strict CSP."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_documentation_shows_the_krr_lookup(page):
    page.goto("/demo/api/")

    expect(page.locator(".opblock-summary-path", has_text="/api/krr/v1/personer")).to_be_visible()
    page.check()
