"""The clock the message tests start from, a client's routes, and the calls that plan and send
a message."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from casework.cases.models import Case
from casework.clients.models import ContactMethod
from casework.reminders.models import GatewayDelivery, OutboundMessage
from casework.reminders.tasks import send_message

from ...conftest import client_for
from ...factories import CLIENT_MOBILE, ContactLogEntryFactory, ContactMethodFactory

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 10, tzinfo=LONDON)  # Monday 2 March 2026, 10:00 GMT
WEEKDAYS_10_TO_4 = [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "10:00", "to": "16:00"}]


def route(case: Case, kind: str = "mobile", value: str = CLIENT_MOBILE, **options):
    return ContactMethodFactory(client=case.client, kind=kind, value=value, **options)


def messages_url(case: Case, tail: str = "") -> str:
    return f"/api/v1/cases/{case.pk}/messages/{tail}"


def plan(case: Case, *, user=None, **overrides):
    body = {
        "purpose": "appointment",
        "channel": "text",
        "body": "Your appointment is on Thursday at 11.",
        "send_after": (START + timedelta(hours=1)).isoformat(),
        **overrides,
    }
    return client_for(user or case.created_by).post(messages_url(case), body, format="json")


def planned(case: Case, **overrides) -> OutboundMessage:
    response = plan(case, **overrides)
    assert response.status_code == 201, response.json()
    return OutboundMessage.objects.get(pk=response.json()["id"])


def send(message: OutboundMessage) -> OutboundMessage:
    """What the worker does for a due message, run here."""
    send_message(str(message.pk))
    message.refresh_from_db()
    return message


def deliveries(message: OutboundMessage) -> int:
    return GatewayDelivery.objects.filter(message=message).count()


def fail_route(case: Case, method: ContactMethod, times: int = 1) -> None:
    for _ in range(times):
        ContactLogEntryFactory(
            case=case,
            recorded_by=case.created_by,
            occurred_at=timezone.now(),
            channel="phone_call",
            direction="outbound",
            outcome="number_unavailable",
            contact_method=method,
        )
