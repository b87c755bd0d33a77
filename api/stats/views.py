"""Statistics a charity can publish, and a force's figures about its shares: aggregates only,
every small number suppressed on the server, as JSON or as CSV."""

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.accounts import principals
from casework.stats import selectors
from casework.stats.periods import CASE_GROUPINGS, SHARE_GROUPINGS, stats_request
from casework.stats.services import stats_read_record
from permissions import policies
from permissions.authentication import PERSONS_ONLY
from permissions.querysets import shares_held

from ..renderers import OrjsonRenderer
from . import serializers as s
from .printable import StatsHtmlRenderer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A spreadsheet must not run a cell as a formula: such cells get a leading apostrophe."""
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_rows(data: Mapping[str, Any]) -> Iterator[list[Any]]:
    for name in ("opened", "shares"):
        if name in data:
            for row in data[name]["rows"]:
                yield [name, row["key"], row["count"], row["suppressed"]]
            total = data[name]["total"]
            yield [name, "total", total["count"], total["suppressed"]]
    for name in ("funnel", "exits"):
        for row in data.get(name, ()):
            yield [name, row["key"], row["count"], row["suppressed"]]
    for key, median in data.get("median_days", {}).items():
        yield ["median_days", key, median["days"], median["suppressed"]]


class StatsCsvRenderer(renderers.BaseRenderer):
    """One row per figure: table, key, value (empty when suppressed), suppressed."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["from", csv_cell(data["from"]), "to", csv_cell(data["to"])])
        writer.writerow(["table", "key", "value", "suppressed"])
        for row in _csv_rows(data):
            writer.writerow([csv_cell(cell) for cell in row])
        return buffer.getvalue().encode()


GROUP_BY_HELP = (
    f"Supervisors: one of {', '.join(CASE_GROUPINGS)}. "
    f"Police liaisons: one of {', '.join(SHARE_GROUPINGS)}. Default month."
)


class StatsView(APIView):
    """Counts with small numbers suppressed. A supervisor gets their charity's cases (those whose
    client lets it keep records) opened in the range; a police liaison the shares their force
    holds or held that started in the range (whole months only, so no day can be worked out).
    Give ``period`` (``2026``, ``2026-Q3``,
    ``2026-07``) or ``from`` and ``to`` (at most ten years); without either, this year so far.
    ``format=csv`` or ``Accept: text/csv`` gives CSV. ``format=html`` or ``Accept: text/html``
    gives the printable return by month (``period=2026-Q3`` for a quarterly return): the same
    figures as a page with the funnel and the months drawn as SVG, to print or save as PDF."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.Stats]
    renderer_classes = [OrjsonRenderer, StatsCsvRenderer, StatsHtmlRenderer]

    def perform_content_negotiation(self, request, force=False):
        wanted = request.query_params.get("format")
        for renderer in (StatsCsvRenderer, StatsHtmlRenderer):
            if wanted == renderer.format:
                return renderer(), renderer.media_type
        return super().perform_content_negotiation(request, force=force)

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), (StatsCsvRenderer, StatsHtmlRenderer)
        ):
            # Refusals and errors keep the API's one JSON error shape.
            request.accepted_renderer = OrjsonRenderer()
            request.accepted_media_type = OrjsonRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter("period", OpenApiTypes.STR, description="YYYY, YYYY-Qn or YYYY-MM."),
            OpenApiParameter("group_by", OpenApiTypes.STR, description=GROUP_BY_HELP),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv", "html"],
                description="html: the printable return, by month, with its charts.",
            ),
        ],
        responses={
            (200, "application/json"): PolymorphicProxySerializer(
                component_name="Stats",
                serializers=[s.OrganisationStats, s.ForceStats],
                resource_type_field_name=None,
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV"),
            (200, "text/html"): OpenApiResponse(
                OpenApiTypes.STR,
                description="The printable return: the same figures by month, the attrition "
                "funnel and the months drawn as SVG, styled for A4 paper.",
            ),
        },
    )
    def get(self, request):
        media = request.query_params.get("format") or "json"
        if media not in ("json", "csv", "html"):
            raise ValidationError({"format": ["Use json, csv or html."]})
        accepted = request.accepted_renderer.format
        if accepted == "html" and request.query_params.get("group_by", "month") != "month":
            raise ValidationError({"group_by": ["The printable return is by month."]})
        if principals.is_police_liaison(request.user):
            wanted = stats_request(
                request.query_params, groupings=SHARE_GROUPINGS, whole_months=True
            )
            data = selectors.force_figures(
                force=request.user.organisation, shares=shares_held(request.user), request=wanted
            )
        else:
            wanted = stats_request(request.query_params, groupings=CASE_GROUPINGS)
            data = selectors.organisation_figures(principal=request.user, request=wanted)
        stats_read_record(by=request.user, request=wanted, media=accepted)
        return Response(data)
