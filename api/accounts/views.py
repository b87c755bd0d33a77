"""Authentication, identity, organisations, staff and API keys."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.accounts import principals, selectors
from casework.accounts.models import ApiKey, Organisation, User
from casework.accounts.services import (
    api_keys,
    auth,
    organisations,
    password_links,
    staff,
    two_factor,
)
from permissions import policies
from permissions.authentication import PERSONS_ONLY
from permissions.querysets import organisation_for_write
from permissions.throttling import LoginThrottle

from ..base import CaseworkViewSet
from ..concurrency import ETagRetrieveMixin, if_match, record_etag, with_etag
from ..idempotency import idempotent
from . import serializers as s

CLEAR = '"cache", "cookies", "storage"'


def me_payload(principal) -> dict:
    integration = principals.integration(principal)
    if integration is not None:
        key = integration.api_key
        return {
            "kind": "integration",
            "id": key.public_id,
            "username": None,
            "display_name": key.name,
            "role": None,
            "is_superuser": False,
            "organisation": key.organisation,
            "scopes": sorted(integration.scopes),
            "areas": [],
        }
    return {
        "kind": "person",
        "id": principal.id,
        "username": principal.username,
        "display_name": principal.get_full_name() or principal.username,
        "role": principal.role,
        "is_superuser": principal.is_superuser,
        "organisation": principal.organisation,
        "scopes": [],
        "areas": list(principal.organisation.areas)
        if principals.is_charity_staff(principal) and principal.organisation is not None
        else [],
    }


class LoginView(APIView):
    authentication_classes = []
    permission_classes = [policies.AuthLogin]
    throttle_classes = [LoginThrottle]

    @extend_schema(request=s.LoginInput, responses={200: s.LoginOutput}, auth=[])
    def post(self, request):
        data = s.LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user, token, expiry = auth.login(request=request._request, **data.validated_data)
        payload = {"token": token, "expiry": expiry, "me": me_payload(user)}
        return Response(s.LoginOutput(payload).data)


class LogoutView(APIView):
    authentication_classes = PERSONS_ONLY
    permission_classes = [policies.AuthLogout]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        auth.logout(token=request.auth)
        # A browser-based client forgets what it kept of the session (ASVS 7.4.1, 14.3.1).
        return Response(status=status.HTTP_204_NO_CONTENT, headers={"Clear-Site-Data": CLEAR})


class MeView(APIView):
    permission_classes = [policies.Me]

    @extend_schema(responses={200: s.MeOutput})
    def get(self, request):
        return Response(s.MeOutput(me_payload(request.user)).data)


class OrganisationViewSet(ETagRetrieveMixin, mixins.ListModelMixin, CaseworkViewSet):
    authentication_classes = PERSONS_ONLY
    queryset = Organisation.objects.none()
    permission_classes = [policies.Organisations]
    cursor_ordering = "name"
    output_serializer_class = s.OrganisationOutput
    serializer_classes = {
        "create": s.OrganisationCreateInput,
        "partial_update": s.OrganisationUpdateInput,
    }
    http_method_names = ["get", "post", "patch", "head", "options"]

    def rows(self, *, principal, action):
        return selectors.organisations(principal=principal, action=action)

    @extend_schema(request=s.OrganisationCreateInput, responses={201: s.OrganisationOutput})
    @idempotent
    def create(self, request):
        data = s.OrganisationCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisations.organisation_create(by=request.user, **data.validated_data)
        return Response(self.output(organisation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.OrganisationUpdateInput, responses={200: s.OrganisationOutput})
    def partial_update(self, request, pk=None):
        organisation = self.get_object()
        with if_match(request, organisation, what="organisation"):
            data = s.OrganisationUpdateInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            organisation = organisations.organisation_update(
                organisation=organisation, by=request.user, **data.validated_data
            )
        return with_etag(Response(self.output(organisation).data), record_etag(organisation))


class StaffViewSet(ETagRetrieveMixin, mixins.ListModelMixin, CaseworkViewSet):
    authentication_classes = PERSONS_ONLY
    queryset = User.objects.none()
    permission_classes = [policies.Staff]
    cursor_ordering = "username"
    output_serializer_class = s.StaffOutput
    serializer_classes = {"create": s.StaffCreateInput, "partial_update": s.StaffUpdateInput}
    filterset_fields = ["role", "is_active"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def rows(self, *, principal, action):
        return selectors.staff(principal=principal, action=action)

    @extend_schema(request=s.StaffCreateInput, responses={201: s.StaffOutput})
    @idempotent
    def create(self, request):
        data = s.StaffCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["organisation"] = organisation_for_write(request.user, values.get("organisation"))
        user = staff.staff_create(by=request.user, **values)
        password_links.password_link_send(user=user, by=request.user)
        return Response(self.output(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.StaffUpdateInput, responses={200: s.StaffOutput})
    def partial_update(self, request, pk=None):
        user = self.get_object()
        with if_match(request, user, what="member of staff"):
            data = s.StaffUpdateInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            user = staff.staff_update(user=user, by=request.user, **data.validated_data)
        return with_etag(Response(self.output(user).data), record_etag(user))

    @extend_schema(request=None, responses={200: s.StaffOutput})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        user = staff.staff_set_active(user=self.get_object(), active=True, changed_by=request.user)
        return Response(self.output(user).data)

    @extend_schema(request=None, responses={200: s.StaffOutput})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = staff.staff_set_active(user=self.get_object(), active=False, changed_by=request.user)
        return Response(self.output(user).data)

    @extend_schema(request=None, responses={200: s.StaffOutput})
    @action(detail=True, methods=["post"], url_path="reset-two-factor")
    def reset_two_factor(self, request, pk=None):
        """For someone who lost their authenticator: their devices and sessions end, and they
        set two-factor sign-in up again at their next sign-in."""
        user = self.get_object()
        two_factor.two_factor_reset(user=user, by=request.user)
        return Response(self.output(user).data)

    @extend_schema(request=None, responses={200: s.PasswordLinkOutput})
    @action(detail=True, methods=["post"], url_path="send-password-link")
    def send_password_link(self, request, pk=None):
        """Emails the person a new link to set their own password (a first link that expired,
        or a forgotten password). Their current password keeps working until they use it."""
        sent = password_links.password_link_send(user=self.get_object(), by=request.user)
        return Response({"sent": sent})

    @extend_schema(request=None, responses={200: s.RevokedTokensOutput})
    @action(detail=True, methods=["post"], url_path="revoke-tokens")
    def revoke_tokens(self, request, pk=None):
        revoked = staff.tokens_revoke_all(
            user=self.get_object(), by=request.user, reason="revoked_by_supervisor"
        )
        return Response({"revoked": revoked})


class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseworkViewSet):
    authentication_classes = PERSONS_ONLY
    queryset = ApiKey.objects.none()
    permission_classes = [policies.ApiKeys]
    cursor_ordering = "-created"
    output_serializer_class = s.ApiKeyOutput
    serializer_classes = {"create": s.ApiKeyCreateInput}
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filterset_fields = ["revoked"]
    http_method_names = ["get", "post", "head", "options"]

    def rows(self, *, principal, action):
        return selectors.api_keys(principal=principal, action=action)

    @extend_schema(request=s.ApiKeyCreateInput, responses={201: s.ApiKeyCreatedOutput})
    def create(self, request):
        data = s.ApiKeyCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organisation = organisation_for_write(request.user, values.pop("organisation", None))
        api_key, secret = api_keys.api_key_create(
            organisation=organisation,
            name=values["name"],
            scopes=values["scopes"],
            expires_at=values["expires_at"],
            by=request.user,
        )
        api_key.key = secret
        return Response(
            s.ApiKeyCreatedOutput(api_key, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: s.ApiKeyOutput})
    @action(detail=True, methods=["post"])
    def revoke(self, request, id=None):
        api_key = api_keys.api_key_revoke(api_key=self.get_object(), by=request.user)
        return Response(self.output(api_key).data)
