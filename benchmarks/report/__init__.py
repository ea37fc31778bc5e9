"""The one report writer: every benchmark's markdown, its header, tables and targets."""
