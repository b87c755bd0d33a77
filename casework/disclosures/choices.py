from django.db import models


class DisclosureKind(models.TextChoices):
    """What left the charity. A consent override, a webhook delivery, the answer to a police
    contact request and an attachment shared with a force are recorded through the same service
    as the kinds written here."""

    ANONYMOUS_INTELLIGENCE = "anonymous_intelligence", "Anonymous intelligence (a share's view)"
    SHARED_CASE = "shared_case", "An identified share's view"
    RECORDS_RELEASE = "records_release", "Records released on a police request"
    WEBHOOK_DELIVERY = "webhook_delivery", "A webhook delivery"
    CONTACT_REQUEST_ANSWER = "contact_request_answer", "The answer to a police contact request"
    SHARED_ATTACHMENT = "shared_attachment", "An attachment shared on an identified share"


class RecordsRequestStatus(models.TextChoices):
    AWAITING_DECISION = "awaiting_decision", "Awaiting the charity's decision"
    RELEASED = "released", "Released in full"
    PARTLY_RELEASED = "partly_released", "Released in part"
    REFUSED = "refused", "Refused"


class RecordsDecision(models.TextChoices):
    RELEASE_ALL = "release_all", "Release all that was asked for"
    RELEASE_PART = "release_part", "Release part of what was asked for"
    REFUSE = "refuse", "Refuse"


STATUS_OF_DECISION = {
    RecordsDecision.RELEASE_ALL: RecordsRequestStatus.RELEASED,
    RecordsDecision.RELEASE_PART: RecordsRequestStatus.PARTLY_RELEASED,
    RecordsDecision.REFUSE: RecordsRequestStatus.REFUSED,
}


class ReleasedRecordKind(models.TextChoices):
    """The charity's records a release may choose from, by id."""

    NOTE = "note", "Note"
    CONTACT_LOG_ENTRY = "contact_log_entry", "Contact log entry"
