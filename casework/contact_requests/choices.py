from django.db import models


class ContactRequestPurpose(models.TextChoices):
    TAKE_STATEMENT = "take_statement", "Take a statement"
    SAFETY_WARNING = "safety_warning", "Give a safety warning"
    OFFENDER_INFORMATION = "offender_information", "Information about an offender"
    OTHER = "other", "Other"


class ContactRequestUrgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"


class PreferredContact(models.TextChoices):
    """How the force would like to speak to the person; the client decides how, if at all."""

    PHONE_CALL = "phone_call", "A phone call"
    MEETING = "meeting", "A meeting"
    AT_CHARITY = "at_charity", "At the charity"


class ContactRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the client's answer"
    AGREED = "agreed", "The client agreed"
    DECLINED = "declined", "The client declined"
    NOT_REACHABLE = "not_reachable", "The client could not be reached"
    WITHDRAWN = "withdrawn", "Withdrawn by the force"
    EXPIRED = "expired", "Its window ended unanswered"
    CLOSED = "closed", "Closed: the share it was made on ended"


# The client's answers, as a caseworker records them.
ANSWERS = (
    ContactRequestStatus.AGREED,
    ContactRequestStatus.DECLINED,
    ContactRequestStatus.NOT_REACHABLE,
)


class ContactRequestOutcome(models.TextChoices):
    """What a caseworker records: the client's answer."""

    AGREED = "agreed", "The client agreed"
    DECLINED = "declined", "The client declined"
    NOT_REACHABLE = "not_reachable", "The client could not be reached"


class AgreedRoute(models.TextChoices):
    """The route a client who agreed chose: one of their own contact methods marked as usable
    by police, through the charity (police contact the charity, which arranges it), or a meeting
    at the charity."""

    CONTACT_METHOD = "contact_method", "A contact method the client marked for police"
    THROUGH_CHARITY = "through_charity", "Through the charity"
    MEETING_AT_CHARITY = "meeting_at_charity", "A meeting at the charity"
