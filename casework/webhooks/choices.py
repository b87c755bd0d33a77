"""The event catalogue: what an organisation's systems can be told, by kind of organisation.

A type is a promise to receivers (``share.started`` means the same thing for as long as its
version is 1); a change in what a payload holds is a new version, never a silent edit."""

from django.db import models

from casework.accounts.choices import OrganisationKind

EVENT_VERSION = 1


class EventType(models.TextChoices):
    # A charity's own systems.
    REFERRAL_RECEIVED = "referral.received", "A referral was received"
    CASE_ASSIGNED = "case.assigned", "A member of staff was assigned to a case"
    CONSENT_RECORDED = "consent.recorded", "A consent decision was recorded on a case"
    POLICE_UPDATE_POSTED = "police_update.posted", "A police force posted an update on a case"
    COURT_EVENT_CHANGED = "court_event.changed", "A hearing of a case was added or changed"
    REMINDER_DUE = "reminder.due", "A reminder fell due for a member of staff"
    # A police force's systems.
    SHARE_STARTED = "share.started", "A case was shared with the force"
    SHARE_ENDED = "share.ended", "A share with the force ended"
    SHARED_UPDATE_POSTED = "shared_update.posted", "An update was posted on a shared case"
    SHARED_COURT_EVENT_CHANGED = (
        "shared_court_event.changed",
        "A hearing of a shared case was added or changed",
    )


EVENTS_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.CHARITY: frozenset(
        {
            EventType.REFERRAL_RECEIVED,
            EventType.CASE_ASSIGNED,
            EventType.CONSENT_RECORDED,
            EventType.POLICE_UPDATE_POSTED,
            EventType.COURT_EVENT_CHANGED,
            EventType.REMINDER_DUE,
        }
    ),
    OrganisationKind.POLICE: frozenset(
        {
            EventType.SHARE_STARTED,
            EventType.SHARE_ENDED,
            EventType.SHARED_UPDATE_POSTED,
            EventType.SHARED_COURT_EVENT_CHANGED,
        }
    ),
}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting for its next attempt"
    DELIVERED = "delivered", "Delivered (the receiver answered 2xx)"
    FAILED = "failed", "Given up (retries ran out, or the receiver refused it)"
    WITHHELD = "withheld", "Not sent: nothing in it was the receiver's to see any more"


class PauseReason(models.TextChoices):
    FAILURES = "failures", "Too many deliveries failed in a row"
    GONE = "gone", "The receiver answered 410 Gone"
