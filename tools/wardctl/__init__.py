"""wardctl: roll the city's ward offices online, ward by ward, and report back."""

__version__ = "0.1.0"
