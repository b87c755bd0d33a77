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
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class VictimRight(models.TextChoices):
    """The rights of the Victims' Code (England and Wales, 2020) that a support service tracks,
    by what the client is owed. ``told_of_decision`` is Rights 6 and 9 (told of decisions in the
    investigation, the prosecution and the case's outcome), kept per decision."""

    INFORMATION_ON_REPORTING = "information_on_reporting", "Right 3: information on reporting"
    REFERRAL_TO_SUPPORT = "referral_to_support", "Right 4: referral to support services"
    TOLD_OF_DECISION = "told_of_decision", "Rights 6 and 9: told of a decision"
    PERSONAL_STATEMENT = "personal_statement", "Right 7: offer of a Victim Personal Statement"
    TRIAL_INFORMATION = "trial_information", "Right 8: trial dates and the witness's role"
    VICTIM_CONTACT_SCHEME = "victim_contact_scheme", "Right 11: the Victim Contact Scheme"
    COMPLAINT = "complaint", "Right 12: a complaint acknowledged and answered"


class RightProvider(models.TextChoices):
    """Who owes the client an entitlement under the Code."""

    POLICE = "police", "Police"
    WITNESS_CARE_UNIT = "witness_care_unit", "Witness Care Unit"
    CPS = "cps", "Crown Prosecution Service"
    PROBATION_SERVICE = "probation_service", "Probation Service"
    COURT = "court", "HM Courts and Tribunals Service"
    YOUTH_OFFENDING_TEAM = "youth_offending_team", "Youth Offending Team"
    SUPPORT_SERVICE = "support_service", "A victim support service"


class RightState(models.TextChoices):
    """Where a right stands on a case, as the ISVA sees it."""

    MET = "met", "Met"
    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
