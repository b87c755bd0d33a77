"""HTTP in and out: serializers, viewsets and routes. No business rule lives here."""
