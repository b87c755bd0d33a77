"""Attachments: what an upload sends and what the charity and the force are shown."""

from rest_framework import serializers

from casework.attachments.choices import AttachmentKind
from casework.attachments.models import Attachment

from ..fields import StrictInput

KIND_HELP = "What the file is to the case."


class AttachmentUploadInput(StrictInput):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="The file. Its type is found from its content; its name and declared type "
        "must agree with that content.",
    )
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, help_text=KIND_HELP)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    contact_log_entry = serializers.UUIDField(required=False, allow_null=True)
    note = serializers.UUIDField(required=False, allow_null=True)
    court_event = serializers.UUIDField(required=False, allow_null=True)


class AttachmentDescribeInput(StrictInput):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, required=False)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    contact_log_entry = serializers.UUIDField(required=False, allow_null=True)
    note = serializers.UUIDField(required=False, allow_null=True)
    court_event = serializers.UUIDField(required=False, allow_null=True)


class AttachmentShareInput(StrictInput):
    police_force = serializers.UUIDField(
        help_text="The force of the case's identified share (an anonymous share carries none)."
    )


class AttachmentOutput(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    name = serializers.CharField(source="served_name", read_only=True)

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "description",
            "original_name",
            "name",
            "media_type",
            "size",
            "contact_log_entry",
            "note",
            "court_event",
            "uploaded_by",
            "uploaded_at",
            "updated_at",
        ]
        read_only_fields = fields


class SharedAttachmentOutput(serializers.ModelSerializer):
    """What a force is shown of a file shared with it: what it is, never what the charity wrote
    about it or the name it was uploaded under."""

    name = serializers.CharField(source="served_name", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "kind", "name", "media_type", "size", "uploaded_at"]
        read_only_fields = fields
