"""Message gateways for tests, chosen by the ``MESSAGE_GATEWAY`` setting like any other.

They subclass the application's ``LoggingGateway`` and so keep its hand-over-once machinery
(``Gateway.deliver`` and the ``GatewayDelivery`` row); each replaces only ``hand_over``, the
provider's side."""

import os
import time
from pathlib import Path

from casework.reminders.gateway import DeliveryFailed, LoggingGateway
from casework.reminders.models import OutboundMessage


class RecordingGateway(LoggingGateway):
    """A provider that accepts every message at once."""

    name = "recording"

    def hand_over(self, message: OutboundMessage) -> str:
        return f"recorded:{message.pk}"


class RefusingGateway(LoggingGateway):
    """A provider that refuses every message as undeliverable (a dead number)."""

    name = "refusing"

    def hand_over(self, message: OutboundMessage) -> str:
        raise DeliveryFailed("The network reports the number is not in service.")


class SlowGateway(LoggingGateway):
    """A provider that takes ``SLOW_GATEWAY_SECONDS`` to answer before it accepts a message.

    On entering a hand-over it appends the message id to the file named by
    ``SLOW_GATEWAY_MARKER``, so a test knows the worker is in the middle of a send."""

    name = "slow"

    def hand_over(self, message: OutboundMessage) -> str:
        marker = os.environ.get("SLOW_GATEWAY_MARKER")
        if marker:
            with Path(marker).open("a") as file:
                file.write(f"{message.pk}\n")
        time.sleep(float(os.environ.get("SLOW_GATEWAY_SECONDS", "30")))
        return f"slow:{message.pk}"
