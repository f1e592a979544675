"""The local HTTP API (aiohttp)."""
