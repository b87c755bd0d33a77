"""Who may open each page of the console (``/app/``): the same rules as the API's policies, page
by page. A page this map does not name is closed, and a page the caller may not open answers 404
exactly as one that does not exist, so a police officer learns nothing of the charity's pages."""

from casework.accounts import principals
from casework.accounts.principals import Caller

from . import rules
from .policies import _enrolment_pending
from .rules import Rule

_staff = rules.charity_staff

PAGES: dict[str, Rule] = {
    # Every person: the start page sends each to their own.
    "home": rules.any_person,
    # Setting up two-factor sign-in: every person, as the API's TwoFactor policy allows.
    "two_factor": rules.any_person,
    # Charity staff (caseworkers, ISVAs, supervisors), as the API's Caseload, Cases, Clients,
    # Contacts, Consents and Reminders policies allow them.
    "caseload": _staff,
    "case": _staff,
    "identity": _staff,
    "contact_log": _staff,
    "referral_new": _staff,
    "referral": _staff,
    "reminder_complete": _staff,
    "reminder_snooze": _staff,
    # Supervisors: the team's caseload, the reminders escalated to them and their staff.
    "team": rules.supervisor,
    "escalated": rules.supervisor,
    "staff": rules.supervisor,
    # Police liaison officers, as the SharedCases and SharedUpdates policies allow them.
    "shared_cases": rules.police_liaison,
    "shared_case": rules.police_liaison,
    "shared_update": rules.police_liaison,
}


def may_open(page: str, principal: Caller | None, *, during_enrolment: bool = False) -> bool:
    """Whether ``principal`` may open ``page``: a person whose rule allows it, and who has set up
    two-factor sign-in where their organisation requires it (unless the page is one that lets
    them set it up)."""
    person = principals.person(principal)
    if person is None or not PAGES.get(page, rules.nobody)(person):
        return False
    return during_enrolment or not _enrolment_pending(person)


def enrolment_pending(principal: Caller | None) -> bool:
    """The organisation requires two-factor sign-in and this person has not set it up."""
    person = principals.person(principal)
    return person is not None and _enrolment_pending(person)
