"""A case's support plan: needs, the safety plan and risk assessments, with their history."""

import uuid

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.cases.models import Case
from casework.cases.selectors import visible_cases
from casework.support import selectors, services
from casework.support.models import SafetyPlanItem
from permissions import policies
from permissions.authentication import PERSONS_ONLY

from ..audited import audit_read
from ..base import principal_of, restrict_action, visible_or_404
from ..concurrency import if_match, record_etag, with_etag
from ..idempotency import idempotent
from . import serializers as s


class _SupportPlanView(APIView):
    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.SupportPlan]

    def case(self, case_id) -> Case:
        visible = visible_cases(
            principal=principal_of(self.request), action=restrict_action(self.request)
        )
        return visible_or_404(visible, case_id)

    def plan(self, case: Case, status_code=status.HTTP_200_OK) -> Response:
        plan = selectors.current_plan(principal=principal_of(self.request), case=case)
        return Response(s.SupportPlanOutput(plan).data, status=status_code)


def _ids(data: dict) -> list[str]:
    """Every record in a serialised plan or history, for the audit of the read: by id, and a
    need (which has one record per area) by its area."""
    return [
        str(row["id"]) if "id" in row else f"need:{row.get('need')}"
        for rows in data.values()
        if isinstance(rows, list)
        for row in rows
        if isinstance(row, dict)
    ]


class SupportPlanView(_SupportPlanView):
    """The plan as it stands."""

    @extend_schema(responses={200: s.SupportPlanOutput})
    def get(self, request, case_id):
        case = self.case(case_id)
        response = self.plan(case)
        audit_read(request, _ids(response.data), action="support_plan.read", case_id=case.pk)
        return response


class SupportPlanHistoryView(_SupportPlanView):
    """Every need record and safety-plan revision, newest first."""

    @extend_schema(responses={200: s.SupportPlanHistoryOutput})
    def get(self, request, case_id):
        case = self.case(case_id)
        history = {
            "needs": selectors.need_records(principal=request.user, case=case),
            "safety_plan": selectors.safety_plan_revisions(principal=request.user, case=case),
        }
        data = s.SupportPlanHistoryOutput(history).data
        audit_read(request, _ids(data), action="support_plan.history.read", case_id=case.pk)
        return Response(data)


class NeedsView(_SupportPlanView):
    @extend_schema(request=s.NeedInput, responses={201: s.SupportPlanOutput})
    @idempotent
    def post(self, request, case_id):
        case = self.case(case_id)
        data = s.NeedInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.need_record(case=case, actor=request.user, **data.validated_data)
        return self.plan(case, status.HTTP_201_CREATED)


class SafetyPlanView(_SupportPlanView):
    @extend_schema(request=s.SafetyItemInput, responses={201: s.SupportPlanOutput})
    @idempotent
    def post(self, request, case_id):
        case = self.case(case_id)
        data = s.SafetyItemInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.safety_item_add(case=case, actor=request.user, **data.validated_data)
        return self.plan(case, status.HTTP_201_CREATED)


class SafetyPlanItemView(_SupportPlanView):
    @extend_schema(request=s.SafetyItemUpdateInput, responses={200: s.SupportPlanOutput})
    def patch(self, request, case_id, item_id):
        case = self.case(case_id)
        item = visible_item(request, case, item_id)
        with if_match(request, item, what="safety plan item"):
            data = s.SafetyItemUpdateInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            services.safety_item_revise(item=item, actor=request.user, **data.validated_data)
        item.refresh_from_db(fields=["version"])
        # The answer is the whole plan; its ETag is the edited item's, for the next edit.
        return with_etag(self.plan(case), record_etag(item))


def visible_item(request, case: Case, item_id) -> SafetyPlanItem:
    try:
        item = selectors.safety_item(
            principal=request.user,
            case=case,
            item_id=uuid.UUID(str(item_id)),
            action=restrict_action(request),
        )
    except ValueError:
        item = None
    if item is None:
        raise Http404
    return item


class RiskAssessmentsView(_SupportPlanView):
    @extend_schema(request=s.RiskAssessmentInput, responses={201: s.SupportPlanOutput})
    @idempotent
    def post(self, request, case_id):
        case = self.case(case_id)
        data = s.RiskAssessmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.risk_assess(case=case, actor=request.user, **data.validated_data)
        return self.plan(case, status.HTTP_201_CREATED)
