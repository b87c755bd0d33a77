"""Reminders, the organisation's reminder policy, my reminder preferences, and messages to
clients."""

from typing import Any, NamedTuple

from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.accounts import principals
from casework.audit.reads import ShareRef, record_police_read
from casework.clients.selectors import contact_methods_named
from casework.reminders import messages, selectors, services
from casework.reminders.choices import ReminderKind, ReminderStatus
from casework.reminders.models import (
    OutboundMessage,
    Reminder,
    ReminderPolicy,
    ReminderPreference,
)
from casework.reminders.policy import policy_for
from casework.sharing.models import SharedCase
from permissions import policies
from permissions.authentication import PERSONS_ONLY

from ..base import CaseworkViewSet, principal_of
from ..cases.views import CaseChildViewSet
from ..concurrency import etag, if_match, with_etag
from ..idempotency import idempotent
from ..rows import Row
from . import serializers as s


class ReminderFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(
        choices=ReminderStatus.choices,
        distinct=False,
        help_text=(
            "Repeat for several. Without it the list leaves cancelled reminders out (their "
            "reason has gone); ask for `cancelled` to see them."
        ),
    )
    kind = filters.MultipleChoiceFilter(choices=ReminderKind.choices, distinct=False)
    case = filters.UUIDFilter(
        method="filter_case",
        help_text=(
            "The case's id as each reminder shows it (for police, the shared case's id). An id "
            "you cannot see answers an empty list, as one that does not exist."
        ),
    )
    due_before = filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lte")
    mine = filters.BooleanFilter(method="filter_mine", help_text="Supervisors: only my own.")

    class Meta:
        model = Reminder
        fields = ["status", "kind", "case"]

    def filter_case(self, queryset, name, value):
        """Matches the id the reminder shows: a reminder about a share is found by the share's
        id only, so the charity's case id is no key to it."""
        return queryset.filter(
            Q(shared_case_id=value) | Q(shared_case_id__isnull=True, case_id=value)
        )

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assignee=self.request.user) if value else queryset


class ReminderOfShare(NamedTuple):
    """What the audit of a police read names of a reminder: its id, and the share it is about."""

    pk: Any
    share: ShareRef | None


def _share_of(row: Row) -> ShareRef | None:
    if row["shared_case_id"] is None:
        return None
    return ShareRef(
        row["shared_case_id"],
        row["shared_case__share_reference"],
        row["shared_case__case_id"],
        row["shared_case__case__client_id"],
        row["shared_case__case__organisation_id"],
        row["shared_case__police_force_id"],
    )


def _share_read(record: ReminderOfShare | Reminder) -> ShareRef | SharedCase | None:
    """The share a reminder police read is about: from a list's row, or from an instance."""
    return record.share if isinstance(record, ReminderOfShare) else record.shared_case


class ReminderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseworkViewSet):
    """My reminders (a supervisor: the organisation's), soonest due first."""

    queryset = Reminder.objects.none()
    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.Reminders]
    output_serializer_class = s.ReminderOutput
    serializer_classes = {"snooze": s.SnoozeInput}
    filterset_class = ReminderFilter
    cursor_ordering = ("due_at", "id")
    read_audit = "reminder"

    def rows(self, *, principal, action):
        return selectors.reminders(principal=principal, action=action)

    def _police(self) -> bool:
        return principals.is_police_liaison(self.request.user)

    def audit_ref(self, row: Row) -> tuple[Any, ...]:
        if self._police():
            return ReminderOfShare(row["id"], _share_of(row))
        return super().audit_ref(row)

    def audit_records_read(self, records) -> None:
        """A police officer's reminders are about shares: their reads go to the charity."""
        if self._police():
            verb = "list" if self.action == "list" else "read"
            shares = [share for share in map(_share_read, records) if share is not None]
            record_police_read(
                actor=principal_of(self.request),
                action=f"reminder.{verb}",
                shares=shares,
                records=records,
            )
            return
        super().audit_records_read(records)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list" and not any(self.request.query_params.getlist("status")):
            queryset = selectors.without_cancelled(queryset)
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        page = getattr(self, "_page", None) or []
        context["routes"] = _routes(self.request, [r.detail for r in page])
        return context

    def list(self, request, *args, **kwargs):
        # Served from plain rows (``api.rows``); police's carry what the audit of their read
        # names of each reminder's share.
        rows = self.filter_queryset(
            selectors.reminder_rows(principal=request.user, with_shares=self._police())
        )
        page = self.paginate_queryset(rows) or []
        routes = _routes(request, [row["detail"] for row in page])
        return self.get_paginated_response([s.reminder_row(row, routes) for row in page])

    def paginate_queryset(self, queryset):
        self._page = super().paginate_queryset(queryset)
        return self._page

    def retrieve(self, request, *args, **kwargs):
        self._page = [self.get_object()]
        return Response(self.output(self._page[0]).data)

    @extend_schema(request=None, responses={200: s.ReminderOutput})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        reminder = services.reminder_complete(reminder=self.get_object(), by=request.user)
        self._page = [reminder]
        return Response(self.output(reminder).data)

    @extend_schema(request=s.SnoozeInput, responses={200: s.ReminderOutput})
    @action(detail=True, methods=["post"])
    def snooze(self, request, pk=None):
        reminder = self.get_object()
        data = s.SnoozeInput(data=request.data)
        data.is_valid(raise_exception=True)
        reminder = services.reminder_snooze(
            reminder=reminder, by=request.user, **data.validated_data
        )
        self._page = [reminder]
        return Response(self.output(reminder).data)


