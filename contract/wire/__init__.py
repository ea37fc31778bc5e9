"""Bytes and events, both ways, with no I/O: the parser (and its byte path), the framing
scanner, the encoder, and where a planned drop falls in a body."""
