"""Nothing reaches a client after their case closes or they are erased: what was planned is
cancelled, and what a gateway already took is recorded as sent."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import Case, ContactLogEntry
from casework.cases.services.cases import case_transition
from casework.privacy.anonymise import anonymise_case, anonymise_client
from casework.reminders.choices import ReminderKind
from casework.reminders.gateway import gateway
from casework.reminders.messages import message_claim, message_deliver
from casework.reminders.models import OutboundMessage, Reminder

from ...conftest import client_for
from .world import START, deliveries, messages_url, planned, route, send

pytestmark = pytest.mark.django_db


def close(case: Case, user) -> None:
    response = client_for(user).post(
        f"/api/v1/cases/{case.pk}/transitions/",
        {
            "lifecycle": "support",
            "to": "closed",
            "reason": "Support completed.",
            "closure_reason": "support_completed",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()


def cancellations(case: Case) -> dict[str, tuple]:
    """Message id -> (who, why) of the latest audited cancellation of each message of the case."""
    return {
        event.object_id: (event.actor_label, event.detail.get("reason"))
        for event in AuditEvent.objects.filter(action="message.cancel", case_id=case.pk).order_by(
            "id"
        )
    }


def test_closing_the_case_cancels_its_planned_messages_and_nothing_reappears(
    clock, case, caseworker
):
    route(case, preferred=True, safe_to_text=True)
    sent = send(planned(case, send_after=timezone.now().isoformat()))
    assert sent.status == "sent"
    soon, later = planned(case), planned(case, send_after=(START + timedelta(days=3)).isoformat())

    close(case, caseworker)

    listed = client_for(caseworker).get(messages_url(case)).json()["results"]
    assert {m["id"]: m["status"] for m in listed} == {
        str(sent.pk): "sent",
        str(soon.pk): "cancelled",
        str(later.pk): "cancelled",
    }
    assert cancellations(case) == {
        str(soon.pk): (caseworker.username, "case_closed"),
        str(later.pk): (caseworker.username, "case_closed"),
    }
    # Their times come and go; reopening the case brings none of them back.
    clock.move_to(START + timedelta(days=4))
    assert [send(m).status for m in (soon, later)] == ["cancelled", "cancelled"]
    case_transition(
        case=Case.objects.get(pk=case.pk),
        actor=caseworker,
        lifecycle="support",
        to="active",
        reason="She came back to us.",
    )
    assert [send(m).status for m in (soon, later)] == ["cancelled", "cancelled"]
    assert deliveries(soon) + deliveries(later) == 0
    assert ContactLogEntry.objects.filter(case=case).count() == 1  # the one that went


def test_erasing_the_client_cancels_the_messages_planned_to_them(clock, case, supervisor):
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    response = client_for(supervisor).post(
        f"/api/v1/clients/{case.client_id}/erase/",
        {"reason": "She asked by letter for everything to be erased."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    message.refresh_from_db()
    assert message.status == "cancelled"
    assert cancellations(case) == {str(message.pk): (supervisor.username, "case_closed")}
    clock.move_to(START + timedelta(hours=1))
    assert send(message).status == "cancelled"
    assert deliveries(message) == 0


def _anonymise_case(case: Case) -> None:
    anonymise_case(case, actor="retention", reason="retention")


def _anonymise_client(case: Case) -> None:
    anonymise_client(case.client, actor="retention", reason="retention")


@pytest.mark.parametrize(
    ("anonymise", "reason"),
    [(_anonymise_case, "case_anonymised"), (_anonymise_client, "client_anonymised")],
)
def test_anonymising_cancels_planned_messages(clock, case, anonymise, reason):
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    with transaction.atomic():
        anonymise(case)
    message.refresh_from_db()
    assert message.status == "cancelled"
    assert cancellations(case) == {str(message.pk): ("retention", reason)}
    clock.move_to(START + timedelta(hours=1))
    assert send(message).status == "cancelled"
    assert deliveries(message) == 0
    assert not Reminder.objects.filter(kind=ReminderKind.MESSAGE_UNDELIVERABLE).exists()


def test_a_message_claimed_before_the_case_closed_is_not_handed_over(clock, case, caseworker):
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    clock.move_to(START + timedelta(hours=1))
    assert message_claim(message.pk) is not None  # a worker picked it up ...

    close(case, caseworker)  # ... and the case closed before it reached the gateway

    assert message_deliver(message.pk) == "cancelled"
    message.refresh_from_db()
    assert (message.status, message.sent_at) == ("cancelled", None)
    assert deliveries(message) == 0
    assert not ContactLogEntry.objects.filter(case=case).exists()
    assert cancellations(case) == {str(message.pk): ("message sending", "case_closed")}
    assert message_deliver(message.pk) == "cancelled"


def test_a_message_the_gateway_already_took_is_recorded_sent_though_the_case_closed_since(
    clock, case, caseworker
):
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    clock.move_to(START + timedelta(hours=1))
    gateway().deliver(message_claim(message.pk))  # handed over; the worker died before recording
    close(case, caseworker)
    assert message_deliver(message.pk) == "sent"
    assert deliveries(message) == 1


def test_a_message_left_planned_on_a_closed_case_is_cancelled_when_it_falls_due(
    clock, case, caseworker
):
    """A message planned before closing cancelled messages, still planned on a closed case."""
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    close(case, caseworker)
    OutboundMessage.objects.filter(pk=message.pk).update(status="planned")
    clock.move_to(START + timedelta(hours=1))
    assert send(message).status == "cancelled"
    assert deliveries(message) == 0
    assert cancellations(case)[str(message.pk)] == ("message sending", "case_closed")
    assert not Reminder.objects.filter(kind=ReminderKind.MESSAGE_UNDELIVERABLE).exists()
