from django.core.management.base import BaseCommand

from casework.crypto.keyring import keyring
from casework.crypto.rotation import key_usage, rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the primary key (the first entry of "
        "FIELD_ENCRYPTION_KEYS), in batches, while the service runs. Safe to stop and run again. "
        "--status only reports how many values each key sealed; a key with none can be removed "
        "from FIELD_ENCRYPTION_KEYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--status", action="store_true", help="report key usage only")

    def handle(self, *args, batch_size=500, status=False, **options):
        primary = keyring().primary_id
        if not status:
            total = 0
            for label, rows in rotate(batch_size=batch_size):
                total += rows
                self.stdout.write(f"re-encrypted {rows} row(s) of {label}")
            self.stdout.write(f"Re-encrypted {total} row(s) under key {primary}.")
        usage = key_usage()
        # Every key of the keyring, those sealing nothing too (they can be retired), and any
        # key id found in the data but missing from the keyring (its values cannot be read).
        for key_id in sorted(set(keyring().keys) | set(usage)):
            marker = " (primary)" if key_id == primary else ""
            missing = "" if key_id in keyring().keys else " (NOT IN THE KEYRING)"
            self.stdout.write(f"key {key_id}{marker}: {usage.get(key_id, 0)} value(s){missing}")
