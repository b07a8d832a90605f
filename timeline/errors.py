"""Errors that reach the user as one clear line naming the file (and line) and the problem."""
from __future__ import annotations


class TimelineError(Exception):
    """Base class for errors the CLI and the app report without a traceback."""


class InputError(TimelineError):
    """A file or record that cannot be read: names the file, the line when known, and the problem."""

    def __init__(self, path: str | None, message: str, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        super().__init__(self.describe())

    def __reduce__(self):
        # picklable with its fields: errors travel to and from worker processes (the default
        # constructor call with self.args would lose `message` and fail in the worker)
        return (type(self), (self.path, self.message, self.line))

    def describe(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class StoreInUseError(TimelineError):
    """Another process holds the store."""
