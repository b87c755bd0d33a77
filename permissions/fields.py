"""Which parts of a case a police force sees, by sharing level and consent scope.

The shared-case serializer asks this module, and only renders the sections it names; anything
not listed here (internal notes, contact log, support plan, risk, address) has no section and so
no way into a police response."""

from casework.sharing.choices import SharingLevel
from casework.sharing.models import SharedCase

INCIDENT = "incident"  # share reference, offence types, incident month, area from the list
INCIDENT_DAY = "incident_day"  # the incident's full date (anonymous intelligence: the month)
JUSTICE = "justice"  # justice pathway, police involvement, court events, shared updates
IDENTITY = "identity"  # pseudonym, legal name, date of birth, pronouns, languages
DIRECT_CONTACT = "direct_contact"  # the client's own preferred route
CONTACT_THROUGH = "contact_through"  # the assigned caseworker at the charity

SECTIONS_BY_LEVEL: dict[str, frozenset[str]] = {
    SharingLevel.ANONYMOUS: frozenset({INCIDENT}),
    SharingLevel.IDENTIFIED: frozenset(
        {INCIDENT, INCIDENT_DAY, JUSTICE, IDENTITY, CONTACT_THROUGH}
    ),
}


def shared_sections(level: str, *, contact_directly: bool) -> frozenset[str]:
    sections = SECTIONS_BY_LEVEL.get(level, frozenset[str]())
    if level == SharingLevel.IDENTIFIED and contact_directly:
        sections = (sections - {CONTACT_THROUGH}) | {DIRECT_CONTACT}
    return sections


def share_allows(share: SharedCase, section: str) -> bool:
    return section in shared_sections(share.level, contact_directly=share.contact_directly)
