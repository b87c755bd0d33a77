from django.db import models


class OffenceType(models.TextChoices):
    HARASSMENT = "harassment", "Harassment"
    MALICIOUS_COMMUNICATIONS = "malicious_communications", "Malicious communications"
    STALKING = "stalking", "Stalking"
    ROBBERY = "robbery", "Robbery"
    THEFT = "theft", "Theft"
    PHYSICAL_ASSAULT = "physical_assault", "Physical assault"
    SEXUAL_ASSAULT = "sexual_assault", "Sexual assault"
    RAPE = "rape", "Rape"
    COERCION_OR_EXPLOITATION = "coercion_or_exploitation", "Coercion or exploitation"
    MODERN_SLAVERY = "modern_slavery", "Modern slavery"
    HATE_CRIME = "hate_crime", "Hate crime"
    OTHER = "other", "Other"


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ReferralSource(models.TextChoices):
    SELF_REFERRAL = "self_referral", "Self-referral"
    NUM_REPORT = "num_report", "National Ugly Mugs report"
    OUTREACH = "outreach", "Outreach"
    POLICE = "police", "Police"
    HEALTH = "health", "Health service"
    OTHER_AGENCY = "other_agency", "Other agency"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    PRIORITY = "priority", "Priority (within 2 working days)"
    URGENT = "urgent", "Urgent (same day)"


class ReferralStatus(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class DeclineReason(models.TextChoices):
    OUT_OF_AREA = "out_of_area", "Out of area"
    NOT_ELIGIBLE = "not_eligible", "Not eligible for the service"
    DUPLICATE = "duplicate", "Duplicate of another referral"
    DECLINED_BY_PERSON = "declined_by_person", "The person declined support"
    REFERRED_ELSEWHERE = "referred_elsewhere", "Referred to another service"
    UNABLE_TO_CONTACT = "unable_to_contact", "No safe way to make contact"
    OTHER = "other", "Other"


class ClosureReason(models.TextChoices):
    SUPPORT_COMPLETED = "support_completed", "Support completed"
    CLIENT_WITHDREW = "client_withdrew", "Client withdrew from support"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    REFERRED_ON = "referred_on", "Referred on to another service"
    MOVED_AWAY = "moved_away", "Moved out of area"
    DECEASED = "deceased", "Deceased"
    OTHER = "other", "Other"


class Lifecycle(models.TextChoices):
    SUPPORT = "support", "Support status"
    JUSTICE = "justice", "Justice pathway"


class ContactChannel(models.TextChoices):
    PHONE_CALL = "phone_call", "Phone call"
    TEXT_MESSAGE = "text_message", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"
    VIDEO_CALL = "video_call", "Video call"
    VIA_THIRD_PARTY = "via_third_party", "Via a third party"
    OUTREACH = "outreach", "Outreach"
    OTHER = "other", "Other"


class ContactDirection(models.TextChoices):
    OUTBOUND = "outbound", "We contacted the client"
    INBOUND = "inbound", "The client contacted us"


class ContactOutcome(models.TextChoices):
    REACHED = "reached", "Reached"
    NO_ANSWER = "no_answer", "No answer"
    MESSAGE_LEFT = "message_left", "Message left"
    NUMBER_UNAVAILABLE = "number_unavailable", "Number unavailable"
    WRONG_PERSON = "wrong_person", "Wrong person"
    EMAIL_BOUNCED = "email_bounced", "Email bounced"
    MET_IN_PERSON = "met_in_person", "Met in person"
    OTHER = "other", "Other"


class NoteVisibility(models.TextChoices):
    INTERNAL = "internal", "Internal to the charity"
    SHARED = "shared", "Shared with police"


class AssignmentRole(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    ISVA = "isva", "ISVA"
    SUPERVISOR = "supervisor", "Supervisor"
