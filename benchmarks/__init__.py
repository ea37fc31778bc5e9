"""The project's benchmarks: ``python -m benchmarks [server|parser|judge|jobs|profile]``."""
