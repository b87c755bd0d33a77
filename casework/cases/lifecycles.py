"""The two lifecycles of a case, each an explicit transition table. A transition not listed here
is illegal: the service refuses it with a conflict and changes nothing."""

from django.db import models


class SupportStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    TRIAGE = "triage", "Triage"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    CLOSED = "closed", "Closed"


class JusticeStage(models.TextChoices):
    NONE = "none", "No police involvement"
    ANONYMOUS_INTELLIGENCE = "anonymous_intelligence", "Anonymous intelligence only"
    REPORTED = "reported", "Reported to police"
    UNDER_INVESTIGATION = "under_investigation", "Under investigation"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    CHARGED = "charged", "Charged"
    AWAITING_TRIAL = "awaiting_trial", "Awaiting trial"
    AT_TRIAL = "at_trial", "At trial"
    VERDICT = "verdict", "Verdict"
    SENTENCED = "sentenced", "Sentenced"
    APPEAL = "appeal", "Appeal"
    PROSECUTION_SUPPORT_WITHDRAWN = (
        "prosecution_support_withdrawn",
        "Support for prosecution withdrawn",
    )


S, J = SupportStatus, JusticeStage

SUPPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.REFERRED: frozenset({S.TRIAGE, S.ACTIVE, S.CLOSED}),
    S.TRIAGE: frozenset({S.ACTIVE, S.UNABLE_TO_CONTACT, S.CLOSED}),
    S.ACTIVE: frozenset({S.PAUSED, S.UNABLE_TO_CONTACT, S.CLOSED}),
    S.PAUSED: frozenset({S.ACTIVE, S.UNABLE_TO_CONTACT, S.CLOSED}),
    S.UNABLE_TO_CONTACT: frozenset({S.ACTIVE, S.CLOSED}),
    # Reopening: a closed case comes back as active, with a reason.
    S.CLOSED: frozenset({S.ACTIVE}),
}

# Stages from which a victim may withdraw support for a prosecution that is under way.
_WITHDRAWABLE = {J.REPORTED, J.UNDER_INVESTIGATION, J.CHARGED, J.AWAITING_TRIAL, J.AT_TRIAL}

JUSTICE_TRANSITIONS: dict[str, frozenset[str]] = {
    J.NONE: frozenset({J.ANONYMOUS_INTELLIGENCE, J.REPORTED}),
    J.ANONYMOUS_INTELLIGENCE: frozenset({J.REPORTED}),
    J.REPORTED: frozenset({J.UNDER_INVESTIGATION, J.NO_FURTHER_ACTION, J.CHARGED}),
    J.UNDER_INVESTIGATION: frozenset({J.NO_FURTHER_ACTION, J.CHARGED}),
    # The victim's right to review can reopen an investigation.
    J.NO_FURTHER_ACTION: frozenset({J.UNDER_INVESTIGATION}),
    J.CHARGED: frozenset({J.AWAITING_TRIAL, J.VERDICT}),
    J.AWAITING_TRIAL: frozenset({J.AT_TRIAL, J.VERDICT}),
    J.AT_TRIAL: frozenset({J.VERDICT}),
    J.VERDICT: frozenset({J.SENTENCED, J.APPEAL}),
    J.SENTENCED: frozenset({J.APPEAL}),
    J.APPEAL: frozenset({J.VERDICT, J.SENTENCED}),
    J.PROSECUTION_SUPPORT_WITHDRAWN: frozenset({J.REPORTED, J.UNDER_INVESTIGATION}),
}
for _stage in _WITHDRAWABLE:
    JUSTICE_TRANSITIONS[_stage] = JUSTICE_TRANSITIONS[_stage] | {J.PROSECUTION_SUPPORT_WITHDRAWN}

TRANSITIONS = {"support": SUPPORT_TRANSITIONS, "justice": JUSTICE_TRANSITIONS}
STATES = {"support": SupportStatus, "justice": JusticeStage}


def allowed(lifecycle: str, current: str) -> frozenset[str]:
    return TRANSITIONS[lifecycle].get(current, frozenset())


def is_allowed(lifecycle: str, current: str, target: str) -> bool:
    return target in allowed(lifecycle, current)
