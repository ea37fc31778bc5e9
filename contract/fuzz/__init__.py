"""The resume fuzzer, a driver: Hypothesis draws plans of drops and reconnections."""
