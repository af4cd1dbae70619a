"""Buffering and interpolation on numpy: the engine behind the sample and data readers.

It depends only on the public service interfaces (a packet reader's handlers and events, a
data format service), so it runs on any backend:

* :mod:`.decoding` packets to per-parameter arrays; :mod:`.window_buffer` / :mod:`.merge`
  the re-ordering window; :mod:`.sample_reader` the sample reader service;
* :mod:`.subscription` / :mod:`.data_reader` the data reader; :mod:`.processors` the
  built-in processors (default statistics, hold-last, linear);
* :mod:`.frames` DataFrames; :mod:`.historic` a whole session into a DataFrame;
  :mod:`.replay` a packet reader over packets at hand.
"""

from .data_reader import DataReaderService
from .frames import BatchCollector
from .historic import read_session_dataframe
from .processors import DefaultProcessor, HoldLastProcessor, LinearInterpolationProcessor
from .replay import ReplayPacketReader
from .sample_reader import SampleReaderService

__all__ = [
    "BatchCollector",
    "DataReaderService",
    "DefaultProcessor",
    "HoldLastProcessor",
    "LinearInterpolationProcessor",
    "ReplayPacketReader",
    "SampleReaderService",
    "read_session_dataframe",
]
