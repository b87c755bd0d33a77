"""The consent ledger and police involvement (charity side), and shared cases (police side)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.audit.reads import ShareRef, record_police_read
from casework.cases.models import Case
from casework.cases.selectors import visible_cases
from casework.contact_requests.selectors import with_closed_contact_requests
from casework.disclosures.services import share_view_disclosed
from casework.sharing import overrides, selectors, services
from casework.sharing.models import PoliceInvolvement, SharedCase, SharedUpdate
from permissions import policies
from permissions.authentication import PERSONS_ONLY
from permissions.fields import JUSTICE, share_allows
from permissions.querysets import ended_shares

from ..approvals.serializers import ApprovalOutput
from ..audited import audit_read
from ..base import CaseworkViewSet, principal_of, restrict_action, visible_or_404
from ..concurrency import etag, required_version, with_etag
from ..idempotency import idempotent
from ..pagination import page_of, paginated
from ..rows import RowListMixin
from . import serializers as s
from .packages import render_package


def _case_or_404(request, case_id) -> Case:
    visible = visible_cases(principal=request.user, action=restrict_action(request))
    return visible_or_404(visible, case_id)


class ConsentView(APIView):
    """``GET``: the current state per scope beside the full history. ``POST``: record a decision;
    police access changes in the same transaction."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.Consents]

    @extend_schema(responses={200: s.ConsentLedgerOutput})
    def get(self, request, case_id):
        case = _case_or_404(request, case_id)
        payload = selectors.consent_ledger(principal=request.user, case=case)
        audit_read(
            request,
            [d.public_id for d in payload["history"]],
            action="consent.read",
            case_id=case.pk,
            client_id=case.client_id,
        )
        return Response(s.ConsentLedgerOutput(payload).data)

    @extend_schema(request=s.ConsentDecisionInput, responses={201: s.ConsentLedgerOutput})
    @idempotent
    def post(self, request, case_id):
        case = _case_or_404(request, case_id)
        data = s.ConsentDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.consent_record(case=case, recorded_by=request.user, **data.validated_data)
        return Response(
            s.ConsentLedgerOutput(selectors.consent_ledger(principal=request.user, case=case)).data,
            status=status.HTTP_201_CREATED,
        )


class ConsentOverrideView(APIView):
    """Proposes sharing the case with a police force without the client's consent, on a
    safeguarding ground. Nothing is shared until a second supervisor approves the proposal
    (``approvals/``); the answer is the proposal, saying exactly what approving it does."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.ConsentOverrides]

    @extend_schema(request=s.ConsentOverrideInput, responses={201: ApprovalOutput})
    @idempotent
    def post(self, request, case_id):
        case = _case_or_404(request, case_id)
        data = s.ConsentOverrideInput(data=request.data)
        data.is_valid(raise_exception=True)
        approval = overrides.override_propose(
            case=case, proposed_by=request.user, **data.validated_data
        )
        return Response(ApprovalOutput(approval).data, status=status.HTTP_201_CREATED)


class ConsentOverrideEndView(APIView):
    """A supervisor ends an override before its expiry: the force's access ends at once."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.ConsentOverrideEnd]

    @extend_schema(request=s.ConsentOverrideEndInput, responses={200: s.ConsentLedgerOutput})
    def post(self, request, case_id):
        case = _case_or_404(request, case_id)
        data = s.ConsentOverrideEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        overrides.override_end(case=case, by=request.user, **data.validated_data)
        return Response(
            s.ConsentLedgerOutput(selectors.consent_ledger(principal=request.user, case=case)).data
        )


def _involvement_of(request, case: Case, seen_through: SharedCase | None) -> PoliceInvolvement:
    # A case with no involvement yet reads as version 0 (the service agrees).
    if seen_through is None:
        return selectors.police_involvement(principal=principal_of(request), case=case)
    return selectors.police_involvement_through_share(
        principal=principal_of(request), share=seen_through
    )


# The charity's ETag names the case; the force's names its share, the only id it knows.
def _involvement_etag_id(owner_id) -> str:
    return f"{owner_id}-pi"


def _involvement_response(request, case: Case, *, seen_through=None) -> Response:
    involvement = _involvement_of(request, case, seen_through)
    owner = case.pk if seen_through is None else seen_through.pk
    return with_etag(
        Response(s.PoliceInvolvementOutput(involvement).data),
        etag(_involvement_etag_id(owner), involvement.version),
    )


