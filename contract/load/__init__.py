"""Load mode: N concurrent clients, each stream judged by the core rules (docs/load.md)."""
