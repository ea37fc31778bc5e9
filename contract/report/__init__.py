"""A run's outcome for people (text) and machines (JSON)."""
