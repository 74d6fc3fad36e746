"""consentry: consent-governed retention, deletion and training runs for AI assistant data."""

__version__ = "0.1.0"
