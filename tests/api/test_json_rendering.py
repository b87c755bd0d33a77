"""Responses are rendered on orjson, byte for byte as DRF's own JSON renderer writes them."""

import datetime
import decimal
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from api.renderers import OrjsonRenderer

from ..factories import CaseFactory

LONDON = ZoneInfo("Europe/London")

AWKWARD = {
    "utc": datetime.datetime(2026, 3, 29, 0, 59, 59, 123456, tzinfo=datetime.UTC),
    "summer_time": datetime.datetime(2026, 3, 29, 2, 0, tzinfo=LONDON),
    "naive": datetime.datetime(2026, 1, 1, 12, 0),  # noqa: DTZ001  (what DRF writes for one)
    "day": datetime.date(2026, 12, 1),
    "time": datetime.time(9, 30),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "amount": decimal.Decimal("12.50"),
    "message": gettext_lazy("This field is required."),
    "line_ends": "one\u2028two\u2029three",
    "unicode": "Zoë — café",
    "nested": [{"a": 1, "b": [True, False, None]}, (1.5, -2)],
    "bytes": b"raw",
    "empty": {},
}


def test_awkward_values_render_exactly_as_drf_renders_them():
    assert OrjsonRenderer().render(AWKWARD) == JSONRenderer().render(AWKWARD)


def test_nothing_renders_as_an_empty_body():
    assert OrjsonRenderer().render(None) == b""


def test_indented_output_is_still_offered():
    indented = OrjsonRenderer().render({"a": [1]}, "application/json; indent=2")
    assert indented == b'{\n  "a": [\n    1\n  ]\n}'


@pytest.mark.django_db
def test_a_list_response_is_rendered_on_orjson_as_drf_would(as_caseworker, caseworker):
    CaseFactory(opened_by=caseworker, pseudonym="Zoë\u2028")
    response = as_caseworker.get("/api/v1/cases/")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, OrjsonRenderer)
    assert response["Content-Type"] == "application/json"
    assert response.content == JSONRenderer().render(response.data)


@pytest.mark.django_db
def test_an_error_keeps_its_shape_and_bytes(as_caseworker):
    response = as_caseworker.get("/api/v1/cases/?ordering=nonsense")
    assert response.status_code == 400
    assert isinstance(response.accepted_renderer, OrjsonRenderer)
    assert response.content == JSONRenderer().render(response.data)
    assert "ordering" in response.json()["fields"]
