"""Retention and the client's rights over their data.

Retention: closed cases past their organisation's retention period are anonymised, field by
field: identities and free text go, the facts statistics need stay, the audit trail stays and
never held the removed text. A dry run lists what is due and changes nothing.

Subject rights, through the API: a supervisor exports everything held about a client (JSON, or a
ZIP with a readable summary), and erases a client on request, which a court case still open
refuses unless forced with a recorded reason."""
