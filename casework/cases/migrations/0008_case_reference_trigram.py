import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# The list's search compares UPPER(reference) with LIKE '%...%'; a trigram index of that
# expression answers it without reading every case of the organisation. The index is written
# out here because the expression must stand bare before its operator class.
CREATE = 'CREATE INDEX "case_reference_trgm" ON "cases_case" USING gin (UPPER("reference") gin_trgm_ops)'


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_merge_referral_anonymised_at"),
    ]

    operations = [
        # pg_trgm is a trusted extension: the database's owner may create it.
        TrigramExtension(),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(CREATE, 'DROP INDEX IF EXISTS "case_reference_trgm"')
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name="case",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("reference"),
                            name="gin_trgm_ops",
                        ),
                        name="case_reference_trgm",
                    ),
                ),
            ],
        ),
    ]
