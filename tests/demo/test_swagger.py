"""The API documentation page: Swagger UI from our own static files on the schema drf-spectacular serves."""

import pytest
from django.contrib.staticfiles import finders

PAGE_ASSETS = [
    "vendor/swagger-ui/swagger-ui.css",
    "vendor/swagger-ui/swagger-ui-bundle.js",
    "demo/swagger.css",
    "demo/swagger-init.js",
]


def test_api_documentation_page_points_swagger_ui_at_the_schema(client):
    response = client.get("/demo/api/")

    assert response.status_code == 200
    assert 'data-schema-url="/api/schema/"' in response.text
    for path in PAGE_ASSETS:
        assert f"/static/{path}" in response.text


@pytest.mark.parametrize("path", [*PAGE_ASSETS, "vendor/swagger-ui/LICENSE"])
def test_swagger_ui_static_files_are_there_after_make_assets(path):
    assert finders.find(path), f"{path} is missing: run `make assets`"


def test_front_page_links_to_the_api_documentation(client):
    response = client.get("/")

    assert 'href="/demo/api/"' in response.text