def _routes(request, details) -> dict:
    """The routes named by a page of escalation reminders (their ``detail``), loaded in one
    query, and only those the caller may see: a reminder is no way round the restriction on
    contact methods."""
    ids = {i for detail in details for i in ((detail or {}).get("other_routes") or [])}
    if not ids:
        return {}
    visible = contact_methods_named(principal=request.user, ids=ids)
    return {str(m.pk): m for m in visible}


# The policy and the preferences are one per organisation and per person, read and edited at
# a fixed address; their ETags name their owner, and a setting never changed is at version 1.
def _policy_etag_id(organisation_id) -> str:
    return f"{organisation_id}-reminder-policy"


def _policy_etag(policy: ReminderPolicy) -> str:
    return etag(_policy_etag_id(policy.organisation_id), policy.version)


def _preference_etag_id(user_id) -> str:
    return f"{user_id}-reminder-preferences"


def _preference_etag(preference: ReminderPreference) -> str:
    return etag(_preference_etag_id(preference.user_id), preference.version)


class ReminderPolicyView(APIView):
    """My organisation's reminder windows (the defaults until a supervisor changes them)."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.ReminderPolicy]

    @extend_schema(responses={200: s.ReminderPolicySerializer})
    def get(self, request):
        policy = policy_for(request.user.organisation)
        return with_etag(Response(s.ReminderPolicySerializer(policy).data), _policy_etag(policy))

    @extend_schema(request=s.ReminderPolicyInput, responses={200: s.ReminderPolicySerializer})
    def patch(self, request):
        organisation = request.user.organisation
        current = policy_for(organisation)
        with if_match(
            request,
            current,
            record_id=_policy_etag_id(organisation.pk),
            rows=selectors.reminder_policy_rows(organisation_id=organisation.pk),
            what="reminder policy",
        ):
            data = s.ReminderPolicyInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            policy = services.reminder_policy_update(
                organisation=organisation, by=request.user, **data.validated_data
            )
        return with_etag(Response(s.ReminderPolicySerializer(policy).data), _policy_etag(policy))


class ReminderPreferencesView(APIView):
    """How I hear about reminders besides the app: an email each, a daily digest."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.ReminderPreferences]

    @extend_schema(responses={200: s.ReminderPreferenceSerializer})
    def get(self, request):
        preference = selectors.reminder_preference(person=request.user)
        return with_etag(
            Response(s.ReminderPreferenceSerializer(preference).data),
            _preference_etag(preference),
        )

    @extend_schema(
        request=s.ReminderPreferenceInput, responses={200: s.ReminderPreferenceSerializer}
    )
    def patch(self, request):
        with if_match(
            request,
            request.user,
            record_id=_preference_etag_id(request.user.pk),
            rows=selectors.reminder_preference_rows(person=request.user),
            what="reminder preferences",
        ):
            data = s.ReminderPreferenceInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            preference = services.preferences_update(user=request.user, **data.validated_data)
        return with_etag(
            Response(s.ReminderPreferenceSerializer(preference).data),
            _preference_etag(preference),
        )


class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseChildViewSet):
    """Messages to the client: planned with what to say and when; the route is chosen only when
    it is sent, from what is current and safe then."""

    queryset = OutboundMessage.objects.none()
    permission_classes = [policies.Messages]
    output_serializer_class = s.MessageOutput
    serializer_classes = {"create": s.MessageInput}
    filterset_fields = ["status", "purpose"]
    cursor_ordering = ("-send_after", "-id")
    http_method_names = ["get", "post", "head", "options"]
    read_audit = "message"

    def case_rows(self, *, principal, case, action):
        return selectors.messages(principal=principal, case=case, action=action)

    @extend_schema(request=s.MessageInput, responses={201: s.MessageOutput})
    @idempotent
    def create(self, request, case_id=None):
        case = self.get_case()
        data = s.MessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = messages.message_plan(case=case, author=request.user, **data.validated_data)
        return Response(self.output(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.MessageOutput})
    @action(detail=True, methods=["post"])
    def cancel(self, request, case_id=None, pk=None):
        message = messages.message_cancel(message=self.get_object(), actor=request.user)
        return Response(self.output(message).data)
