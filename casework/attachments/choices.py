from django.db import models


class AttachmentKind(models.TextChoices):
    EVIDENCE = "evidence", "Evidence of the offence"
    COURT_OR_POLICE_LETTER = "court_or_police_letter", "A letter from a court or the police"
    STATEMENT = "statement", "A statement"
    PLAN = "plan", "A plan (support or safety)"
    OTHER = "other", "Other"


class FileFamily(models.TextChoices):
    """What the content turned out to be, from its bytes."""

    IMAGE = "image", "Image"
    PDF = "pdf", "PDF"
    TEXT = "text", "Plain text"
    OFFICE = "office", "Office document"
