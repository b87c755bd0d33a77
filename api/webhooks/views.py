"""Webhook subscriptions of the caller's organisation, and each one's delivery log."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from casework.webhooks import selectors, services
from casework.webhooks.models import WebhookDelivery, WebhookSubscription
from permissions import policies
from permissions.authentication import PERSONS_ONLY

from ..base import CaseworkViewSet, principal_of, restrict_action, visible_or_404
from ..concurrency import if_match, record_etag, with_etag
from . import serializers as s


class WebhookViewSet(mixins.ListModelMixin, CaseworkViewSet):
    """Where the organisation's systems are told of changes, and which changes. Managed by a
    charity's supervisors and a force's police liaisons."""

    authentication_classes = PERSONS_ONLY
    queryset = WebhookSubscription.objects.none()
    permission_classes = [policies.Webhooks]
    output_serializer_class = s.WebhookOutput
    serializer_classes = {"create": s.WebhookInput, "partial_update": s.WebhookInput}
    cursor_ordering = ("-created_at", "-id")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def rows(self, *, principal, action):
        return selectors.subscriptions(principal=principal, action=action)

    @extend_schema(responses={200: s.WebhookOutput})
    def retrieve(self, request, pk=None):
        subscription = self.get_object()
        return with_etag(Response(self.output(subscription).data), record_etag(subscription))

    @extend_schema(request=s.WebhookInput, responses={201: s.WebhookWithSecretOutput})
    def create(self, request):
        """A new subscription. Its signing secret is in this answer and in no other (nor kept
        for a retried request): store it now. Not idempotent for that reason."""
        data = s.WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        subscription, secret = services.subscription_create(
            organisation=request.user.organisation, by=request.user, **data.validated_data
        )
        subscription.secret = secret
        return with_etag(
            Response(s.WebhookWithSecretOutput(subscription).data, status=status.HTTP_201_CREATED),
            record_etag(subscription),
        )

    @extend_schema(request=s.WebhookInput(partial=True), responses={200: s.WebhookOutput})
    def partial_update(self, request, pk=None):
        subscription = self.get_object()
        with if_match(request, subscription, what="webhook subscription"):
            data = s.WebhookInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            subscription = services.subscription_update(
                subscription=subscription, by=request.user, **data.validated_data
            )
        return with_etag(Response(self.output(subscription).data), record_etag(subscription))

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.subscription_delete(subscription=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: s.WebhookWithSecretOutput})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new signing secret, in this answer only. The previous one keeps signing beside it
        (deliveries carry both signatures) until ``previous_secret_signs_until``."""
        subscription, secret = services.subscription_rotate_secret(
            subscription=self.get_object(), by=request.user
        )
        subscription.secret = secret
        return with_etag(
            Response(s.WebhookWithSecretOutput(subscription).data), record_etag(subscription)
        )


WEBHOOK_ID = OpenApiParameter(
    "webhook_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The subscription."
)


@extend_schema_view(
    list=extend_schema(parameters=[WEBHOOK_ID]),
    retrieve=extend_schema(parameters=[WEBHOOK_ID]),
    redeliver=extend_schema(parameters=[WEBHOOK_ID]),
)
class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseworkViewSet):
    """A subscription's delivery log, newest first: status, attempts, the receiver's answer and
    how long it took. What a delivery carried is never kept."""

    authentication_classes = PERSONS_ONLY
    queryset = WebhookDelivery.objects.none()
    permission_classes = [policies.WebhookDeliveries]
    output_serializer_class = s.WebhookDeliveryOutput
    cursor_ordering = ("-created_at", "-id")
    http_method_names = ["get", "post", "head", "options"]

    def get_subscription(self) -> WebhookSubscription:
        if not hasattr(self, "_subscription"):
            visible = selectors.subscriptions(
                principal=principal_of(self.request), action=restrict_action(self.request)
            )
            self._subscription = visible_or_404(visible, self.kwargs["webhook_id"])
        return self._subscription

    def rows(self, *, principal, action):
        return selectors.deliveries(
            principal=principal, subscription_id=self.get_subscription().pk, action=action
        )

    @extend_schema(request=None, responses={202: s.WebhookDeliveryOutput})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, webhook_id=None, pk=None):
        """Sends the delivery again, with what the receiver may see now, under the same
        ``webhook-id``; its retries start again."""
        delivery = services.delivery_redeliver(delivery=self.get_object(), by=request.user)
        return Response(self.output(delivery).data, status=status.HTTP_202_ACCEPTED)
