from django.db import models


class HearingType(models.TextChoices):
    FIRST_HEARING = "first_hearing", "First hearing"
    PLEA_AND_TRIAL_PREPARATION = "plea_and_trial_preparation", "Plea and trial preparation"
    PRE_TRIAL_REVIEW = "pre_trial_review", "Pre-trial review"
    TRIAL = "trial", "Trial"
    SENTENCING = "sentencing", "Sentencing"
    APPEAL = "appeal", "Appeal"
    OTHER = "other", "Other"


class HearingStatus(models.TextChoices):
    LISTED = "listed", "Listed"
    ADJOURNED = "adjourned", "Adjourned"
    VACATED = "vacated", "Vacated"
    COMPLETED = "completed", "Completed"


class SpecialMeasure(models.TextChoices):
    SCREENS = "screens", "Screens"
    LIVE_LINK = "live_link", "Live link"
    EVIDENCE_IN_PRIVATE = "evidence_in_private", "Evidence given in private"
    REMOVAL_OF_WIGS_AND_GOWNS = "removal_of_wigs_and_gowns", "Removal of wigs and gowns"
    VIDEO_RECORDED_EVIDENCE_IN_CHIEF = (
        "video_recorded_evidence_in_chief",
        "Video-recorded evidence in chief",
    )
    PRE_RECORDED_CROSS_EXAMINATION = (
        "pre_recorded_cross_examination",
        "Pre-recorded cross-examination",
    )
    INTERMEDIARY = "intermediary", "Intermediary"
    COMMUNICATION_AIDS = "communication_aids", "Communication aids"


class JusticeDecisionKind(models.TextChoices):
    """Decisions a victim must be told about under the Victims' Code."""

    ARREST = "arrest", "Suspect arrested"
    RELEASE = "release", "Suspect released (on bail or under investigation)"
    CHARGE = "charge", "Suspect charged"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    FIRST_HEARING = "first_hearing", "First court hearing"
    VERDICT = "verdict", "Verdict"
    SENTENCE = "sentence", "Sentence"
    APPEAL = "appeal", "Appeal"


class EntitlementStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
