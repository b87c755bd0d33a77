"""Referrals, cases and what is logged against them."""

import uuid

from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from casework.audit.selectors import case_access_log
from casework.cases import selectors, timeline
from casework.cases.choices import OffenceType
from casework.cases.lifecycles import JusticeStage, SupportStatus
from casework.cases.models import Case, ContactLogEntry, Note, Referral
from casework.cases.services import cases, contacts, referrals
from casework.clients.selectors import clients as visible_clients
from permissions import policies
from permissions.authentication import PERSONS_ONLY

from ..audit.views import ACCESS_LOG, access_log_page
from ..audited import audit_page, audit_read
from ..base import CaseworkViewSet, principal_of, restrict_action, visible_or_404
from ..concurrency import (
    ETagRetrieveMixin,
    if_match,
    optional_version,
    record_etag,
    required_version,
    with_etag,
)
from ..idempotency import idempotent
from ..pagination import page_of, paginated, whole_number
from ..rows import AuditRef, RowListMixin
from . import serializers as s

TRANSITION_IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "The case's ETag as last read: when sent, a stale one is refused with 412 and changes "
        "nothing (the transition table refuses an illegal move either way)."
    ),
    pattern=r'^"[!#-~]{1,200}"$',
)


def _visible_client(request, pk, field: str = "client"):
    """A client the caller can see, or a 400 naming the field (never a hint that it exists)."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        raise ValidationError({field: ["Not a valid id."]}) from None
    found = visible_clients(principal=request.user).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: ["No such record among those you can see."]})
    return found


class ReferralFilter(filters.FilterSet):
    class Meta:
        model = Referral
        fields = ["status", "source", "urgency"]


class ReferralViewSet(mixins.ListModelMixin, CaseworkViewSet):
    queryset = Referral.objects.none()
    permission_classes = [policies.Referrals]
    output_serializer_class = s.ReferralListItem
    serializer_classes = {
        "create": s.ReferralInput,
        "accept": s.ReferralAcceptInput,
        "decline": s.ReferralDeclineInput,
    }
    filterset_class = ReferralFilter
    cursor_ordering = "-received_at"
    read_audit = "referral"
    http_method_names = ["get", "post", "head", "options"]

    def rows(self, *, principal, action):
        return selectors.referrals(principal=principal, action=action)

    @extend_schema(responses={200: s.ReferralOutput})
    def retrieve(self, request, pk=None):
        return Response(s.ReferralOutput(self.get_object()).data)

    @extend_schema(request=s.ReferralInput, responses={201: s.ReferralOutput})
    @idempotent
    def create(self, request):
        data = s.ReferralInput(data=request.data)
        data.is_valid(raise_exception=True)
        referral = referrals.referral_create(
            organisation=request.user.organisation, actor=request.user, **data.validated_data
        )
        return Response(s.ReferralOutput(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReferralAcceptInput, responses={201: s.CaseDetail})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        referral = self.get_object()
        data = s.ReferralAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "client" in values:
            values["client"] = _visible_client(request, values["client"])
        case = referrals.referral_accept(referral=referral, accepted_by=request.user, **values)
        return Response(
            s.CaseDetail(_case_as_shown(request, case)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.ReferralDeclineInput, responses={200: s.ReferralOutput})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        referral = self.get_object()
        data = s.ReferralDeclineInput(data=request.data)
        data.is_valid(raise_exception=True)
        referral = referrals.referral_decline(
            referral=referral, declined_by=request.user, **data.validated_data
        )
        return Response(s.ReferralOutput(referral).data)


class CaseFilter(filters.FilterSet):
    support_status = filters.MultipleChoiceFilter(choices=SupportStatus.choices, distinct=False)
    justice_stage = filters.MultipleChoiceFilter(choices=JusticeStage.choices, distinct=False)
    risk_level = filters.CharFilter()
    offence_type = filters.ChoiceFilter(
        choices=OffenceType.choices,
        field_name="offence_types",
        lookup_expr="contains",
        method="filter_offence_type",
    )
    assigned_to = filters.CharFilter(
        method="filter_assigned_to", help_text="`me`, or the id of a member of staff."
    )
    opened_after = filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")
    reference = filters.CharFilter(field_name="reference", lookup_expr="istartswith")
    # The incident area is encrypted, so the database cannot search it.
    q = filters.CharFilter(method="filter_text", help_text="Reference contains.")

    class Meta:
        model = Case
        fields = ["support_status", "justice_stage", "risk_level"]

    def filter_offence_type(self, queryset, name, value):
        return queryset.filter(offence_types__contains=[value])

    def filter_assigned_to(self, queryset, name, value):
        if value == "me":
            user_id = self.request.user.pk
        else:
            try:
                user_id = uuid.UUID(value)
            except ValueError:
                raise ValidationError({"assigned_to": ["Use 'me' or a staff id."]}) from None
        return selectors.assigned_to(queryset, user_id)

    def filter_text(self, queryset, name, value):
        return selectors.matching_text(queryset, value)


def _case_as_shown(request, case: Case) -> Case:
    """The case after a write, reloaded as a detail shows it, read as the caller reads it."""
    shown = selectors.case(principal=request.user, pk=case.pk)
    if shown is None:
        raise Http404
    return shown


ORDERING = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    enum=["opened_at", "-opened_at", "updated_at", "-updated_at", "reference", "-reference"],
    description="Sort order; newest opened first by default.",
)


@extend_schema_view(list=extend_schema(parameters=[ORDERING]))
class CaseViewSet(RowListMixin, mixins.ListModelMixin, CaseworkViewSet):
    queryset = Case.objects.none()
    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.Cases]
    output_serializer_class = s.CaseListItem
    serializer_classes = {
        "create": s.CaseCreateInput,
        "partial_update": s.CaseUpdateInput,
        "transitions": s.TransitionInput,
        "assign": s.AssignInput,
        "unassign": s.AssignInput,
    }
    filterset_class = CaseFilter
    cursor_ordering = ("-opened_at", "-id")
    read_audit = "case"
    ordering_fields = ("opened_at", "updated_at", "reference")
    http_method_names = ["get", "post", "patch", "head", "options"]

    render_row = staticmethod(s.case_row)

    def rows(self, *, principal, action):
        return selectors.cases(principal=principal, action=action)

    def list_rows(self, *, principal):
        return selectors.case_rows(principal=principal)

    def audit_ref(self, row):
        return AuditRef(row["id"], row["id"], row["client_id"])

    def _detail(self, case: Case, *, status_code=status.HTTP_200_OK) -> Response:
        case = _case_as_shown(self.request, case)
        response = Response(s.CaseDetail(case).data, status=status_code)
        response["ETag"] = case.etag
        return response

    @extend_schema(responses={200: s.CaseDetail})
    def retrieve(self, request, pk=None):
        case = self.get_object()
        response = Response(s.CaseDetail(case).data)
        response["ETag"] = case.etag
        return response

    @extend_schema(request=s.CaseCreateInput, responses={201: s.CaseDetail})
    @idempotent
    def create(self, request):
        data = s.CaseCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["client"] = _visible_client(request, values["client"])
        case = cases.case_create(opened_by=request.user, **values)
        return self._detail(case, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=s.CaseUpdateInput, responses={200: s.CaseDetail})
    def partial_update(self, request, pk=None):
        case = self.get_object()
        version = required_version(request, case.pk)
        data = s.CaseUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        case = cases.case_update(
            case=case, updated_by=request.user, expected_version=version, **data.validated_data
        )
        return self._detail(case)

    @extend_schema(methods=["GET"], request=None, responses={200: page_of(s.TransitionOutput)})
    @extend_schema(
        methods=["POST"],
        request=s.TransitionInput,
        responses={200: s.CaseDetail},
        parameters=[TRANSITION_IF_MATCH],
    )
    @action(detail=True, methods=["get", "post"])
    def transitions(self, request, pk=None):
        """GET: the lifecycle history. POST: move one lifecycle; an illegal move answers 409."""
        case = self.get_object()
        if request.method == "GET":
            history = selectors.transitions(principal=request.user, case=case)
            response = paginated(request, history, ("-occurred_at", "-id"), s.TransitionOutput)
            audit_page(request, response.data, action="case.transitions.read", case_id=case.pk)
            return response
        data = s.TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = cases.case_transition(
            case=case,
            actor=request.user,
            expected_version=optional_version(request, case.pk),
            **data.validated_data,
        )
        return self._detail(case)

    @extend_schema(request=s.AssignInput, responses={200: s.CaseDetail})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        case = self.get_object()
        data = s.AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = data.validated_data["user"]
        return self._detail(cases.case_assign(case=case, user=user, assigned_by=request.user))

    @extend_schema(request=s.AssignInput, responses={200: s.CaseDetail})
    @action(detail=True, methods=["post"])
    def unassign(self, request, pk=None):
        case = self.get_object()
        data = s.AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = data.validated_data["user"]
        return self._detail(cases.case_unassign(case=case, user=user, unassigned_by=request.user))

    @ACCESS_LOG
    @action(detail=True, methods=["get"], url_path="access-log")
    def access_log(self, request, pk=None):
        """Who read or changed this case, when and from which organisation (police reads of its
        shares included), newest first. Reading it is audited too."""
        case = self.get_object()
        return access_log_page(
            request,
            case_access_log(case=case, fetched_by=request.user),
            action="case.access_log.read",
            case_id=case.pk,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From the previous page."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 100, default 25."),
        ],
        responses={200: s.TimelinePage},
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """Everything that happened on the case, newest first."""
        case = self.get_object()
        limit = whole_number(request, "page_size", default=25, least=1, most=100)
        cursor = None
        if request.query_params.get("cursor"):
            try:
                cursor = timeline.decode_cursor(request.query_params["cursor"])
            except timeline.InvalidCursor as error:
                raise ValidationError({"cursor": [str(error)]}) from None
        items, more = timeline.timeline_page(case, limit=limit, cursor=cursor)
        audit_read(
            request,
            [f"{item.kind}:{item.id}" for item in items],
            action="case.timeline.read",
            case_id=case.pk,
            client_id=case.client_id,
        )
        next_url = None
        if more and items:
            next_url = request.build_absolute_uri(
                f"{request.path}?cursor={timeline.encode_cursor(items[-1])}&page_size={limit}"
            )
        return Response({"next": next_url, "results": s.TimelineItemOutput(items, many=True).data})


class CaseChildViewSet(CaseworkViewSet):
    """Records under ``cases/{case_id}/``: the case must be visible (for a write, changeable),
    or everything is a 404. Subclasses name the selector of the case's records in
    ``case_rows``."""

    authentication_classes = PERSONS_ONLY

    def get_case(self) -> Case:
        if not hasattr(self, "_case"):
            visible = selectors.visible_cases(
                principal=principal_of(self.request), action=restrict_action(self.request)
            )
            self._case = visible_or_404(visible, self.kwargs["case_id"])
        return self._case

    def case_rows(self, *, principal, case: Case, action: str):
        raise NotImplementedError(f"{type(self).__name__} names no selector.")

    def rows(self, *, principal, action):
        return self.case_rows(principal=principal, case=self.get_case(), action=action)


class ContactViewSet(RowListMixin, ETagRetrieveMixin, mixins.ListModelMixin, CaseChildViewSet):
    queryset = ContactLogEntry.objects.none()
    permission_classes = [policies.Contacts]
    output_serializer_class = s.ContactOutput
    serializer_classes = {"create": s.ContactCreateInput, "partial_update": s.ContactUpdateInput}
    filterset_fields = ["outcome", "channel", "direction"]
    cursor_ordering = ("-occurred_at", "-id")
    read_audit = "contact_log"
    http_method_names = ["get", "post", "patch", "head", "options"]

    render_row = staticmethod(s.contact_row)

    def case_rows(self, *, principal, case, action):
        return selectors.contact_log(principal=principal, case=case, action=action)

    def list_rows(self, *, principal):
        return selectors.contact_rows(principal=principal, case=self.get_case())

    @extend_schema(request=s.ContactCreateInput, responses={201: s.ContactOutput})
    @idempotent
    def create(self, request, case_id=None):
        case = self.get_case()
        data = s.ContactCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = contacts.contact_log(case=case, recorded_by=request.user, **data.validated_data)
        return with_etag(
            Response(self.output(entry).data, status=status.HTTP_201_CREATED), record_etag(entry)
        )

    @extend_schema(request=s.ContactUpdateInput, responses={200: s.ContactOutput})
    def partial_update(self, request, case_id=None, pk=None):
        entry = self.get_object()
        with if_match(request, entry, what="contact log entry"):
            data = s.ContactUpdateInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            entry = contacts.contact_edit(
                entry=entry, edited_by=request.user, **data.validated_data
            )
        return with_etag(Response(self.output(entry).data), record_etag(entry))


class NoteViewSet(RowListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseChildViewSet):
    queryset = Note.objects.none()
    permission_classes = [policies.Notes]
    output_serializer_class = s.NoteOutput
    serializer_classes = {"create": s.NoteInput}
    filterset_fields = ["visibility"]
    cursor_ordering = ("-created_at", "-id")
    read_audit = "note"
    http_method_names = ["get", "post", "head", "options"]

    render_row = staticmethod(s.note_row)

    def case_rows(self, *, principal, case, action):
        return selectors.notes(principal=principal, case=case, action=action)

    def list_rows(self, *, principal):
        return selectors.note_rows(principal=principal, case=self.get_case())

    @extend_schema(request=s.NoteInput, responses={201: s.NoteOutput})
    @idempotent
    def create(self, request, case_id=None):
        case = self.get_case()
        data = s.NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = contacts.note_add(case=case, author=request.user, **data.validated_data)
        return Response(self.output(note).data, status=status.HTTP_201_CREATED)
