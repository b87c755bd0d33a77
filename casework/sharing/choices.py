from django.db import models


class ConsentScope(models.TextChoices):
    STORE_RECORDS = "store_records", "Store records"
    SHARE_ANONYMOUS_INTELLIGENCE = "share_anonymous_intelligence", "Share anonymous intelligence"
    SHARE_WITH_POLICE = "share_with_police", "Share with police (identified)"
    POLICE_MAY_CONTACT_DIRECTLY = "police_may_contact_directly", "Police may contact directly"
    SUPPORT_PROSECUTION = "support_prosecution", "Support a prosecution"
    WARN_OTHERS = "warn_others", "Warn others"


# Scopes whose decisions name the police force they are about.
POLICE_SCOPES = frozenset(
    {
        ConsentScope.SHARE_ANONYMOUS_INTELLIGENCE,
        ConsentScope.SHARE_WITH_POLICE,
        ConsentScope.POLICE_MAY_CONTACT_DIRECTLY,
    }
)


class DecisionKind(models.TextChoices):
    """A decision of the client's, or a safeguarding override of their consent (and its end).
    Only an approved proposal writes an override; no field a caller sends can."""

    CONSENT = "consent", "The client's decision"
    OVERRIDE = "override", "Shared without consent, on an approved override"
    OVERRIDE_END = "override_end", "An override ended before its expiry"


class OverrideGround(models.TextChoices):
    RISK_TO_LIFE = "risk_to_life", "Risk to life or of serious harm"
    PERSON_AT_RISK = "person_at_risk", "A child or an adult at risk"
    SERIOUS_CRIME = "serious_crime", "Prevention or detection of serious crime"


class OverrideState(models.TextChoices):
    IN_FORCE = "in_force", "In force"
    EXPIRED = "expired", "Expired"
    ENDED = "ended", "Ended by a supervisor, or by the client's consent"


class SharedUnder(models.TextChoices):
    CONSENT = "consent", "The client's consent"
    OVERRIDE = "override", "A safeguarding override of the client's consent"


# Days an override lasts from its approval: by default, and at most.
OVERRIDE_DEFAULT_DAYS = 7
OVERRIDE_MAX_DAYS = 30


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbal"
    WRITTEN = "written", "Written"
    ELECTRONIC = "electronic", "Electronic"


class SharingLevel(models.TextChoices):
    ANONYMOUS = "anonymous", "Anonymous intelligence: incident facts only"
    IDENTIFIED = "identified", "Identified"


class ShareStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class InvestigationStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ASSESSING = "assessing", "Assessing the report"
    INVESTIGATING = "investigating", "Investigating"
    SUSPECT_IDENTIFIED = "suspect_identified", "Suspect identified"
    SUSPECT_ARRESTED = "suspect_arrested", "Suspect arrested"
    FILE_WITH_CPS = "file_with_cps", "File with the CPS"
    CLOSED = "closed", "Investigation closed"


class ChargingDecision(models.TextChoices):
    PENDING = "pending", "Pending"
    CHARGED = "charged", "Charged"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    OUT_OF_COURT = "out_of_court", "Out-of-court disposal"


class UpdateKind(models.TextChoices):
    INVESTIGATION = "investigation", "Investigation update"
    COURT = "court", "Court update"
    SUPPORT = "support", "Support update from the charity"
    PROSECUTION_SUPPORT_WITHDRAWN = (
        "prosecution_support_withdrawn",
        "Support for prosecution withdrawn",
    )


class PoliceUpdateKind(models.TextChoices):
    """What a police liaison may post across a share."""

    INVESTIGATION = "investigation", "Investigation update"
    COURT = "court", "Court update"


class ConsentState(models.TextChoices):
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused or withdrawn"
    LAPSED = "lapsed", "Granted, but the review date passed without renewal"
    NOT_ASKED = "not_asked", "Not asked yet"


class ContactRoute(models.TextChoices):
    DIRECT = "direct", "Contact the client directly, by the route given"
    THROUGH_CHARITY = "through_charity", "Contact through the client's caseworker"
