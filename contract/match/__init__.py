"""The languages a contract is written in, pure: patterns over kind names, JSON Schema, JSON."""
