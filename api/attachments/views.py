"""Attachments: the case's staff upload, list, download, describe, retire and share them; a
force lists and downloads only those shared with it on a share it can see now."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from casework.attachments import selectors, services
from casework.attachments.inspection import ALLOWED, Refused
from casework.attachments.models import Attachment
from casework.audit.reads import record_police_read
from casework.cases.models import Case
from permissions import policies
from permissions.authentication import PERSONS_ONLY

from ..base import CaseworkViewSet, ShareChildMixin, principal_of
from ..cases.views import CaseChildViewSet
from ..concurrency import ETagRetrieveMixin, if_match, record_etag, with_etag
from ..errors import error_body
from ..idempotency import idempotent
from ..parsers import StrictJSONParser
from . import serializers as s
from .uploads import InMemoryOnlyUploadHandler

FILE_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.BINARY,
    description="The file, decrypted as it streams, as a download under a neutral name, served "
    "as the type its content showed on upload.",
)
# One entry per type a kept file can have.
FILE_RESPONSES = {(200, media_type): FILE_RESPONSE for media_type in ALLOWED}


class FileDownloadMixin:
    """A download answers with the file's own type whatever the request's ``Accept`` says (the
    API's renderers, all JSON, have no say in it); its errors are JSON as everywhere else."""

    def perform_content_negotiation(self, request, force=False):
        force = force or getattr(self, "action", None) == "download"
        return super().perform_content_negotiation(request, force=force)  # type: ignore[misc]


def _file_response(attachment: Attachment, chunks) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=attachment.media_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.served_name}"'
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _refused(refused: Refused) -> Response:
    return Response(
        error_body(refused.code, refused.message, {"file": [refused.message]}),
        status=refused.status,
    )


