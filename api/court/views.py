"""Hearings, justice decisions, entitlements, caseloads and the court calendar feed."""

import uuid

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from casework.accounts import principals
from casework.audit.reads import record_police_read, record_read
from casework.cases.selectors import visible_cases
from casework.court import selectors, services
from casework.court.calendar import hearings_for, render_feed
from casework.court.models import CourtEvent, Entitlement, JusticeDecision
from casework.sharing.models import SharedCase
from casework.sharing.selectors import court_events_on_share
from casework.sharing.services import police_court_event_add
from permissions import policies
from permissions.authentication import PERSONS_ONLY

from ..audited import audit_read
from ..base import CaseworkViewSet, principal_of, restrict_action, visible_or_404
from ..cases.views import CaseChildViewSet
from ..concurrency import ETagRetrieveMixin, record_etag, required_version, with_etag
from ..idempotency import idempotent
from ..pagination import page_of, paginated, whole_number
from ..rows import AuditRef
from . import serializers as s


class CourtEventViewSet(ETagRetrieveMixin, mixins.ListModelMixin, CaseChildViewSet):
    queryset = CourtEvent.objects.none()
    permission_classes = [policies.CourtEvents]
    output_serializer_class = s.CourtEventOutput
    serializer_classes = {"create": s.CourtEventInput, "partial_update": s.CourtEventUpdateInput}
    filterset_fields = ["status", "hearing_type"]
    cursor_ordering = ("starts_at", "id")
    read_audit = "court_event"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def case_rows(self, *, principal, case, action):
        return selectors.court_events(principal=principal, case=case, action=action)

    @extend_schema(request=s.CourtEventInput, responses={201: s.CourtEventOutput})
    @idempotent
    def create(self, request, case_id=None):
        case = self.get_case()
        data = s.CourtEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.court_event_add(case=case, actor=request.user, **data.validated_data)
        return with_etag(
            Response(self.output(event).data, status=status.HTTP_201_CREATED), record_etag(event)
        )

    @extend_schema(request=s.CourtEventUpdateInput, responses={200: s.CourtEventOutput})
    def partial_update(self, request, case_id=None, pk=None):
        event = self.get_object()
        version = required_version(request, event.pk)
        data = s.CourtEventUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        event = services.court_event_update(
            event=event, actor=request.user, expected_version=version, **data.validated_data
        )
        return with_etag(Response(self.output(event).data), record_etag(event))


