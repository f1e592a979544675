"""Detectors of personal data in free text (linear time), used by proxy.redact."""
