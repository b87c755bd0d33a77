from celery import shared_task


@shared_task(name="casework.audit.tasks.export_audit_heads")
def export_audit_heads() -> dict:
    """Signs and exports the head of every audit chain (see ``casework.audit.heads``). Beat
    runs it every ``AUDIT_HEAD_EXPORT_MINUTES``; a missed run only widens the window a deleted
    tail could go unseen, and a doubled run writes the same heads twice."""
    from .heads import export_heads

    heads = export_heads()
    return {"chains": len(heads)}
