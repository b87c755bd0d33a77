"""The shape of published statistics, for the schema: every count may be withheld."""

from rest_framework import serializers


class StatsCell(serializers.Serializer):
    key = serializers.CharField()
    count = serializers.IntegerField(allow_null=True, help_text="null when suppressed.")
    suppressed = serializers.BooleanField()


class StatsTotal(serializers.Serializer):
    count = serializers.IntegerField(allow_null=True, help_text="null when suppressed.")
    suppressed = serializers.BooleanField()


class StatsTable(serializers.Serializer):
    rows = StatsCell(many=True)
    total = StatsTotal()


class StatsMedian(serializers.Serializer):
    days = serializers.FloatField(allow_null=True, help_text="null when suppressed.")
    suppressed = serializers.BooleanField()


class StatsMedians(serializers.Serializer):
    report_to_charge = StatsMedian()
    report_to_verdict = StatsMedian()


class _StatsRange(serializers.Serializer):
    from_ = serializers.DateField()
    to = serializers.DateField()
    group_by = serializers.CharField()
    threshold = serializers.IntegerField(help_text="Counts below this are suppressed.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class OrganisationStats(_StatsRange):
    """A charity's figures: cases opened in the range by the grouping, the justice funnel (cases
    that reached each stage), where cases left it, and median days from report."""

    opened = StatsTable()
    funnel = StatsCell(many=True)
    exits = StatsCell(many=True)
    median_days = StatsMedians()


class ForceStats(_StatsRange):
    """A force's figures: the shares it holds or held that started in the range."""

    shares = StatsTable()