class DecisionViewSet(mixins.ListModelMixin, CaseChildViewSet):
    """Decisions the victim must be told about. Most are recorded with a justice transition;
    arrests, releases and first hearings are recorded here directly."""

    queryset = JusticeDecision.objects.none()
    permission_classes = [policies.Decisions]
    output_serializer_class = s.DecisionOutput
    serializer_classes = {"create": s.DirectDecisionInput, "client_told": s.ClientToldInput}
    cursor_ordering = ("-recorded_at", "-id")
    http_method_names = ["get", "post", "head", "options"]
    read_audit = "justice_decision"

    def case_rows(self, *, principal, case, action):
        return selectors.justice_decisions(principal=principal, case=case, action=action)

    @extend_schema(request=s.DirectDecisionInput, responses={201: s.DecisionOutput})
    @idempotent
    def create(self, request, case_id=None):
        case = self.get_case()
        data = s.DirectDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decision_record(case=case, actor=request.user, **data.validated_data)
        return Response(self.output(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ClientToldInput, responses={200: s.DecisionOutput})
    @action(detail=True, methods=["post"], url_path="client-told")
    def client_told(self, request, case_id=None, pk=None):
        decision = self.get_object()
        data = s.ClientToldInput(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decision_client_told(
            decision=decision, actor=request.user, told_on=data.validated_data["told_on"]
        )
        return Response(self.output(decision).data)


class CaseRightsView(APIView):
    """``GET``: every tracked right of the Victims' Code on the case, met, due, overdue or not
    applicable, with the entitlements behind each. ``POST``: record a right the case's own events
    cannot open (a qualifying sentence for the Victim Contact Scheme, or a complaint)."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.CaseRights]

    @extend_schema(responses={200: s.CaseRightsOutput})
    def get(self, request, case_id):
        case = visible_or_404(
            visible_cases(principal=principal_of(request), action=restrict_action(request)),
            case_id,
        )
        payload = selectors.case_rights(principal=principal_of(request), case=case)
        audit_read(
            request,
            [e.pk for row in payload["rights"] for e in row["entitlements"]],
            action="victims_code.rights.read",
            case_id=case.pk,
        )
        return Response(s.CaseRightsOutput(payload).data)

    @extend_schema(request=s.RightRecordInput, responses={201: s.CaseEntitlementOutput})
    @idempotent
    def post(self, request, case_id):
        case = visible_or_404(
            visible_cases(principal=principal_of(request), action=restrict_action(request)),
            case_id,
        )
        data = s.RightRecordInput(data=request.data)
        data.is_valid(raise_exception=True)
        entitlement = services.right_record(case=case, actor=request.user, **data.validated_data)
        return Response(s.CaseEntitlementOutput(entitlement).data, status=status.HTTP_201_CREATED)


class EntitlementViewSet(mixins.ListModelMixin, CaseworkViewSet):
    """Victims' Code entitlements of the cases you work (a supervisor: the organisation's)."""

    queryset = Entitlement.objects.none()
    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.Entitlements]
    output_serializer_class = s.EntitlementOutput
    cursor_ordering = ("due_on", "id")
    read_audit = "entitlement"

    def rows(self, *, principal, action):
        params = self.request.query_params
        state = params.get("state")
        if state is not None and state not in selectors.ENTITLEMENT_STATES:
            raise ValidationError({"state": ["Use overdue, due_soon, open or met."]})
        mine = params.get("assigned_to")
        if mine not in (None, "me"):
            raise ValidationError({"assigned_to": ["Only 'me' is supported."]})
        return selectors.entitlements(
            principal=principal,
            action=action,
            state=state,
            assigned_to_person=self.request.user if mine == "me" else None,
        )

    def _closed(self, entitlement) -> Response:
        entitlement = self.get_queryset().get(pk=entitlement.pk)
        return Response(self.output(entitlement).data)

    @extend_schema(request=s.EntitlementMetInput, responses={200: s.EntitlementOutput})
    @action(detail=True, methods=["post"])
    def met(self, request, pk=None):
        """The client got what the right owes them (a complaint: its answer), on ``met_on``."""
        entitlement = self.get_object()
        data = s.EntitlementMetInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.entitlement_met(entitlement=entitlement, actor=request.user, **data.validated_data)
        return self._closed(entitlement)

    @extend_schema(request=s.EntitlementNotApplicableInput, responses={200: s.EntitlementOutput})
    @action(detail=True, methods=["post"], url_path="not-applicable")
    def not_applicable(self, request, pk=None):
        entitlement = self.get_object()
        data = s.EntitlementNotApplicableInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.entitlement_not_applicable(
            entitlement=entitlement, actor=request.user, **data.validated_data
        )
        return self._closed(entitlement)

    @extend_schema(request=s.ComplaintAcknowledgedInput, responses={200: s.EntitlementOutput})
    @action(detail=True, methods=["post"])
    def acknowledged(self, request, pk=None):
        """A complaint (Right 12) acknowledged by the service it is about."""
        entitlement = self.get_object()
        data = s.ComplaintAcknowledgedInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.complaint_acknowledged(
            entitlement=entitlement, actor=request.user, **data.validated_data
        )
        return self._closed(entitlement)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "state", OpenApiTypes.STR, enum=["overdue", "due_soon", "open", "met"]
            ),
            OpenApiParameter("assigned_to", OpenApiTypes.STR, enum=["me"]),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class CaseloadView(APIView):
    """My open cases, most urgent first: overdue Victims' Code entitlements, then the next due,
    then risk, the next hearing, and the longest without a successful contact. Supervisors may
    pass ``assigned_to=<staff id>`` or ``scope=organisation``. A page at a time (``page``, from
    1, of ``page_size`` rows, at most 100): the order is worked out afresh for each page, so
    ``next`` is the following page of today's order."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.Caseload]
    PAGE_SIZE = 25
    MAX_PAGE_SIZE = 100
    MAX_PAGE = 100_000

    @extend_schema(
        parameters=[
            OpenApiParameter("assigned_to", OpenApiTypes.UUID),
            OpenApiParameter("scope", OpenApiTypes.STR, enum=["mine", "organisation"]),
            OpenApiParameter("page", OpenApiTypes.INT, description="From 1 to 100,000."),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description="1 to 100; 25 unless given."
            ),
        ],
        responses={200: page_of(s.CaseloadItem)},
    )
    def get(self, request):
        scope = request.query_params.get("scope", "mine")
        assigned_to = request.query_params.get("assigned_to")
        if scope not in ("mine", "organisation"):
            raise ValidationError({"scope": ["Use mine or organisation."]})
        team_view = scope == "organisation" or assigned_to
        if team_view and not principals.is_supervisor(request.user):
            raise ValidationError({"scope": ["Only supervisors see other people's caseloads."]})
        person = None
        if assigned_to:
            try:
                person = uuid.UUID(assigned_to)
            except ValueError:
                raise ValidationError({"assigned_to": ["Not a valid id."]}) from None
        elif scope == "mine":
            person = request.user.pk
        number = whole_number(request, "page", default=1, least=1, most=self.MAX_PAGE)
        size = whole_number(
            request, "page_size", default=self.PAGE_SIZE, least=1, most=self.MAX_PAGE_SIZE
        )
        rows = selectors.caseload(
            principal=request.user,
            assigned_to_id=person,
            limit=size + 1,
            offset=(number - 1) * size,
        )
        more, rows = len(rows) > size, rows[:size]
        audit_read(
            request,
            [AuditRef(row["id"], row["id"], row["client_id"]) for row in rows],
            action="caseload.read",
        )
        here = request.build_absolute_uri()
        return Response(
            {
                "next": replace_query_param(here, "page", number + 1) if more else None,
                "previous": replace_query_param(here, "page", number - 1) if number > 1 else None,
                "results": [s.caseload_row(row) for row in rows],
            }
        )


