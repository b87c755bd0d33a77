"""The organisation's audit trail for its supervisors, with a CSV export that is itself audited."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from casework.audit.models import AuditEvent
from casework.audit.selectors import audit_trail, concerning_case
from casework.audit.services import audit_export_record
from permissions import policies
from permissions.authentication import PERSONS_ONLY

from ..accounts.serializers import OrganisationSummary
from ..audited import audit_page
from ..base import CaseworkViewSet
from ..pagination import page_of, paginated

EXPORT_LIMIT = 50_000
COLUMNS = [
    "occurred_at",
    "sequence",
    "actor_label",
    "actor_kind",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "changed_fields",
    "request_id",
    "ip_address",
    "hash",
]


class AuditEventOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    actor = serializers.UUIDField(source="actor_id", read_only=True, allow_null=True)
    actor_organisation = OrganisationSummary(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "sequence",
            "occurred_at",
            "actor",
            "actor_label",
            "actor_kind",
            "actor_organisation",
            "action",
            "object_type",
            "object_id",
            "case_id",
            "case_ids",
            "client_id",
            "changed_fields",
            "detail",
            "request_id",
            "ip_address",
            "previous_hash",
            "hash",
            "hash_key_id",
        ]
        read_only_fields = fields


class AccessLogEntry(AuditEventOutput):
    """One look at or change of a record: who, when, from which organisation, and what."""

    class Meta(AuditEventOutput.Meta):
        fields = [
            "id",
            "occurred_at",
            "action",
            "actor",
            "actor_label",
            "actor_kind",
            "actor_organisation",
            "object_type",
            "object_id",
            "ip_address",
            "request_id",
        ]
        read_only_fields = fields


class AuditEventFilter(filters.FilterSet):
    actor = filters.UUIDFilter(field_name="actor_id")
    case = filters.UUIDFilter(
        method="filter_case", help_text="Events about this case, alone or among others."
    )
    client = filters.UUIDFilter(field_name="client_id")
    force = filters.UUIDFilter(
        field_name="actor_organisation_id",
        help_text="Events by people or keys of this organisation (a police force, say).",
    )
    action = filters.CharFilter(field_name="action", help_text="Exact, or a prefix ending in '.'")
    occurred_after = filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["actor", "case", "client", "force", "action", "occurred_after", "occurred_before"]

    def filter_case(self, queryset, name, value):
        return concerning_case(queryset, value)

    def filter_queryset(self, queryset):
        action = self.form.cleaned_data.pop("action", None) if self.form.is_valid() else None
        queryset = super().filter_queryset(queryset)
        if action:
            lookup = "action__startswith" if action.endswith(".") else "action"
            queryset = queryset.filter(**{lookup: action})
        return queryset


def _cell(value) -> str:
    """A spreadsheet must not run a cell as a formula: such cells get a leading apostrophe."""
    text = "" if value is None else (";".join(value) if isinstance(value, list) else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseworkViewSet):
    """Who did what to which record, when and from where: your organisation's events, newest
    first. Reads of sensitive records are here too."""

    queryset = AuditEvent.objects.none()
    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.AuditEvents]
    output_serializer_class = AuditEventOutput
    filterset_class = AuditEventFilter
    cursor_ordering = ("-id",)
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def rows(self, *, principal, action):
        return audit_trail(principal=principal, action=action)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV")},
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The filtered events as CSV (at most 50,000, newest first). The export is audited."""
        events = self.filter_queryset(self.get_queryset()).order_by("-id")[:EXPORT_LIMIT]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        count = 0
        for event in events.iterator(chunk_size=2000):
            writer.writerow([_cell(getattr(event, column)) for column in COLUMNS])
            count += 1
        audit_export_record(by=request.user, rows=count, filters=request.query_params.dict())
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"audit-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def access_log_page(request, events, *, action: str, case_id=None, client_id=None):
    """A page of a record's access log; reading it is itself audited."""
    response = paginated(request, events, ("-id",), AccessLogEntry)
    audit_page(request, response.data, action=action, case_id=case_id, client_id=client_id)
    return response


ACCESS_LOG = extend_schema(
    parameters=[
        OpenApiParameter("cursor", OpenApiTypes.STR, description="From the previous page."),
        OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 100, default 25."),
    ],
    responses={200: page_of(AccessLogEntry)},
)
