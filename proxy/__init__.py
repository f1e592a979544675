"""Responde: a local reply assistant for marketplace support agents."""

__version__ = "0.1.0"
