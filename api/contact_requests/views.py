"""Police contact requests: the force asks on its share and sees the answer; the charity's staff
read the requests on their case and record the client's answer."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from casework.audit.reads import record_police_read
from casework.cases.models import Case
from casework.contact_requests import selectors, services
from casework.contact_requests.models import ContactRequest
from permissions import policies

from ..base import CaseworkViewSet, ShareChildMixin, principal_of
from ..cases.views import CaseChildViewSet
from ..idempotency import idempotent
from . import serializers as s


class SharedContactRequestViewSet(
    ShareChildMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseworkViewSet
):
    """The force's requests to reach the person behind one of its shares, anonymous ones
    included: ``POST`` asks, ``withdraw/`` takes a request back. Each shows the client's answer
    as the force may learn it and nothing more."""

    queryset = ContactRequest.objects.none()
    permission_classes = [policies.SharedContactRequests]
    output_serializer_class = s.ForceContactRequestOutput
    serializer_classes = {"create": s.ContactRequestInput}
    cursor_ordering = ("-created_at", "-id")
    http_method_names = ["get", "post", "head", "options"]

    read_audit = "contact_request"

    def rows(self, *, principal, action):
        return selectors.share_contact_requests(
            principal=principal, share=self.get_share(), action=action
        )

    def audit_records_read(self, records) -> None:
        verb = "list" if self.action == "list" else "read"
        record_police_read(
            actor=principal_of(self.request),
            action=f"shared_case.contact_requests.{verb}",
            shares=[self.get_share()],
            records=records,
        )

    @extend_schema(request=s.ContactRequestInput, responses={201: s.ForceContactRequestOutput})
    @idempotent
    def create(self, request, shared_case_id=None):
        share = self.get_share()
        data = s.ContactRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.contact_request_create(
            shared_case=share, requested_by=request.user, **data.validated_data
        )
        return Response(self.output(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.ForceContactRequestOutput})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, shared_case_id=None, pk=None):
        """The force no longer needs the contact; only an open request can be withdrawn."""
        found = self.get_object()
        withdrawn = services.contact_request_withdraw(contact_request=found, by=request.user)
        return Response(self.output(withdrawn).data)


class CaseContactRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseChildViewSet):
    """Police requests to reach the client of this case, for its staff to relay; ``answer/``
    records the client's answer, once."""

    queryset = ContactRequest.objects.none()
    permission_classes = [policies.ContactRequests]
    output_serializer_class = s.ContactRequestOutput
    serializer_classes = {"answer": s.ContactRequestAnswerInput}
    filterset_fields = ["status"]
    cursor_ordering = ("-created_at", "-id")
    http_method_names = ["get", "post", "head", "options"]

    read_audit = "contact_request"

    def case_rows(self, *, principal, case: Case, action: str):
        return selectors.case_contact_requests(principal=principal, case=case, action=action)

    @extend_schema(request=s.ContactRequestAnswerInput, responses={200: s.ContactRequestOutput})
    @action(detail=True, methods=["post"])
    def answer(self, request, case_id=None, pk=None):
        """The client's answer: agreed (with the route they chose), declined, or not reachable
        (after at least one logged attempt since the request). On an anonymous share, a contact
        method is given only with ``acknowledge_identifying_route: true``."""
        found = self.get_object()
        data = s.ContactRequestAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        answered = services.contact_request_answer(
            contact_request=found, answered_by=request.user, **data.validated_data
        )
        return Response(self.output(answered).data)
