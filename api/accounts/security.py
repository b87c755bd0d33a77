"""Password change, two-factor sign-in, and an organisation's security settings."""

import base64

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.accounts.services import auth, password_links, two_factor
from casework.accounts.services.organisations import organisation_settings_update
from casework.accounts.services.retention import retention_shorten_propose
from permissions import policies
from permissions.authentication import PERSONS_ONLY
from permissions.throttling import PasswordLinkThrottle

from ..approvals.serializers import ApprovalOutput
from ..concurrency import if_match, record_etag, with_etag
from ..fields import StrictInput
from ..idempotency import idempotent


class PasswordChangeInput(StrictInput):
    current_password = serializers.CharField(max_length=4096, trim_whitespace=False)
    new_password = serializers.CharField(max_length=4096, trim_whitespace=False)
    code = serializers.CharField(
        max_length=40,
        required=False,
        help_text="A current code from your authenticator app (or a recovery code); needed "
        "where two-factor sign-in is on.",
    )


class PasswordChangeView(APIView):
    """Changes your password, with your current one (and a current code where two-factor
    sign-in is on). A wrong one counts towards the lockout. Every session of yours ends, this
    one too: sign in again."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.PasswordChange]

    @extend_schema(request=PasswordChangeInput, responses={204: None})
    def post(self, request):
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        auth.password_change(user=request.user, request=request._request, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordSetInput(StrictInput):
    uid = serializers.CharField(max_length=64, help_text="The `uid` of the link.")
    token = serializers.CharField(max_length=128, help_text="The `token` of the link.")
    new_password = serializers.CharField(max_length=4096, trim_whitespace=False)


class PasswordSetView(APIView):
    """Sets your password through the link emailed to you (your first one, or a new one your
    supervisor sent). The link works once and expires; a stale or used link answers 400 and
    changes nothing. Every session of yours ends: sign in with the new password."""

    authentication_classes = []
    permission_classes = [policies.PasswordSet]
    throttle_classes = [PasswordLinkThrottle]

    @extend_schema(request=PasswordSetInput, responses={204: None}, auth=[])
    def post(self, request):
        data = PasswordSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        password_links.password_set_with_link(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TwoFactorStatus(serializers.Serializer):
    enabled = serializers.BooleanField()
    required = serializers.BooleanField(  # type: ignore[assignment]  # a field, not Field.required
        help_text="Your organisation requires it."
    )


class TwoFactorEnrolment(serializers.Serializer):
    otpauth_uri = serializers.CharField(help_text="Show as a QR code to the authenticator app.")
    secret = serializers.CharField(help_text="The same secret, for typing in by hand.")


class EnrolmentInput(StrictInput):
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class CodeInput(StrictInput):
    code = serializers.CharField(max_length=40)


class RecoveryCodes(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Shown this once. Each signs you in once if you lose your authenticator.",
    )


class DisableInput(StrictInput):
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    code = serializers.CharField(max_length=40)


class TwoFactorView(APIView):
    """``GET``: whether two-factor sign-in is on. ``POST``: start setting it up, with your
    password (a wrong one counts towards the lockout)."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.TwoFactor]

    @extend_schema(responses={200: TwoFactorStatus})
    def get(self, request):
        return Response(
            {
                "enabled": two_factor.enabled(request.user),
                "required": two_factor.required(request.user),
            }
        )

    @extend_schema(request=EnrolmentInput, responses={201: TwoFactorEnrolment})
    def post(self, request):
        data = EnrolmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        device = two_factor.two_factor_enrol(
            user=request.user, password=data.validated_data["password"], request=request._request
        )
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        return Response(
            {"otpauth_uri": device.config_url, "secret": secret}, status=status.HTTP_201_CREATED
        )


