"""Database triggers shared by the append-only tables (audit trail, consent ledger, lifecycle
history). The database itself refuses the change: a bug, a data migration or a hand-typed SQL
statement gets an error, never a silent success."""

import pgtrigger


def append_only(prefix: str) -> list[pgtrigger.Trigger]:
    return [
        pgtrigger.Protect(
            name=f"{prefix}_append_only", operation=pgtrigger.Update | pgtrigger.Delete
        ),
        no_truncate(prefix),
    ]


def no_truncate(prefix: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=f"{prefix}_no_truncate",
        when=pgtrigger.Before,
        operation=pgtrigger.Truncate,
        level=pgtrigger.Statement,
        func="RAISE EXCEPTION 'pgtrigger: Cannot truncate the append-only table %', TG_TABLE_NAME;",
    )


def truncate_guards() -> list[str]:
    """URIs of every truncate guard, for the one sanctioned bypass: the test database flush."""
    from pgtrigger import registry

    return [
        f"{model._meta.label}:{trigger.name}"
        for model, trigger in registry.registered()
        if (trigger.name or "").endswith("_no_truncate")
    ]
