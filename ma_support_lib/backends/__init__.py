"""Backends: what carries the library's calls.

The public services (``ma_support_lib.contracts``) are implemented once per backend:

* ``grpc`` (default): talks to a Stream API server over gRPC; without an address it runs our
  server in process over the log that ``broker_list`` names.
* ``dotnet``: drives the vendor's C# Support Library in process through pythonnet
  (:mod:`.dotnet`; needs the ``dotnet`` extra, a .NET runtime and the assemblies).

A backend is chosen by ``StreamingApiConfiguration(backend=...)``, else by the environment
variable ``MA_SUPPORT_LIB_BACKEND``, else ``grpc``: the default never changes with what is
installed, and a backend that cannot load raises ``BackendUnavailableError`` rather than
falling back to another.
"""

from __future__ import annotations

import os

from ..contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ..core.base.logger import ILogger
from ..errors import ConfigurationError
from .base import Backend

BACKEND_ENV = "MA_SUPPORT_LIB_BACKEND"
BACKENDS = ("grpc", "dotnet")


def create_backend(configuration: StreamingApiConfiguration, logger: ILogger) -> Backend:
    """The backend the configuration (or ``MA_SUPPORT_LIB_BACKEND``) selects."""
    name = (configuration.backend or os.environ.get(BACKEND_ENV) or "grpc").strip().lower()
    if name == "grpc":
        from .grpc.backend import GrpcBackend

        return GrpcBackend(configuration, logger)
    if name == "dotnet":
        from .dotnet.backend import DotnetBackend

        return DotnetBackend(configuration, logger)
    raise ConfigurationError(f"unknown backend {name!r}; available: {', '.join(BACKENDS)}")


__all__ = ["BACKEND_ENV", "Backend", "create_backend"]
