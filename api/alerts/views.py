"""Alerts: drafted and sent for review on a case by its staff (published when a second person
approves the proposal under ``approvals/``), read by subscribers in the feed, and the checker."""

from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.accounts.principals import integration
from casework.alerts import checker, selectors, services
from casework.alerts.models import Alert
from casework.cases.models import Case
from permissions import policies
from permissions.throttling import (
    CHECKER_END_USER_HEADER,
    CheckerEndUserThrottle,
    CheckerThrottle,
    IntegrationThrottle,
    PersonThrottle,
)

from ..approvals.serializers import ApprovalOutput
from ..base import CaseworkViewSet, principal_of
from ..cases.views import CaseChildViewSet
from ..idempotency import idempotent
from . import serializers as s


class CaseAlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseChildViewSet):
    """Alerts drafted from this case to warn others, with the client's ``warn_others`` consent.
    ``POST`` drafts one (refused, naming the field, if it carries anything of the client), or
    with ``revises`` a revision of a published one;
    ``submit/`` proposes publishing it, for a supervisor who did not write it to approve under
    ``approvals/``; ``retract/`` takes it back. The case keeps the link; subscribers never see
    it."""

    queryset = Alert.objects.none()
    permission_classes = [policies.CaseAlerts]
    output_serializer_class = s.AlertOutput
    serializer_classes = {"create": s.AlertDraftInput, "submit": s.AlertSubmitInput}
    filterset_fields = ["status"]
    cursor_ordering = ("-created_at", "-id")
    http_method_names = ["get", "post", "head", "options"]
    read_audit = "alert"

    def case_rows(self, *, principal, case: Case, action: str):
        return selectors.case_alerts(principal=principal, case=case, action=action)

    @extend_schema(request=s.AlertDraftInput, responses={201: s.AlertOutput})
    @idempotent
    def create(self, request, case_id=None):
        case = self.get_case()
        data = s.AlertDraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        revised = values.pop("revises", None)
        if revised is not None:
            values["revises"] = self._revised(case, revised)
        alert = services.alert_draft(case=case, by=request.user, **values)
        return Response(self.output(alert).data, status=status.HTTP_201_CREATED)

    def _revised(self, case: Case, pk) -> Alert:
        found = (
            selectors.case_alerts(principal=principal_of(self.request), case=case, action="change")
            .filter(pk=pk)
            .first()
        )
        if found is None:
            raise ValidationError({"revises": ["No alert of this case has this id."]})
        return found

    @extend_schema(request=s.AlertSubmitInput, responses={201: ApprovalOutput})
    @action(detail=True, methods=["post"])
    def submit(self, request, case_id=None, pk=None):
        """Proposes publishing a draft; answers the proposal a second person decides."""
        found = self.get_object()
        data = s.AlertSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        approval = services.alert_submit(alert=found, by=request.user, **data.validated_data)
        return Response(
            ApprovalOutput(approval, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: s.AlertOutput})
    @action(detail=True, methods=["post"])
    def redraft(self, request, case_id=None, pk=None):
        """An alert whose review was rejected, withdrawn or expired becomes a draft again."""
        found = self.get_object()
        return Response(
            self.output(services.alert_return_to_draft(alert=found, by=request.user)).data
        )

    @extend_schema(request=None, responses={200: s.AlertOutput})
    @action(detail=True, methods=["post"])
    def retract(self, request, case_id=None, pk=None):
        """Takes an alert back: subscribers see that it was retracted and nothing more of it."""
        found = self.get_object()
        return Response(self.output(services.alert_retract(alert=found, by=request.user)).data)


class AlertFeedFilter(filters.FilterSet):
    area = filters.CharFilter(field_name="area", help_text="One of the charity's areas, exactly.")
    published_after = filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lt")

    class Meta:
        model = Alert
        fields = ["area", "published_after", "published_before"]


class AlertFeedViewSet(mixins.ListModelMixin, CaseworkViewSet):
    """The charity's published alerts for its subscribers (an API key with ``alerts:read``),
    newest first: what happened, roughly where and when, and the offender's description;
    identifiers only where the reviewer approved showing them. A retracted alert stays listed
    as retracted, without its content; an expired one leaves the feed."""

    queryset = Alert.objects.none()
    permission_classes = [policies.AlertFeed]
    output_serializer_class = s.FeedAlert
    filterset_class = AlertFeedFilter
    cursor_ordering = ("-published_at", "-id")
    http_method_names = ["get", "head", "options"]

    def rows(self, *, principal, action):
        return selectors.feed(principal=principal)


class CheckerView(APIView):
    """Does a phone number, email, vehicle registration or handle match a published alert of
    the charity? For an API key with ``checker:query`` (which sends its own user's opaque id in
    the ``Checker-End-User`` header) and for the charity's staff. The value is compared by keyed
    hash and never stored or logged; limited per key or person, and per end user."""

    permission_classes = [policies.Checker]
    throttle_classes = [
        PersonThrottle,
        IntegrationThrottle,
        CheckerThrottle,
        CheckerEndUserThrottle,
    ]

    @extend_schema(
        request=s.CheckerInput,
        responses={200: s.CheckerOutput},
        parameters=[
            OpenApiParameter(
                CHECKER_END_USER_HEADER,
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                required=False,
                description="Required with an API key: the integration's own opaque id for its "
                "user, for the per-user limit.",
            )
        ],
    )
    def post(self, request):
        principal = principal_of(request)
        if (
            integration(principal) is not None
            and not request.headers.get(CHECKER_END_USER_HEADER, "").strip()
        ):
            raise ValidationError(
                {CHECKER_END_USER_HEADER: ["Send your user's opaque id in this header."]}
            )
        data = s.CheckerInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = checker.checker_query(
            principal=principal,
            alerts=selectors.checkable(principal=principal),
            **data.validated_data,
        )
        body = {
            "matches": result.matches,
            "count": result.count,
            "latest_month": result.latest_month,
            "alerts": list(result.references),
        }
        return Response(s.CheckerOutput(body).data)
