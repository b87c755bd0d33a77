"""Who is entitled to enhanced rights under the Victims' Code, and how soon they must be told.

The Code (England and Wales, 2020, Right 6 and its Annex) gives enhanced rights to victims of the
most serious crimes (sexual offences, modern slavery, coercive control and exploitation among
them), persistently targeted victims (stalking, harassment) and vulnerable or intimidated
victims. The number of working days comes from settings."""

from django.conf import settings

from casework.cases.choices import OffenceType

MOST_SERIOUS = frozenset(
    {
        OffenceType.SEXUAL_ASSAULT,
        OffenceType.RAPE,
        OffenceType.MODERN_SLAVERY,
        OffenceType.COERCION_OR_EXPLOITATION,
        OffenceType.HATE_CRIME,
    }
)
PERSISTENTLY_TARGETED = frozenset({OffenceType.STALKING, OffenceType.HARASSMENT})


def enhanced_rights(case) -> bool:
    offences = set(case.offence_types)
    vulnerable = bool(case.client.vulnerability_flags)
    return bool(offences & MOST_SERIOUS or offences & PERSISTENTLY_TARGETED or vulnerable)


def working_days_allowed(enhanced: bool) -> int:
    if enhanced:
        return settings.VICTIMS_CODE_WORKING_DAYS_ENHANCED
    return settings.VICTIMS_CODE_WORKING_DAYS_STANDARD
