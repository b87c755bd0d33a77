from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import NeedRecord, RiskAssessment, SafetyPlanItem, SafetyPlanRevision


@admin.register(NeedRecord)
class NeedRecordAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "need", "status", "recorded_at"]


@admin.register(SafetyPlanItem)
class SafetyPlanItemAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "created_at"]


@admin.register(SafetyPlanRevision)
class SafetyPlanRevisionAdmin(ReadOnlyDomainAdmin):
    list_display = ["item", "status", "review_on", "recorded_at"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "assessed_on", "level"]