class CalendarFeedView(APIView):
    """Your court calendar as a secret iCalendar link: ``POST`` issues a new one (the old one
    stops working), ``DELETE`` revokes it."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.CalendarFeed]

    @extend_schema(request=None, responses={201: s.CalendarFeedOutput})
    def post(self, request):
        feed, token = services.calendar_feed_issue(user=request.user)
        url = request.build_absolute_uri(f"/calendar/{token}.ics")
        return Response({"url": url, "created_at": feed.created_at}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if not services.calendar_feed_revoke(user=request.user):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


@require_safe
def calendar_feed(request, token: str) -> HttpResponse:
    """The feed itself, for calendar apps: the secret in the link is the only credential."""
    owner = services.calendar_feed_owner(token)
    if owner is None:
        raise Http404
    hearings = list(hearings_for(owner))
    feed = render_feed(hearings)
    record_read(
        actor=owner,
        action="calendar_feed.read",
        records=hearings,
        case_ids=[h.case_id for h in hearings],
    )
    response = HttpResponse(feed, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="casework-hearings.ics"'
    return response


class SharedCourtEventView(APIView):
    """Hearings on a case shared (identified) with your force; you may add hearings too."""

    permission_classes = [policies.SharedCourtEvents]

    def get_share(self, shared_case_id) -> SharedCase:
        from ..sharing.views import justice_share_or_404

        return justice_share_or_404(self.request, shared_case_id)

    @extend_schema(responses={200: page_of(s.PoliceCourtEventOutput)})
    def get(self, request, shared_case_id):
        share = self.get_share(shared_case_id)
        events = court_events_on_share(share)
        response = paginated(request, events, ("starts_at", "id"), s.PoliceCourtEventOutput)
        record_police_read(
            actor=principal_of(request),
            action="shared_case.court_events.read",
            shares=[share],
            records=[row["id"] for row in response.data["results"]],
        )
        return response

    @extend_schema(request=s.PoliceCourtEventInput, responses={201: s.PoliceCourtEventOutput})
    @idempotent
    def post(self, request, shared_case_id):
        share = self.get_share(shared_case_id)
        data = s.PoliceCourtEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = police_court_event_add(
            shared_case=share, author=request.user, **data.validated_data
        )
        return Response(s.PoliceCourtEventOutput(event).data, status=status.HTTP_201_CREATED)
