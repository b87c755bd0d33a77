from django.db import models


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second supervisor"
    APPROVED = "approved", "Approved and done"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn by the person who proposed it"
    EXPIRED = "expired", "Expired before anyone decided"


class ApprovalKind(models.TextChoices):
    """The actions that wait for a second person. Each has a handler registered in
    ``casework.approvals.registry`` by the area that owns the action."""

    CONSENT_OVERRIDE = "consent_override", "Share with police without the client's consent"
    FORCED_ERASURE = "forced_erasure", "Erase a client while a court case is open"
    RETENTION_SHORTENED = "retention_shortened", "Shorten a retention period"
    ALERT_PUBLICATION = "alert_publication", "Publish an alert to warn others"
