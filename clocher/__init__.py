"""Clocher: mutualised digital public services for French communes."""

__version__ = "0.1.0"
