"""Disclosures on a case (charity staff), and police requests for records: made and followed by
the force through its share, told to the client and decided by the charity on the case."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from casework.audit.reads import record_police_read
from casework.disclosures import selectors, services
from casework.disclosures.models import Disclosure, RecordsRequest
from permissions import policies

from ..base import CaseworkViewSet, ShareChildMixin, principal_of
from ..cases.views import CaseChildViewSet
from ..idempotency import idempotent
from . import serializers as s


class DisclosureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseChildViewSet):
    """What left the charity about the case, to whom, when and under which consent decision;
    one disclosure's detail gives its content exactly as it was sent. Never police."""

    queryset = Disclosure.objects.none()
    permission_classes = [policies.Disclosures]
    output_serializer_class = s.DisclosureListItem
    serializer_classes = {"retrieve": s.DisclosureDetail}
    filterset_fields = ["kind"]
    cursor_ordering = ("-sent_at", "-id")
    read_audit = "disclosure"
    http_method_names = ["get", "head", "options"]

    def case_rows(self, *, principal, case, action):
        return selectors.disclosures(
            principal=principal,
            case=case,
            action=action,
            with_content=self.action == "retrieve",
        )


class RecordsRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseChildViewSet):
    """Police requests for records on the case: the client is told (or the reason they are not
    is recorded), then a supervisor decides."""

    queryset = RecordsRequest.objects.none()
    permission_classes = [policies.RecordsRequests]
    output_serializer_class = s.RecordsRequestOutput
    serializer_classes = {
        "client_told": s.RecordsClientToldInput,
        "decide": s.RecordsDecisionInput,
    }
    filterset_fields = ["status"]
    cursor_ordering = ("-requested_at", "-id")
    read_audit = "records_request"
    http_method_names = ["get", "post", "head", "options"]

    def case_rows(self, *, principal, case, action):
        return selectors.records_requests(principal=principal, case=case, action=action)

    def _answer(self, request: RecordsRequest) -> Response:
        fresh = selectors.records_requests(
            principal=principal_of(self.request), case=self.get_case()
        ).get(pk=request.pk)
        return Response(self.output(fresh).data)

    @extend_schema(request=s.RecordsClientToldInput, responses={200: s.RecordsRequestOutput})
    @action(detail=True, methods=["post"], url_path="client-told")
    def client_told(self, request, case_id=None, pk=None):
        """The client was told of the request on ``told_on``; or, with ``not_told_reason``,
        they are not told and why. One of the two before anything is released."""
        records_request = self.get_object()
        data = s.RecordsClientToldInput(data=request.data)
        data.is_valid(raise_exception=True)
        updated = services.records_request_client_told(
            records_request=records_request, actor=request.user, **data.validated_data
        )
        return self._answer(updated)

    @extend_schema(request=s.RecordsDecisionInput, responses={200: s.RecordsRequestOutput})
    @action(detail=True, methods=["post"])
    def decide(self, request, case_id=None, pk=None):
        """A supervisor releases all, part or none of what was asked for, with reasons; a
        release names the records (or a summary) and is kept as a disclosure as sent."""
        records_request = self.get_object()
        data = s.RecordsDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        updated = services.records_request_decide(
            records_request=records_request, actor=request.user, **data.validated_data
        )
        return self._answer(updated)


class SharedRecordsRequestViewSet(
    ShareChildMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseworkViewSet
):
    """Your force's requests for records through one of its shares in force: ask, then follow
    the status, the decision and what was released."""

    queryset = RecordsRequest.objects.none()
    permission_classes = [policies.SharedRecordsRequests]
    output_serializer_class = s.PoliceRecordsRequestOutput
    serializer_classes = {"create": s.RecordsRequestInput}
    cursor_ordering = ("-requested_at", "-id")
    http_method_names = ["get", "post", "head", "options"]
    read_audit = "records_request"

    def rows(self, *, principal, action):
        return selectors.records_requests_on_share(
            principal=principal, share=self.get_share(), action=action
        )

    def audit_records_read(self, records) -> None:
        verb = "list" if self.action == "list" else "read"
        record_police_read(
            actor=principal_of(self.request),
            action=f"shared_case.records_requests.{verb}",
            shares=[self.get_share()],
            records=records,
        )

    @extend_schema(request=s.RecordsRequestInput, responses={201: s.PoliceRecordsRequestOutput})
    @idempotent
    def create(self, request, shared_case_id=None):
        share = self.get_share()
        data = s.RecordsRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.records_request_make(
            shared_case=share, requested_by=request.user, **data.validated_data
        )
        return Response(self.output(made).data, status=status.HTTP_201_CREATED)