class AttachmentViewSet(
    FileDownloadMixin,
    ETagRetrieveMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    CaseChildViewSet,
):
    """Files kept on the case, each sealed with a key of its own. ``POST`` (multipart) uploads
    one, checked first (size, type from the content, image metadata removed, PDF scripts,
    viruses where a scanner runs); ``download/`` streams it back; ``PATCH`` (with ``If-Match``)
    describes it; ``retire/`` takes it out of use; ``share/`` and ``unshare/`` let the force of an
    identified share see it, or no longer."""

    queryset = Attachment.objects.none()
    permission_classes = [policies.Attachments]
    parser_classes = [MultiPartParser, StrictJSONParser]
    output_serializer_class = s.AttachmentOutput
    serializer_classes = {
        "create": s.AttachmentUploadInput,
        "partial_update": s.AttachmentDescribeInput,
        "share": s.AttachmentShareInput,
        "unshare": s.AttachmentShareInput,
    }
    filterset_fields = ["kind"]
    cursor_ordering = ("-uploaded_at", "-id")
    read_audit = "attachment"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def initialize_request(self, request, *args, **kwargs):
        request.upload_handlers = [InMemoryOnlyUploadHandler(request)]
        return super().initialize_request(request, *args, **kwargs)

    def case_rows(self, *, principal, case: Case, action: str):
        return selectors.case_attachments(principal=principal, case=case, action=action)

    @extend_schema(
        request={"multipart/form-data": s.AttachmentUploadInput},
        responses={201: s.AttachmentOutput},
    )
    @idempotent
    def create(self, request, case_id=None):
        case = self.get_case()
        data = s.AttachmentUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        upload = values.pop("file")
        try:
            attachment = services.attachment_upload(
                case=case,
                uploaded_by=request.user,
                data=upload.read(),
                name=upload.name or "",
                declared_type=upload.content_type or "",
                **values,
            )
        except Refused as refused:
            return _refused(refused)
        return with_etag(
            Response(self.output(attachment).data, status=status.HTTP_201_CREATED),
            record_etag(attachment),
        )

    @extend_schema(
        request={"application/json": s.AttachmentDescribeInput},
        responses={200: s.AttachmentOutput},
    )
    def partial_update(self, request, case_id=None, pk=None):
        attachment = self.get_object()
        with if_match(request, attachment, what="attachment"):
            data = s.AttachmentDescribeInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            attachment = services.attachment_describe(
                attachment=attachment, edited_by=request.user, **data.validated_data
            )
        return with_etag(Response(self.output(attachment).data), record_etag(attachment))

    @extend_schema(request=None, responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"])
    def download(self, request, case_id=None, pk=None):
        """The file itself, audited, as a download (``Content-Disposition: attachment``) under a
        neutral name and never cached."""
        attachment = self.get_object()
        chunks = services.attachment_download(attachment=attachment, actor=request.user)
        return _file_response(attachment, chunks)

    @extend_schema(request=None, responses={200: s.AttachmentOutput})
    @action(detail=True, methods=["post"])
    def retire(self, request, case_id=None, pk=None):
        """Kept, but no longer listed, served or shared."""
        attachment = services.attachment_retire(
            attachment=self.get_object(), retired_by=request.user
        )
        return Response(self.output(attachment).data)

    @extend_schema(
        request={"application/json": s.AttachmentShareInput}, responses={200: s.AttachmentOutput}
    )
    @action(detail=True, methods=["post"])
    def share(self, request, case_id=None, pk=None):
        """Lets the force of the case's identified share see this file (kept as a disclosure
        under the consent the share rests on). An anonymous share never carries files: 409."""
        attachment = self.get_object()
        data = s.AttachmentShareInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.attachment_share(
            attachment=attachment,
            police_force=data.validated_data["police_force"],
            shared_by=request.user,
        )
        return Response(self.output(attachment).data)

    @extend_schema(
        request={"application/json": s.AttachmentShareInput}, responses={200: s.AttachmentOutput}
    )
    @action(detail=True, methods=["post"])
    def unshare(self, request, case_id=None, pk=None):
        """The force no longer sees this file, from its next request."""
        attachment = self.get_object()
        data = s.AttachmentShareInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.attachment_unshare(
            attachment=attachment,
            police_force=data.validated_data["police_force"],
            withdrawn_by=request.user,
        )
        return Response(self.output(attachment).data)


SHARE_ID = OpenApiParameter(
    "shared_case_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The share's id."
)


@extend_schema_view(
    list=extend_schema(parameters=[SHARE_ID]),
    retrieve=extend_schema(parameters=[SHARE_ID]),
    download=extend_schema(parameters=[SHARE_ID]),
)
class SharedAttachmentViewSet(
    FileDownloadMixin,
    ShareChildMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    CaseworkViewSet,
):
    """Files the charity chose to share with your force on this (identified) share. Each is gone
    from the next request after the caseworker withdraws it or the share ends."""

    authentication_classes = PERSONS_ONLY
    queryset = Attachment.objects.none()
    permission_classes = [policies.SharedAttachments]
    output_serializer_class = s.SharedAttachmentOutput
    cursor_ordering = ("-uploaded_at", "-id")
    http_method_names = ["get", "head", "options"]

    def rows(self, *, principal, action):
        return selectors.share_attachments(
            principal=principal, share=self.get_share(), action=action
        )

    def audit_records_read(self, records) -> None:
        verb = "list" if self.action == "list" else "read"
        record_police_read(
            actor=principal_of(self.request),
            action=f"shared_case.attachments.{verb}",
            shares=[self.get_share()],
            records=records,
        )

    read_audit = "attachment"

    @extend_schema(request=None, responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"])
    def download(self, request, shared_case_id=None, pk=None):
        """The file, audited in the charity's trail, as a download under a neutral name."""
        attachment = self.get_object()
        chunks = services.attachment_download_by_force(
            attachment=attachment, share=self.get_share(), actor=principal_of(request)
        )
        return _file_response(attachment, chunks)
