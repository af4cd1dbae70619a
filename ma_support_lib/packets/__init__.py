"""Open Data sample packets (PeriodicData, RowData, SynchroData) to and from numpy arrays.

Builders return the serialized packet content, byte-for-byte what the protobuf API's
``SerializeToString()`` gives for the same message, computed with numpy rather than one
Python object per sample::

    content = periodic_packet(format_id, start_time_ns, interval_ns, values)  # [params, samples]
    packet = wrap_packet("PeriodicData", content, session_key)

Decoders return :class:`SampleData`: int64 timestamps (ns) and per-parameter values and
statuses::

    samples = decode_packet(packet)
    samples.timestamps, samples.values[0], samples.statuses[0]

Bad builder input raises :class:`PacketBuildError`, bytes that are not a valid sample packet
:class:`PacketDecodeError` (both ``ValueError``).
"""

from .builders import VALID, periodic_packet, row_packet, synchro_packet
from .data_format import DataFormat, DataFormatLike
from .decoders import decode_content, decode_packet, decode_periodic, decode_rows, decode_synchro
from .envelope import SampleDataPacketType, wrap_packet
from .errors import PacketBuildError, PacketDecodeError
from .inputs import ColumnsLike, StatusesLike
from .sample_data import SampleData
from .sample_types import SampleType

__all__ = [
    "VALID",
    "ColumnsLike",
    "DataFormat",
    "DataFormatLike",
    "PacketBuildError",
    "PacketDecodeError",
    "SampleData",
    "SampleDataPacketType",
    "SampleType",
    "StatusesLike",
    "decode_content",
    "decode_packet",
    "decode_periodic",
    "decode_rows",
    "decode_synchro",
    "periodic_packet",
    "row_packet",
    "synchro_packet",
    "wrap_packet",
]
