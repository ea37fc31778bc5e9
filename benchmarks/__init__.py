"""Benchmarks of this server against the FastAPI original and plain aiohttp-sse."""
