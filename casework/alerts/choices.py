from django.db import models


class AlertStatus(models.TextChoices):
    """An alert's life: draft, in review, published, then updated (a revision was approved and
    applied to it), retracted or expired. A revision is drafted and reviewed like an alert; once
    approved its content replaces the published alert's, which keeps its reference, and the
    revision itself is marked applied."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "Waiting for a second person's review"
    PUBLISHED = "published", "Published"
    UPDATED = "updated", "Published, then updated"
    RETRACTED = "retracted", "Retracted"
    EXPIRED = "expired", "Expired"
    APPLIED = "applied", "A revision, applied to the published alert it revised"


# What the charity's staff may still edit.
EDITABLE = frozenset({AlertStatus.DRAFT})
# What subscribers read in the feed (a retraction as such, without its content).
IN_FEED = frozenset({AlertStatus.PUBLISHED, AlertStatus.UPDATED, AlertStatus.RETRACTED})
# What the checker answers from.
LIVE = frozenset({AlertStatus.PUBLISHED, AlertStatus.UPDATED})


class IdentifierKind(models.TextChoices):
    PHONE = "phone", "Phone number"
    EMAIL = "email", "Email address"
    VEHICLE = "vehicle", "Vehicle registration"
    HANDLE = "handle", "Online handle or profile URL"


class RetractionReason(models.TextChoices):
    CONSENT_WITHDRAWN = "consent_withdrawn", "The person who reported withdrew warn_others"
    BY_STAFF = "by_staff", "Retracted by the charity"
    CASE_ANONYMISED = "case_anonymised", "The case was anonymised or its client erased"
