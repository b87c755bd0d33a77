"""A narrow SECURITY DEFINER function through which the runtime role, which may not update the
consent ledger, wipes the notes of a case's consent decisions once the case is anonymised.

It runs as its owner (the owner role that migrates), with its search path pinned so that
nothing the caller creates can stand in for the tables it names. It changes only the note,
only of a case already marked anonymised, and returns how many notes it wiped. The append-only
trigger on the ledger still fires inside it; the caller steps past that with pgtrigger.ignore.
EXECUTE is taken from PUBLIC here and granted to the runtime role alone after every migrate."""

from django.db import migrations

CREATE = """
CREATE FUNCTION privacy_wipe_consent_notes(target_case uuid) RETURNS integer
LANGUAGE sql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    WITH wiped AS (
        UPDATE sharing_consentdecision AS decision
           SET note = NULL
         WHERE decision.case_id = target_case
           AND decision.note IS NOT NULL
           AND EXISTS (
               SELECT 1 FROM cases_case AS anonymised
                WHERE anonymised.id = target_case AND anonymised.anonymised_at IS NOT NULL
           )
        RETURNING 1
    )
    SELECT count(*)::integer FROM wiped
$$;
REVOKE ALL ON FUNCTION privacy_wipe_consent_notes(uuid) FROM PUBLIC;
"""

DROP = "DROP FUNCTION IF EXISTS privacy_wipe_consent_notes(uuid);"


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("cases", "0003_anonymised_at"),
        ("sharing", "0001_initial"),
    ]

    operations = [migrations.RunSQL(sql=CREATE, reverse_sql=DROP)]
