"""Errors that reach the user as one line, never as a traceback."""


class WardctlError(Exception):
    """A problem the user can fix; printed as `wardctl: <message>` with exit code 1."""
