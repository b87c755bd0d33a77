"""Cases: opening, finding, editing under If-Match, moving along the two lifecycles, and who is
assigned. Every case is visible to its assigned staff and its charity's supervisors only."""
