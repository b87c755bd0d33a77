"""Human case references, unique per organisation: POW-2026-00042."""

from django.db import connection
from django.utils import timezone

from casework.accounts.models import Organisation

# The table is CaseReferenceCounter's (checked by a test); a single statement takes the number.
UPSERT = """
    INSERT INTO cases_casereferencecounter (organisation_id, year, last_number)
    VALUES (%s, %s, 1)
    ON CONFLICT (organisation_id, year)
    DO UPDATE SET last_number = cases_casereferencecounter.last_number + 1
    RETURNING last_number
"""


def next_reference(organisation: Organisation) -> str:
    """Takes the next number for the organisation's current year, atomically: two cases opened at
    once get two numbers, and a rolled-back transaction gives its number back."""
    year = timezone.localdate().year
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [organisation.pk, year])
        (number,) = cursor.fetchone()
    return f"{organisation.code}-{year}-{number:05d}"
