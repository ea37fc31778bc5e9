"""What an endpoint must do: the ``Contract`` model, read from contract files (TOML) and
OpenAPI documents, overridden by flags, and explained in words; no I/O but reading files."""
