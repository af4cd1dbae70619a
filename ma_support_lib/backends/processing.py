"""Which engine runs the sample reader (buffering) and data reader (interpolation).

``StreamingApiConfiguration(processing=...)``, else the environment variable
``MA_SUPPORT_LIB_PROCESSING``, else the backend's default:

* ``"native"``: the backend's own services (``Backend.create_sample_reader_service`` /
  ``create_data_reader_service``); a backend without them refuses, naming the backend;
* ``"python"``: the numpy engine of :mod:`ma_support_lib.processing` over the backend's
  packet readers, on every backend;
* unset: ``Backend.default_processing`` (``grpc``: python; ``dotnet``: native).

Nothing falls back: if the chosen engine cannot be used, creating the service fails and says why.
"""

from __future__ import annotations

import os

from ..contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ..errors import ConfigurationError

PROCESSING_ENV = "MA_SUPPORT_LIB_PROCESSING"
ENGINES = ("native", "python")


def chosen_engine(configuration: StreamingApiConfiguration, default: str) -> str:
    """``"native"`` or ``"python"``, as the configuration, the environment or ``default`` say."""
    name = (configuration.processing or os.environ.get(PROCESSING_ENV) or default).strip().lower()
    if name not in ENGINES:
        raise ConfigurationError(f"unknown processing engine {name!r}; available: {', '.join(ENGINES)}")
    return name
