"""The committed OpenAPI schema is what the code generates, generated strictly."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django_otp import DEVICE_ID_SESSION_KEY

from casework.accounts.models import AuthenticatorDevice

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "docs" / "openapi" / "openapi.yaml"


def test_committed_schema_matches_the_code_and_generates_without_warnings(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))
    assert generated.read_text() == COMMITTED.read_text(), (
        "docs/openapi/openapi.yaml is stale: run "
        "`python manage.py spectacular --validate --fail-on-warn --file docs/openapi/openapi.yaml`"
    )


def test_every_operation_documents_the_error_shape():
    import yaml

    schema = yaml.safe_load(COMMITTED.read_text())
    assert "Error" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "4XX" in operation["responses"], (method, path)
            assert "5XX" in operation["responses"], (method, path)


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_any_outside_host(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "drf_spectacular_sidecar" in html
    for marker in ("http://", "https://", "//cdn", "unpkg", "jsdelivr"):
        assert marker not in html, marker


@pytest.mark.django_db
def test_the_docs_assets_exist_locally():
    from django.contrib.staticfiles import finders

    for asset in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ):
        assert finders.find(asset), asset


@pytest.mark.django_db
def test_docs_can_be_closed_to_everyone_but_admins(client, settings, superuser):
    settings.API_DOCS_PUBLIC = False
    assert client.get("/api/docs/").status_code in (401, 403)
    assert client.get("/api/schema/").status_code in (401, 403)
    client.force_login(superuser)  # a password alone, as before a second factor
    assert client.get("/api/docs/").status_code in (401, 403)
    device = AuthenticatorDevice.objects.create(
        user=superuser, name="authenticator", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # what a verified admin sign-in keeps
    session.save()
    assert client.get("/api/docs/").status_code == 200
