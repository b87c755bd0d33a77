from django.db import models


class WorkSetting(models.TextChoices):
    STREET = "street", "Street"
    INDOOR = "indoor", "Indoor (flat, parlour, sauna)"
    ONLINE = "online", "Online or webcam"
    ESCORT = "escort", "Escort"
    OTHER = "other", "Other"


class VulnerabilityFlag(models.TextChoices):
    NO_FIXED_ADDRESS = "no_fixed_address", "No fixed address"
    SUBSTANCE_USE = "substance_use", "Substance use"
    INSECURE_IMMIGRATION_STATUS = "insecure_immigration_status", "Insecure immigration status"
    MENTAL_HEALTH = "mental_health", "Mental health"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    PHYSICAL_DISABILITY = "physical_disability", "Physical disability"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    EXPLOITATION = "exploitation", "Coercion or exploitation"
    PREGNANCY = "pregnancy", "Pregnancy"
    CARING_RESPONSIBILITIES = "caring_responsibilities", "Caring responsibilities"
    OTHER = "other", "Other"


class ContactKind(models.TextChoices):
    MOBILE = "mobile", "Mobile phone"
    LANDLINE = "landline", "Landline"
    EMAIL = "email", "Email"
    POSTAL_ADDRESS = "postal_address", "Postal address"
    THIRD_PARTY = "third_party", "Via a named third party"
    OUTREACH_LOCATION = "outreach_location", "Outreach location"


PHONE_KINDS = frozenset({ContactKind.MOBILE, ContactKind.LANDLINE})
LOOKUP_KINDS = PHONE_KINDS | {ContactKind.EMAIL}
# Only a phone or an email may be given to police: an address, a third party or an outreach
# location would tell them where the client lives, who they trust or where they work.
POLICE_ROUTE_KINDS = PHONE_KINDS | {ContactKind.EMAIL}
# The same, as the choices of a field (one enumeration in the schema wherever a route is shown).
POLICE_ROUTE_KIND_CHOICES = [
    (k, label) for k, label in ContactKind.choices if k in POLICE_ROUTE_KINDS
]


class ContactStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    VERIFIED = "verified", "Verified"
    FAILING = "failing", "Failing"
    DEAD = "dead", "Dead"
    RETIRED = "retired", "Retired"


CURRENT_STATUSES = frozenset(
    {ContactStatus.UNVERIFIED, ContactStatus.VERIFIED, ContactStatus.FAILING}
)
# Current and not failing: a route worth giving to someone outside the charity.
WORKING_STATUSES = frozenset({ContactStatus.UNVERIFIED, ContactStatus.VERIFIED})


class Weekday(models.TextChoices):
    MON = "mon", "Monday"
    TUE = "tue", "Tuesday"
    WED = "wed", "Wednesday"
    THU = "thu", "Thursday"
    FRI = "fri", "Friday"
    SAT = "sat", "Saturday"
    SUN = "sun", "Sunday"
