"""The /stream benchmark: the servers under test, the load generator, the measures."""
