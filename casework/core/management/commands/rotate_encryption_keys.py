from django.core.management.base import BaseCommand, CommandError

from casework.core.database_roles import DatabaseRoleError, as_owner
from casework.crypto.keyring import keyring
from casework.crypto.rotation import key_usage, rotate, tables_not_writable


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the primary key (the first entry of "
        "FIELD_ENCRYPTION_KEYS), in batches, while the service runs. Safe to stop and run again. "
        "--status only reports how many values each key sealed; a key with none can be removed "
        "from FIELD_ENCRYPTION_KEYS. Runs as the database owner (DATABASE_OWNER_URL): it rewrites "
        "the consent ledger, which the application's role may not change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--status", action="store_true", help="report key usage only")

    def handle(self, *args, batch_size=500, status=False, **options):
        primary = keyring().primary_id
        if not status:
            try:
                with as_owner():
                    self._rotate(primary, batch_size)
            except DatabaseRoleError as error:
                raise CommandError(str(error)) from error
        usage = key_usage()
        # Every key of the keyring, those sealing nothing too (they can be retired), and any
        # key id found in the data but missing from the keyring (its values cannot be read).
        for key_id in sorted(set(keyring().keys) | set(usage)):
            marker = " (primary)" if key_id == primary else ""
            missing = "" if key_id in keyring().keys else " (NOT IN THE KEYRING)"
            self.stdout.write(f"key {key_id}{marker}: {usage.get(key_id, 0)} value(s){missing}")

    def _rotate(self, primary: str, batch_size: int) -> None:
        refused = tables_not_writable()
        if refused:
            raise CommandError(
                f"The database role in use may not change {', '.join(refused)}, so it cannot "
                "re-encrypt what they hold. Run rotate_encryption_keys as the database owner, with "
                "DATABASE_OWNER_URL naming the owner's connection (with Docker, "
                "'docker compose -f docker/compose.yaml run --rm migrate python manage.py "
                "rotate_encryption_keys')."
            )
        total = 0
        for label, rows in rotate(batch_size=batch_size):
            total += rows
            self.stdout.write(f"re-encrypted {rows} row(s) of {label}")
        self.stdout.write(f"Re-encrypted {total} row(s) under key {primary}.")
