"""The rights of the Victims' Code that a support service tracks: who owes each, what triggers
it, and by when it is due.

Source: the Code of Practice for Victims of Crime in England and Wales (Ministry of Justice,
2020, in force 1 April 2021), https://www.gov.uk/government/publications/the-code-of-practice-
for-victims-of-crime. Periods are in working days (``working_days.py``) counted from the day
after the trigger:

- Right 3, information when reporting the crime: within 5 working days of reporting, 1 under
  enhanced rights (paragraph 3.6). Provider: the police.
- Right 4, referral to services that support victims: within 2 working days of reporting, for
  every victim (paragraph 4.5). Provider: the police.
- Rights 6 and 9, told of decisions: per decision, 5 working days or 1 under enhanced rights
  (``victims_code.py``).
- Right 7, the offer of a Victim Personal Statement: before the offender is sentenced; the Code
  sets no period of days, so it falls due at sentencing. Provider: the police.
- Right 8, the trial, its dates and the witness's role: the time, date and place of a hearing
  within 1 working day, for every victim, of the Witness Care Unit hearing of it (paragraph
  8.1). Provider: the Witness Care Unit.
- Right 11, the Victim Contact Scheme: after a sentence of 12 months or more for a specified
  violent or sexual offence, referral to the Probation Service's scheme within 10 working days
  of sentencing. Provider: the Probation Service.
- Right 12, a complaint about a right not met: acknowledged and answered by the provider
  complained about, under its own procedure; the Code sets no period of days.
"""

from datetime import date

from casework.cases.lifecycles import JusticeStage

from .choices import EntitlementStatus, RightProvider, RightState, VictimRight
from .victims_code import working_days_allowed
from .working_days import add_working_days

# The rights opened once per case by a move along the justice pathway.
OPENED_BY_STAGE: dict[str, tuple[str, ...]] = {
    JusticeStage.REPORTED: (VictimRight.INFORMATION_ON_REPORTING, VictimRight.REFERRAL_TO_SUPPORT),
    JusticeStage.CHARGED: (VictimRight.PERSONAL_STATEMENT,),
}

PROVIDER: dict[str, str] = {
    VictimRight.INFORMATION_ON_REPORTING: RightProvider.POLICE,
    VictimRight.REFERRAL_TO_SUPPORT: RightProvider.POLICE,
    VictimRight.TOLD_OF_DECISION: RightProvider.POLICE,
    VictimRight.PERSONAL_STATEMENT: RightProvider.POLICE,
    VictimRight.TRIAL_INFORMATION: RightProvider.WITNESS_CARE_UNIT,
    VictimRight.VICTIM_CONTACT_SCHEME: RightProvider.PROBATION_SERVICE,
}

# Where the Code cites its period, for the reader of the API (and of this file).
PARAGRAPH: dict[str, str] = {
    VictimRight.INFORMATION_ON_REPORTING: "Right 3, paragraph 3.6",
    VictimRight.REFERRAL_TO_SUPPORT: "Right 4, paragraph 4.5",
    VictimRight.TOLD_OF_DECISION: "Rights 6 and 9",
    VictimRight.PERSONAL_STATEMENT: "Right 7",
    VictimRight.TRIAL_INFORMATION: "Right 8, paragraph 8.1",
    VictimRight.VICTIM_CONTACT_SCHEME: "Right 11",
    VictimRight.COMPLAINT: "Right 12",
}

# Rights recorded by hand (the others are opened by the case's own events).
RECORDED_BY_HAND = (VictimRight.VICTIM_CONTACT_SCHEME, VictimRight.COMPLAINT)

# Justice stages at or after sentencing: a Victim Personal Statement not offered by then is late.
SENTENCED = frozenset({JusticeStage.SENTENCED, JusticeStage.APPEAL})


def period(right: str, *, enhanced: bool) -> int | None:
    """The working days the Code allows for ``right``, or ``None`` where it sets none."""
    if right in (VictimRight.INFORMATION_ON_REPORTING, VictimRight.TOLD_OF_DECISION):
        return working_days_allowed(enhanced)
    fixed: dict[str, int] = {
        VictimRight.REFERRAL_TO_SUPPORT: 2,
        VictimRight.TRIAL_INFORMATION: 1,
        VictimRight.VICTIM_CONTACT_SCHEME: 10,
    }
    return fixed.get(right)


def due_on(right: str, triggered_on: date, *, enhanced: bool) -> date | None:
    """The day ``right`` falls due when triggered on ``triggered_on``: that many working days
    after it, weekends and bank holidays of England and Wales not counting."""
    days = period(right, enhanced=enhanced)
    return None if days is None else add_working_days(triggered_on, days)


def state(entitlement, *, today: date, justice_stage: str) -> str:
    """Met, due, overdue or not applicable, as the ISVA sees it today."""
    if entitlement.status == EntitlementStatus.MET:
        return RightState.MET
    if entitlement.status == EntitlementStatus.NOT_APPLICABLE:
        return RightState.NOT_APPLICABLE
    if entitlement.due_on is not None and entitlement.due_on < today:
        return RightState.OVERDUE
    if entitlement.right == VictimRight.PERSONAL_STATEMENT and justice_stage in SENTENCED:
        return RightState.OVERDUE
    return RightState.DUE
