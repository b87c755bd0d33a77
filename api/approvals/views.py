"""Proposals of two-person actions: listed for supervisors, approved or rejected by a second
supervisor, withdrawn by the person who proposed them."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from casework.approvals import selectors, services
from casework.approvals.choices import ApprovalKind, ApprovalStatus
from casework.approvals.models import Approval
from permissions import policies
from permissions.authentication import PERSONS_ONLY

from ..base import CaseworkViewSet
from . import serializers as s


class ApprovalFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(
        choices=ApprovalStatus.choices,
        distinct=False,
        help_text="Repeat for several; `pending` lists what waits for a decision.",
    )
    kind = filters.MultipleChoiceFilter(choices=ApprovalKind.choices, distinct=False)
    case = filters.UUIDFilter(
        field_name="case_id",
        help_text="The id of the case a proposal is about. An id you cannot see answers an "
        "empty list, as one that does not exist.",
    )

    class Meta:
        model = Approval
        fields = ["status", "kind", "case"]


class ApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseworkViewSet):
    """Proposals that wait for (or had) a second supervisor's decision: a supervisor sees every
    one of their charity's, anyone else the ones they made. Newest first."""

    queryset = Approval.objects.none()
    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.Approvals]
    output_serializer_class = s.ApprovalOutput
    serializer_classes = {"reject": s.RejectInput}
    filterset_class = ApprovalFilter
    cursor_ordering = ("-proposed_at", "-id")
    read_audit = "approval"

    def rows(self, *, principal, action):
        return selectors.approvals(principal=principal, action=action)

    @extend_schema(request=None, responses={200: s.ApprovalOutput})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approves the proposal, and its action is done now, exactly as its description says.
        Refused for your own proposal (403), and once it is decided, withdrawn or expired (409)."""
        approval = services.approval_approve(approval=self.get_object(), by=request.user)
        return Response(self.output(approval).data)

    @extend_schema(request=s.RejectInput, responses={200: s.ApprovalOutput})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Rejects the proposal, with a reason; nothing is done."""
        approval = self.get_object()
        data = s.RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        approval = services.approval_reject(
            approval=approval, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(self.output(approval).data)

    @extend_schema(request=None, responses={200: s.ApprovalOutput})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The person who proposed it takes it back while it waits."""
        approval = services.approval_withdraw(approval=self.get_object(), by=request.user)
        return Response(self.output(approval).data)
