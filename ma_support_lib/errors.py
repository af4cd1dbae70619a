"""Exceptions the library raises.

::

    SupportLibraryError
    ├── ServiceStateError        a call in the wrong lifecycle state
    ├── ConfigurationError       a configuration that cannot work (names what to change)
    ├── BackendUnavailableError  the backend cannot be reached or loaded
    └── ReadingTimeoutError      a reader stopped after its inactivity timeout
"""

from __future__ import annotations


class SupportLibraryError(Exception):
    """Base class of the library's errors."""


class ServiceStateError(SupportLibraryError):
    """A service was used before ``initialise()``/``start()`` or after ``stop()``."""


class ConfigurationError(SupportLibraryError, ValueError):
    """A configuration the library cannot work with."""


class BackendUnavailableError(SupportLibraryError):
    """The Stream API server (or the .NET runtime) could not be reached or loaded."""


class ReadingTimeoutError(SupportLibraryError, TimeoutError):
    """No packet arrived within the reader's ``timeout_seconds``."""
