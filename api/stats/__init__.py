"""Published statistics."""
