from django.core.management.base import BaseCommand

from casework.alerts.identifiers import checker_keys
from casework.alerts.services import hash_key_usage, rehash_identifiers


class Command(BaseCommand):
    help = (
        "Re-hash every alert identifier under the primary checker key (the first entry of "
        "CHECKER_HASH_KEYS), in batches, while the service runs; the checker matches under every "
        "listed key meanwhile. Safe to stop and run again. --status only reports how many "
        "identifiers each key hashed; a key with none can be removed from CHECKER_HASH_KEYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--status", action="store_true", help="report key usage only")

    def handle(self, *args, batch_size=500, status=False, **options):
        keys = checker_keys()
        if not status:
            self.stdout.write(
                f"re-hashed {rehash_identifiers(batch_size=batch_size)} identifier(s)"
            )
        usage = hash_key_usage()
        for key_id in sorted(set(keys.keys) | set(usage)):
            marker = " (primary)" if key_id == keys.primary_id else ""
            missing = "" if key_id in keys.keys else " (NOT IN CHECKER_HASH_KEYS)"
            self.stdout.write(
                f"key {key_id}{marker}: {usage.get(key_id, 0)} identifier(s){missing}"
            )
