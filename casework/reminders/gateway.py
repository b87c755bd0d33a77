"""Where messages to clients leave Casework. A gateway hands a message over once: its
``GatewayDelivery`` row, unique per message, is written in the same transaction as the
hand-over is recorded, so a retry or a recovery never hands the same message over twice."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from casework.clients.choices import ContactKind

from .models import GatewayDelivery, OutboundMessage

logger = logging.getLogger("casework.messages")


class DeliveryFailed(Exception):
    """The route refused the message (a bounced address, a dead number): do not retry."""


class TemporaryFailure(Exception):
    """The gateway could not be reached; the same message may be tried again later."""


class Gateway:
    name = "base"

    def deliver(self, message: OutboundMessage) -> GatewayDelivery:
        """Hands the message over at most once; returns the record of the hand-over."""
        existing = GatewayDelivery.objects.filter(message=message).first()
        if existing is not None:
            return existing
        with transaction.atomic():
            try:
                delivery = GatewayDelivery.objects.create(
                    message=message, backend=self.name, accepted_at=timezone.now()
                )
            except IntegrityError:
                return GatewayDelivery.objects.get(message=message)
            delivery.reference = self.hand_over(message) or ""
            delivery.save(update_fields=["reference"])
        return delivery

    def hand_over(self, message: OutboundMessage) -> str:
        raise NotImplementedError


class LoggingGateway(Gateway):
    """Records that the message went, without its content. The default, for development and for
    services with no SMS provider."""

    name = "logging"

    def hand_over(self, message: OutboundMessage) -> str:
        logger.info(
            "message handed over",
            extra={
                "message_id": str(message.pk),
                "channel": message.channel,
                "contact_method": str(message.contact_method_id),
            },
        )
        return f"log:{message.pk}"


class EmailGateway(LoggingGateway):
    """Email routes go by Django's email backend; other channels are recorded as the logging
    gateway does. The Message-ID is derived from the message, so a receiving server can drop a
    duplicate if an SMTP hand-over is ever repeated."""

    name = "email"

    def hand_over(self, message: OutboundMessage) -> str:
        method = message.contact_method
        if method is None or method.kind != ContactKind.EMAIL:
            return super().hand_over(message)
        email = EmailMessage(
            subject="A message from your support worker",
            body=message.body,
            to=[method.value],
            headers={"Message-ID": f"<{message.pk}@casework>"},
        )
        try:
            email.send(fail_silently=False)
        except (ConnectionError, TimeoutError, OSError) as error:
            raise TemporaryFailure(str(error)) from error
        except Exception as error:
            raise DeliveryFailed(type(error).__name__) from error
        return f"email:{message.pk}"


GATEWAYS = {"logging": LoggingGateway, "email": EmailGateway}


def gateway() -> Gateway:
    """The configured gateway: a name from ``GATEWAYS`` or a dotted path to a Gateway class."""
    configured = settings.MESSAGE_GATEWAY
    cls = GATEWAYS.get(configured) or import_string(configured)
    return cls()
