from django.core.management.base import BaseCommand

from casework.privacy.retention import apply, preview, preview_unconverted


class Command(BaseCommand):
    help = (
        "Anonymise closed cases older than their organisation's retention period (default six "
        "years), and referrals declined or never accepted and clients who never had a case "
        "after the organisation's shorter period (default 12 months). --dry-run lists what "
        "would go and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, dry_run=False, batch_size=200, **options):
        due = preview()
        for item in due:
            self.stdout.write(
                f"{'would anonymise' if dry_run else 'anonymising'} {item.reference} "
                f"({item.organisation}), closed {item.closed_at:%Y-%m-%d}"
            )
        unconverted = preview_unconverted()
        for record in unconverted:
            self.stdout.write(
                f"{'would anonymise' if dry_run else 'anonymising'} {record.kind} {record.id} "
                f"({record.organisation}), {record.why} since {record.since:%Y-%m-%d}"
            )
        if dry_run:
            referrals = sum(r.kind == "referral" for r in unconverted)
            self.stdout.write(
                f"{len(due)} case(s), {referrals} referral(s) and "
                f"{len(unconverted) - referrals} client(s) without a case due; nothing changed "
                "(dry run)."
            )
            return
        done = {"cases": 0, "clients": 0, "referrals": 0}
        while True:
            result = apply(batch_size=batch_size)
            done = {k: done[k] + result[k] for k in done}
            if max(result["cases"], result["referrals"], result["clients_without_a_case"]) < (
                batch_size
            ):
                break
        self.stdout.write(
            f"Anonymised {done['cases']} case(s), {done['referrals']} referral(s) and "
            f"{done['clients']} client(s)."
        )
