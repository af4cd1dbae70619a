"""PeriodicData packets of one sine period each."""

from __future__ import annotations

import math
import time

from ma_support_lib.protos.open_data_pb2 import (
    DataStatus,
    DoubleSample,
    DoubleSampleList,
    PeriodicDataPacket,
    SampleColumn,
    SampleDataFormat,
)


class PeriodicPacketGenerator:
    """Each call returns the next packet: ``samples_per_packet`` samples of one sine period at
    ``frequency`` Hz, continuing where the previous packet ended. With ``real_time`` it waits
    until the packet's last sample is due, so a reader sees the data arrive at its own pace."""

    def __init__(
        self,
        frequency: float,
        data_format_id: int,
        first_timestamp: int,
        samples_per_packet: int = 100,
        real_time: bool = True,
    ) -> None:
        self._interval = int(1e9 / frequency)
        self._data_format_id = data_format_id
        self._next_timestamp = first_timestamp
        self._samples = samples_per_packet
        self._real_time = real_time

    def generate_packets(self) -> PeriodicDataPacket:
        step = 2 * math.pi / self._samples
        samples = [
            DoubleSample(value=math.sin(index * step), status=DataStatus.DATA_STATUS_VALID) for index in range(self._samples)
        ]
        packet = PeriodicDataPacket(
            data_format=SampleDataFormat(data_format_identifier=self._data_format_id),
            start_time=self._next_timestamp,
            interval=self._interval,
            columns=[SampleColumn(double_samples=DoubleSampleList(samples=samples))],
        )
        self._next_timestamp += self._interval * self._samples
        if self._real_time:
            delay = (self._next_timestamp - time.time_ns()) / 1e9
            if delay > 0:
                time.sleep(delay)
        return packet
