"""Peers: SSE servers built with libraries no one here wrote, and their contract files."""
