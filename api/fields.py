"""Serializer building blocks shared by the API."""

from rest_framework import serializers


class StrictInput(serializers.Serializer):
    """Input that refuses fields it does not know, so a client cannot believe it changed
    something (``support_status``, ``organisation``) that was silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not accepted here."] for name in unknown}
                )
        return super().to_internal_value(data)


class ChoiceList(serializers.ListField):
    """A list of distinct enumeration values."""

    def __init__(self, choices, **kwargs):
        kwargs.setdefault("child", serializers.ChoiceField(choices=choices))
        kwargs.setdefault("max_length", len(choices))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        return sorted(set(values))


def optional_choice(choices) -> serializers.ChoiceField:
    """A read-only enumeration that may be empty ("" where nothing applies yet)."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)
