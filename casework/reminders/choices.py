from django.db import models


class ReminderKind(models.TextChoices):
    REVERIFY_CONTACT = "reverify_contact", "Contact details need re-verifying"
    NO_RECENT_CONTACT = "no_recent_contact", "No successful contact recently"
    CONTACT_FAILURES = "contact_failures", "Repeated failed attempts on every route"
    COURT_DATE = "court_date", "Court date coming up"
    CONSENT_REVIEW = "consent_review", "Consent due for review"
    POLICE_UPDATE_OVERDUE = "police_update_overdue", "Police update overdue on a shared case"
    MESSAGE_UNDELIVERABLE = "message_undeliverable", "A message to the client could not be sent"
    VICTIMS_CODE_OVERDUE = "victims_code_overdue", "A Victims' Code entitlement is overdue"
    WEBHOOK_PAUSED = "webhook_paused", "A webhook subscription was paused: its receiver fails"
    CONTACT_REQUEST = "contact_request", "Police ask to reach the client"
    CONTACT_REQUEST_OVERDUE = (
        "contact_request_overdue",
        "A police contact request is unanswered past the response time",
    )
    TELL_CLIENT_OF_OVERRIDE = (
        "tell_client_of_override",
        "Tell the client their case was shared with police without their consent",
    )
    RECORDS_REQUEST_OVERDUE = (
        "records_request_overdue",
        "A police request for records is waiting past the response time",
    )


class ReminderStatus(models.TextChoices):
    OPEN = "open", "Open"
    SNOOZED = "snoozed", "Snoozed"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled (its reason has gone)"


ACTIVE_STATUSES = (ReminderStatus.OPEN, ReminderStatus.SNOOZED)


class MessagePurpose(models.TextChoices):
    COURT_DATE = "court_date", "Court date"
    APPOINTMENT = "appointment", "Appointment"
    OTHER = "other", "Other"


class MessageChannel(models.TextChoices):
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    CALL = "call", "Phone call (voicemail)"


class MessageStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    UNDELIVERABLE = "undeliverable", "No safe route; handed to the caseworker"
    CANCELLED = "cancelled", "Cancelled"
