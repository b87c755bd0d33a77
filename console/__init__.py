"""The caseworker's console: server-rendered pages at ``/app/`` over the same selectors,
services and permission rules as the API, so no page can show or change more than the API would."""