class PoliceInvolvementView(APIView):
    """The police side of a case, kept by the charity's staff."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.PoliceInvolvement]

    @extend_schema(responses={200: s.PoliceInvolvementOutput})
    def get(self, request, case_id):
        case = _case_or_404(request, case_id)
        response = _involvement_response(request, case)
        audit_read(request, [case.pk], action="police_involvement.read", case_id=case.pk)
        return response

    @extend_schema(request=s.PoliceInvolvementInput, responses={200: s.PoliceInvolvementOutput})
    def patch(self, request, case_id):
        case = _case_or_404(request, case_id)
        version = required_version(request, _involvement_etag_id(case.pk))
        data = s.PoliceInvolvementInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.police_involvement_update(
            case=case, actor=request.user, expected_version=version, **data.validated_data
        )
        return _involvement_response(request, case)


def justice_share_or_404(request, pk) -> SharedCase:
    """A share the caller may see whose level includes the justice section (identified); an
    anonymous share has no updates, involvement or hearings to show, so those are 404."""
    share = visible_or_404(
        selectors.shares(principal=request.user, action=restrict_action(request)), pk
    )
    if not share_allows(share, JUSTICE):
        raise Http404
    return share


class SharedCaseViewSet(RowListMixin, mixins.ListModelMixin, CaseworkViewSet):
    """Cases shared with the caller's police force, and only their shared part."""

    queryset = SharedCase.objects.none()
    permission_classes = [policies.SharedCases]
    render_row = staticmethod(s.shared_case_row)

    def rows(self, *, principal, action):
        return selectors.shared_cases(principal=principal, action=action)

    def list_rows(self, *, principal):
        return selectors.shared_case_rows(principal=principal)

    def audit_ref(self, row):
        return ShareRef(
            row["id"],
            row["share_reference"],
            row["case_id"],
            row["case__client_id"],
            row["case__organisation_id"],
            row["police_force_id"],
        )

    output_serializer_class = s.SharedCaseListItem
    serializer_classes = {"police_involvement": s.PoliceInvolvementInput}
    cursor_ordering = ("-started_at", "-id")
    http_method_names = ["get", "patch", "head", "options"]

    read_audit = "shared_case"

    def audit_records_read(self, records) -> None:
        """Every look by police is the charity's record: it goes into the owning charity's
        chain, naming the shares, the force and the officer or key; a share's read names the
        version of its view (a disclosure) that it got."""
        verb = "list" if self.action == "list" else "read"
        seen = getattr(self, "_disclosure_seen", None)
        record_police_read(
            actor=principal_of(self.request),
            action=f"shared_case.{verb}",
            shares=records,
            detail=(
                {"disclosure": str(seen.pk), "disclosure_version": seen.version} if seen else None
            ),
        )

    @extend_schema(responses={200: s.SharedCaseDetail})
    def retrieve(self, request, pk=None):
        """The share as the force sees it now. What it gets is kept as a disclosure (a new
        version only when the view changed since the last one), before it is sent."""
        share = self.get_object()
        data = s.SharedCaseDetail(share).data
        self._disclosure_seen = share_view_disclosed(
            share=share, actor=principal_of(request), content=render_package(data)
        )
        return Response(data)

    @extend_schema(responses={200: page_of(s.EndedShareOutput)})
    @action(detail=False, methods=["get"])
    def ended(self, request):
        """Shares of your force that have ended: that they ended, and when, and which of your
        contact requests closed with them; never why."""
        return paginated(
            request,
            with_closed_contact_requests(shares=ended_shares(request.user)),
            ("-ended_at", "-id"),
            s.EndedShareOutput,
        )

    @extend_schema(methods=["GET"], request=None, responses={200: s.PoliceInvolvementOutput})
    @extend_schema(
        methods=["PATCH"],
        request=s.PoliceInvolvementInput,
        responses={200: s.PoliceInvolvementOutput},
    )
    @action(detail=True, methods=["get", "patch"], url_path="police-involvement")
    def police_involvement(self, request, pk=None):
        """GET: the investigation as the force keeps it, with the ETag its edits must send.
        PATCH: keep it, under that ETag."""
        share = justice_share_or_404(request, pk)
        if request.method == "GET":
            response = _involvement_response(request, share.case, seen_through=share)
            record_police_read(
                actor=principal_of(request),
                action="shared_case.police_involvement.read",
                shares=[share],
                records=[share.pk],
            )
            return response
        version = required_version(request, _involvement_etag_id(share.pk))
        data = s.PoliceInvolvementInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.police_involvement_update(
            case=share.case,
            actor=request.user,
            via_share=share,
            expected_version=version,
            **data.validated_data,
        )
        return _involvement_response(request, share.case, seen_through=share)


class SharedUpdateViewSet(mixins.ListModelMixin, CaseworkViewSet):
    """Updates across one share: police post investigation and court updates."""

    queryset = SharedUpdate.objects.none()
    permission_classes = [policies.SharedUpdates]
    output_serializer_class = s.SharedUpdateOutput
    serializer_classes = {"create": s.SharedUpdateInput}
    cursor_ordering = ("-created_at", "-id")
    http_method_names = ["get", "post", "head", "options"]

    read_audit = "shared_update"

    def get_share(self) -> SharedCase:
        if not hasattr(self, "_share"):
            self._share = justice_share_or_404(self.request, self.kwargs["shared_case_id"])
        return self._share

    def audit_records_read(self, records) -> None:
        record_police_read(
            actor=principal_of(self.request),
            action="shared_case.updates.read",
            shares=[self.get_share()],
            records=records,
        )

    def rows(self, *, principal, action):
        return selectors.shared_updates(principal=principal, share=self.get_share(), action=action)

    @extend_schema(request=s.SharedUpdateInput, responses={201: s.SharedUpdateOutput})
    @idempotent
    def create(self, request, shared_case_id=None):
        share = self.get_share()
        data = s.SharedUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        update = services.police_update_post(
            shared_case=share, author=request.user, **data.validated_data
        )
        return Response(self.output(update).data, status=status.HTTP_201_CREATED)
