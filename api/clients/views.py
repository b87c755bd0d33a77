"""Clients, look-up by phone or email, and contact methods."""

import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from casework.approvals.models import Approval
from casework.audit.selectors import client_access_log
from casework.clients import services
from casework.clients.models import Client, ContactMethod
from casework.clients.selectors import clients, clients_matching, contact_methods
from casework.privacy import subject_rights
from permissions import policies
from permissions.authentication import PERSONS_ONLY

from ..approvals.serializers import ApprovalOutput
from ..audit.views import ACCESS_LOG, access_log_page
from ..audited import audit_read
from ..base import CaseworkViewSet, principal_of, restrict_action, visible_or_404
from ..concurrency import ETagRetrieveMixin, if_match, record_etag, with_etag
from ..fields import StrictInput
from ..idempotency import idempotent
from . import serializers as s


class EraseInput(StrictInput):
    reason = serializers.CharField(max_length=2000)
    force = serializers.BooleanField(
        default=False,
        help_text="Propose erasing although a court case is open: a second supervisor must "
        "approve it (`approvals/`) before anything is erased.",
    )


class ClientPrivacyMixin:
    """Subject access and erasure, for supervisors."""

    @extend_schema(
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "zip"])],
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """Everything held about the client: JSON, or a ZIP with the JSON and a readable summary.
        Every export is audited."""
        client = self.get_object()
        fmt = request.query_params.get("format", "json")
        data = subject_rights.client_export(client=client, by=request.user, fmt=fmt)
        if fmt == "zip":
            response = HttpResponse(subject_rights.export_zip(data), content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="client-{client.pk}.zip"'
            return response
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="client-{client.pk}.json"'
        return response

    @extend_schema(request=EraseInput, responses={200: s.ClientDetail, 202: ApprovalOutput})
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """Erases the client: open cases close, identities and free text go, the facts needed
        for statistics stay. Refused (409) while a court case is open; with ``force`` that is a
        proposal (202) that a second supervisor must approve before anything is erased."""
        client = self.get_object()
        data = EraseInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = subject_rights.erasure_request(client=client, by=request.user, **data.validated_data)
        if isinstance(done, Approval):
            return Response(ApprovalOutput(done).data, status=status.HTTP_202_ACCEPTED)
        return Response(s.ClientDetail(done).data)


class ClientViewSet(ClientPrivacyMixin, mixins.ListModelMixin, CaseworkViewSet):
    queryset = Client.objects.none()
    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.Clients]
    output_serializer_class = s.ClientListItem
    serializer_classes = {
        "create": s.ClientInput,
        "partial_update": s.ClientInput,
        "lookup": s.ClientLookupInput,
    }
    cursor_ordering = "-created_at"
    http_method_names = ["get", "post", "patch", "head", "options"]
    read_audit = "client"

    def rows(self, *, principal, action):
        return clients(principal=principal, action=action)

    @extend_schema(responses={200: s.ClientDetail})
    def retrieve(self, request, pk=None):
        client = self.get_object()
        return with_etag(Response(s.ClientDetail(client).data), record_etag(client))

    @extend_schema(request=s.ClientInput, responses={201: s.ClientDetail})
    @idempotent
    def create(self, request):
        data = s.ClientInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = services.client_create(
            organisation=request.user.organisation, created_by=request.user, **data.validated_data
        )
        return Response(s.ClientDetail(client).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ClientInput(partial=True), responses={200: s.ClientDetail})
    def partial_update(self, request, pk=None):
        client = self.get_object()
        with if_match(request, client, what="client's record"):
            data = s.ClientInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            client = services.client_update(
                client=client, updated_by=request.user, **data.validated_data
            )
        return with_etag(Response(s.ClientDetail(client).data), record_etag(client))

    @ACCESS_LOG
    @action(detail=True, methods=["get"], url_path="access-log")
    def access_log(self, request, pk=None):
        """Who read or changed this client's record (identity and contact routes), when and
        from which organisation, newest first. Reading it is audited too."""
        client = self.get_object()
        return access_log_page(
            request,
            client_access_log(client=client, fetched_by=request.user),
            action="client.access_log.read",
            client_id=client.pk,
        )

    @extend_schema(request=s.ClientLookupInput, responses={200: s.ClientSummary(many=True)})
    @action(detail=False, methods=["post"])
    def lookup(self, request):
        """Exact match on a phone number or email address, current or past, among the clients
        you can see. Sent in the body, never in the URL."""
        data = s.ClientLookupInput(data=request.data)
        data.is_valid(raise_exception=True)
        matches = clients_matching(visible=self.get_queryset(), **data.validated_data)
        found = list(matches[:20])
        # The number or address asked about is not recorded: only which clients it showed.
        audit_read(request, found, action="client.lookup")
        return Response(s.ClientSummary(found, many=True).data)


class ContactMethodViewSet(ETagRetrieveMixin, mixins.ListModelMixin, CaseworkViewSet):
    """A client's contact methods, current and retired."""

    queryset = ContactMethod.objects.none()
    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.ContactMethods]
    output_serializer_class = s.ContactMethodOutput
    serializer_classes = {
        "create": s.ContactMethodCreateInput,
        "partial_update": s.ContactMethodUpdateInput,
        "retire": s.ContactMethodRetireInput,
    }
    filterset_fields = ["status", "kind"]
    cursor_ordering = "-created_at"
    read_audit = "contact_method"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_client(self) -> Client:
        if not hasattr(self, "_client"):
            visible = clients(
                principal=principal_of(self.request), action=restrict_action(self.request)
            )
            self._client = visible_or_404(visible, self.kwargs["client_id"])
        return self._client

    def rows(self, *, principal, action):
        return contact_methods(principal=principal, client=self.get_client(), action=action)

    @extend_schema(request=s.ContactMethodCreateInput, responses={201: s.ContactMethodOutput})
    @idempotent
    def create(self, request, client_id=None):
        client = self.get_client()
        data = s.ContactMethodCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        method = services.contact_method_add(
            client=client, created_by=request.user, **data.validated_data
        )
        return Response(self.output(method).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ContactMethodUpdateInput, responses={200: s.ContactMethodOutput})
    def partial_update(self, request, client_id=None, pk=None):
        method = self.get_object()
        with if_match(request, method, what="contact method"):
            data = s.ContactMethodUpdateInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            method = services.contact_method_update(
                method=method, updated_by=request.user, **data.validated_data
            )
        return with_etag(Response(self.output(method).data), record_etag(method))

    @extend_schema(request=None, responses={200: s.ContactMethodOutput})
    @action(detail=True, methods=["post"])
    def verify(self, request, client_id=None, pk=None):
        method = services.contact_method_verify(method=self.get_object(), verified_by=request.user)
        return Response(self.output(method).data)

    @extend_schema(request=s.ContactMethodRetireInput, responses={200: s.ContactMethodOutput})
    @action(detail=True, methods=["post"])
    def retire(self, request, client_id=None, pk=None):
        method = self.get_object()
        data = s.ContactMethodRetireInput(data=request.data)
        data.is_valid(raise_exception=True)
        method = services.contact_method_retire(
            method=method, retired_by=request.user, reason=data.validated_data["reason"]
        )
        return Response(self.output(method).data)
