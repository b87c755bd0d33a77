"""Every change to referrals, cases and what is logged against them. Each service runs in one
transaction, locks what it changes, checks the rules, and writes its audit event."""
