"""The court process through the API: justice decisions and the Victims' Code entitlements they
open, hearings and their history, the caseload, the calendar feed, and what a sharing force sees.

Every due date below is worked out by hand from the calendar (weekends and the England and Wales
bank holidays), never by the code under test. Time is frozen: the clock starts on Wednesday
6 January 2027 and tests move it where they need another day."""
