"""A whole historic session read into a DataFrame at a chosen frequency."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional

import pandas as pd
from tqdm import tqdm

from ..contracts.buffering.buffering_configuration import BufferingConfiguration
from ..contracts.buffering.sample_window import SampleWindow
from ..contracts.interpolation.i_subscription_processor import ISubscriptionProcessor
from ..contracts.shared.api_result import ApiResult
from ..contracts.shared.i_handler import IHandler
from ..errors import ConfigurationError, ReadingTimeoutError
from .frames import BatchCollector

if TYPE_CHECKING:
    from ..core.base.support_library import SupportLibrary


class _Progress(IHandler[SampleWindow]):
    def __init__(self, bar: Any) -> None:
        self._bar = bar

    def handle(self, obj: SampleWindow) -> None:
        self._bar.update(obj.sample_count)


def read_session_dataframe(
    library: SupportLibrary,
    data_source: str,
    session_key: str,
    parameter_identifiers: Sequence[str],
    frequency_hz: float,
    *,
    processor: Optional[ISubscriptionProcessor] = None,
    statistic: Optional[str] = None,
    progress: bool = True,
    buffering_window_length: int = 3000,
    timeout: Optional[float] = None,
) -> pd.DataFrame:
    """Read a session with a packet reader, sample reader and data reader, and return one
    column per parameter at ``frequency_hz`` (``statistic`` of the default processor, ``mean``
    unless given; or the ``value`` of ``processor``), indexed by interval start (UTC).

    ``library`` must be started. A progress bar (tqdm, on stderr) counts the samples read
    unless ``progress`` is false. Raises ``ConfigurationError`` when a service cannot be
    created or subscribed (the message says why), ``ReadingTimeoutError`` when reading has
    not finished after ``timeout`` seconds.
    """
    reader = _created(library.get_reading_packet_api().create_service(data_source, session_key))
    config = BufferingConfiguration(list(parameter_identifiers), buffering_window_length, 50)
    samples = _created(library.get_sample_reader_api().create_service(config))
    data = _created(library.get_data_reader_api().create_service())
    collector = BatchCollector()
    samples.set_reader_service(reader)
    data.set_sample_reader_service(samples)
    delivery = min(float(frequency_hz), 1.0) if isinstance(frequency_hz, (int, float)) else None
    _created(data.subscribe("dataframe", list(parameter_identifiers), frequency_hz, collector, delivery, processor))
    with tqdm(desc=f"reading {session_key[:8]}", unit=" samples", unit_scale=True, disable=not progress) as bar:
        samples.add_window_handler(_Progress(bar))
        for service in (data, samples, reader):
            service.initialise()
            service.start()
        try:
            if not reader.join(timeout):
                raise ReadingTimeoutError(f"reading session {session_key} did not finish within {timeout} s")
        finally:
            for service in (reader, samples, data):
                service.stop()
    return collector.to_dataframe(statistic)


def _created(result: ApiResult[Any]) -> Any:
    if not result.success or result.data is None:
        raise ConfigurationError(result.message)
    return result.data
