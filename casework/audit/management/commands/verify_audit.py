from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.audit.heads import Head, read_heads
from casework.audit.verification import chains, verify_chain


class Command(BaseCommand):
    help = (
        "Walk every organisation's audit chain and report the first broken link (a changed, "
        "removed or reordered event), checking each chain against its last exported head (a "
        "deleted tail or a rewritten chain). Exits non-zero when one is found, or when a line "
        "of the head file is not a head signed with an audit key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chain", help="check only this chain (an organisation id)")
        parser.add_argument(
            "--heads",
            help="the exported heads to check against (default: AUDIT_HEAD_EXPORT_PATH; "
            "an empty value checks the chains on their own)",
        )

    def handle(self, *args, chain=None, heads=None, **options):
        exported, refused = self._heads(settings.AUDIT_HEAD_EXPORT_PATH if heads is None else heads)
        broken = []
        total = 0
        names = [chain] if chain else sorted(set(chains()) | set(exported))
        for name in names:
            head = exported.get(name)
            checked, link = verify_chain(name, head=head)
            total += checked
            if link:
                broken.append(link)
                row = f" (row {link.event_id})" if link.event_id is not None else ""
                self.stdout.write(
                    f"BROKEN chain {link.chain} at event {link.sequence}{row}: {link.problem}"
                )
            else:
                self.stdout.write(f"ok     chain {name}: {checked} events{_against(head)}")
        if broken or refused:
            problems = [f"{len(broken)} broken chain(s)"] if broken else []
            if refused:
                problems.append(f"{refused} refused head line(s)")
            raise CommandError(f"{'; '.join(problems)}; {total} events verified before the breaks.")
        self.stdout.write(f"All audit chains intact ({total} events).")

    def _heads(self, path: str) -> tuple[dict[str, Head], int]:
        if not path:
            return {}, 0
        if not Path(path).exists():
            self.stdout.write(f"no exported heads at {path}; chains checked on their own")
            return {}, 0
        heads, refused = read_heads(path)
        for line in refused:
            self.stdout.write(f"REFUSED head line {line.number} of {path}: {line.reason}")
        return heads, len(refused)


def _against(head: Head | None) -> str:
    if head is None:
        return ""
    return f", matching its head exported at {head.exported_at} (event {head.sequence})"
