"""handouts: a month's political-study package → official-document handouts and sheets."""

__version__ = "0.1.0"
