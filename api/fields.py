"""Serializer building blocks shared by the API."""

from rest_framework import serializers


# Input that refuses fields it does not know, so a client cannot believe it changed something
# (``support_status``, ``organisation``) that was silently ignored; and booleans that are not
# JSON booleans, which DRF would otherwise read from "yes", "on", 1 or "1". (A comment, not a
# docstring: the schema would give every input's description as this text.)
class StrictInput(serializers.Serializer):
    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {
                name: ["This field is not accepted here."]
                for name in sorted(set(data) - set(self.fields))
            }
            for name, field in self.fields.items():
                if isinstance(field, serializers.BooleanField) and name in data:
                    value = data[name]
                    if not (isinstance(value, bool) or (value is None and field.allow_null)):
                        errors[name] = ["Must be true or false."]
            if errors:
                raise serializers.ValidationError(errors)
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


class Moment(serializers.DateTimeField):
    """A date and time sent to the API: with or without a zone, and within the years a record
    of this service can be about (an ancient date would come back with a historical offset such
    as London's local mean time, which no client could read)."""

    EARLIEST, LATEST = 1900, 2199

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if not self.EARLIEST <= moment.year <= self.LATEST:
            raise serializers.ValidationError(
                f"Give a date between {self.EARLIEST} and {self.LATEST}.", code="out_of_range"
            )
        return moment