class TwoFactorConfirmView(APIView):
    """Confirms set-up with a first code from the app; ends your other sessions."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.TwoFactor]

    @extend_schema(request=CodeInput, responses={200: RecoveryCodes})
    def post(self, request):
        data = CodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        codes = two_factor.two_factor_confirm(user=request.user, code=data.validated_data["code"])
        return Response({"recovery_codes": codes})


class TwoFactorDisableView(APIView):
    """Turns two-factor sign-in off, with your password and a current code; refused where your
    organisation requires it."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.TwoFactor]

    @extend_schema(request=DisableInput, responses={204: None})
    def post(self, request):
        data = DisableInput(data=request.data)
        data.is_valid(raise_exception=True)
        two_factor.two_factor_disable(
            user=request.user, request=request._request, **data.validated_data
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


AREAS_HELP = (
    "The areas a case can be placed in (at most 200, each up to 80 characters, no two the same "
    "whatever their case). Police see a case's area only while it is on this list."
)


UNCONVERTED_HELP = (
    "Months after which referrals declined or never accepted, and clients who never had a "
    "case, are anonymised."
)


ATTACHMENT_LIMIT_HELP = (
    "The largest file staff may attach to a case, in bytes (20 MB unless changed); the service's "
    "own ceiling applies above it."
)

STATS_THRESHOLD_HELP = (
    "Published statistics withhold any count, and any median, over fewer cases than this. At "
    "least the deployment's floor (STATS_SUPPRESSION_THRESHOLD, 5 by default), at most 100."
)


class OrganisationSettingsSerializer(serializers.Serializer):
    require_two_factor = serializers.BooleanField()
    retention_years = serializers.IntegerField(min_value=1, max_value=25)
    unconverted_retention_months = serializers.IntegerField(
        min_value=1, max_value=120, help_text=UNCONVERTED_HELP
    )
    areas = serializers.ListField(child=serializers.CharField(), help_text=AREAS_HELP)
    attachment_max_bytes = serializers.IntegerField(help_text=ATTACHMENT_LIMIT_HELP)
    stats_threshold = serializers.IntegerField(
        min_value=1, max_value=100, help_text=STATS_THRESHOLD_HELP
    )


class OrganisationSettingsInput(StrictInput):
    require_two_factor = serializers.BooleanField(required=False)
    retention_years = serializers.IntegerField(min_value=1, max_value=25, required=False)
    unconverted_retention_months = serializers.IntegerField(
        min_value=1, max_value=120, required=False, help_text=UNCONVERTED_HELP
    )
    areas = serializers.ListField(
        # Bounds on what is read; the rules themselves are the organisation service's.
        child=serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=False),
        max_length=400,
        required=False,
        help_text=AREAS_HELP + " Replaces the whole list.",
    )
    attachment_max_bytes = serializers.IntegerField(
        min_value=1024,
        max_value=1024 * 1024 * 1024,
        required=False,
        help_text=ATTACHMENT_LIMIT_HELP,
    )
    stats_threshold = serializers.IntegerField(
        min_value=1, max_value=100, required=False, help_text=STATS_THRESHOLD_HELP
    )


class OrganisationSettingsView(APIView):
    """Your organisation's security and retention settings, its areas and the threshold below
    which its statistics are withheld (supervisors)."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.OrganisationSettings]

    @extend_schema(responses={200: OrganisationSettingsSerializer})
    def get(self, request):
        organisation = request.user.organisation
        return with_etag(
            Response(OrganisationSettingsSerializer(organisation).data), record_etag(organisation)
        )

    @extend_schema(
        request=OrganisationSettingsInput, responses={200: OrganisationSettingsSerializer}
    )
    def patch(self, request):
        with if_match(request, request.user.organisation, what="organisation"):
            data = OrganisationSettingsInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            organisation = organisation_settings_update(
                organisation=request.user.organisation, by=request.user, **data.validated_data
            )
        return with_etag(
            Response(OrganisationSettingsSerializer(organisation).data), record_etag(organisation)
        )


class RetentionProposalInput(StrictInput):
    retention_years = serializers.IntegerField(min_value=1, max_value=25, required=False)
    unconverted_retention_months = serializers.IntegerField(
        min_value=1, max_value=120, required=False, help_text=UNCONVERTED_HELP
    )
    reason = serializers.CharField(max_length=2000)


class RetentionProposalView(APIView):
    """Proposes shorter retention periods (supervisors). Records would be anonymised sooner and
    cannot come back, so nothing changes until a second supervisor approves the proposal
    (``approvals/``); lengthening a period is an ordinary ``PATCH`` of the settings."""

    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.RetentionProposals]

    @extend_schema(request=RetentionProposalInput, responses={201: ApprovalOutput})
    @idempotent
    def post(self, request):
        data = RetentionProposalInput(data=request.data)
        data.is_valid(raise_exception=True)
        approval = retention_shorten_propose(
            organisation=request.user.organisation, by=request.user, **data.validated_data
        )
        return Response(ApprovalOutput(approval).data, status=status.HTTP_201_CREATED)
