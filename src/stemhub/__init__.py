"""stemhub: software for stem cell resource centres."""

__version__ = "0.1.0"
