"""The gateways the application ships hand a message over and record it sent."""

from datetime import timedelta

import pytest

from casework.reminders.models import GatewayDelivery

from .world import START, planned, route, send

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("configured", ["logging", "email"])
def test_the_shipped_gateways_hand_a_text_message_over_and_record_it_sent(
    clock, case, provider, configured
):
    """The default gateway records that a text went; the email gateway does the same for a
    channel that is not email."""
    provider.MESSAGE_GATEWAY = configured
    mobile = route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    clock.move_to(START + timedelta(hours=1))
    message = send(message)
    assert (message.status, message.contact_method) == ("sent", mobile)
    [delivery] = GatewayDelivery.objects.filter(message=message)
    assert delivery.reference == f"log:{message.pk}"


@pytest.mark.parametrize(
    ("configured", "channel", "kind", "value", "backend"),
    [
        ("tests.support.gateways.RecordingGateway", "text", "mobile", "07700 900461", "recording"),
        ("email", "email", "email", "wren@example.net", "email"),
    ],
)
def test_the_delivery_records_which_gateway_accepted_the_message(
    clock, case, provider, configured, channel, kind, value, backend
):
    provider.MESSAGE_GATEWAY = configured
    route(case, kind=kind, value=value, preferred=True, safe_to_text=True)
    message = planned(case, channel=channel)
    clock.move_to(START + timedelta(hours=1))
    assert send(message).status == "sent"
    assert GatewayDelivery.objects.get(message=message).backend == backend


def test_the_email_gateway_sends_an_email_message_once_to_the_address_chosen_at_sending(
    clock, case, provider, mailoutbox
):
    provider.MESSAGE_GATEWAY = "email"
    route(case, kind="email", value="old@example.net", preferred=True, safe_to_text=True)
    message = planned(case, channel="email")
    new = route(case, kind="email", value="Wren@Example.net", preferred=True, safe_to_text=True)
    clock.move_to(START + timedelta(hours=1))
    message = send(message)
    send(message)
    assert (message.status, message.contact_method) == ("sent", new)
    [email] = mailoutbox
    assert email.to == ["wren@example.net"]
    assert email.body == "Your appointment is on Thursday at 11."
    assert email.extra_headers["Message-ID"] == f"<{message.pk}@casework>"
    assert GatewayDelivery.objects.get(message=message).reference == f"email:{message.pk}"
