"""``ma-stream-api demo``: a sine-wave session written to and read back from a live server.

Starts a server on the embedded log (``memory://`` unless ``--broker`` says otherwise),
creates a session, reads it live on one connection while writing PeriodicData packets on
another, ends the session and prints what arrived. Everything goes through real gRPC calls.
"""

from __future__ import annotations

import argparse
import math
import threading
import time

import grpc

from ..protos import api_pb2, api_pb2_grpc, open_data_pb2
from .app import running_server
from .config import ServerConfig

DATA_SOURCE = "DemoCar"
PARAMETERS = ("Sin:Demo", "Cos:Demo", "Speed:Demo")
#: The waveform of each parameter, as a function of the phase 2*pi*t.
SIGNALS = (math.sin, math.cos, lambda phase: 150 + 100 * math.sin(phase / 3))
SAMPLES_PER_PACKET = 100
RATE_HZ = 1000


def sine_packet(session_key: str, format_id: int, first_sample: int) -> open_data_pb2.Packet:
    """One PeriodicData packet: 100 samples at 1 kHz of each demo parameter."""
    columns = []
    for signal in SIGNALS:
        samples = [
            open_data_pb2.DoubleSample(value=signal(2 * math.pi * n / RATE_HZ), status=open_data_pb2.DATA_STATUS_VALID)
            for n in range(first_sample, first_sample + SAMPLES_PER_PACKET)
        ]
        columns.append(open_data_pb2.SampleColumn(double_samples=open_data_pb2.DoubleSampleList(samples=samples)))
    content = open_data_pb2.PeriodicDataPacket(
        data_format=open_data_pb2.SampleDataFormat(data_format_identifier=format_id),
        start_time=time.time_ns() + first_sample * 1_000_000,
        interval=1_000_000_000 // RATE_HZ,
        columns=columns,
    )
    return open_data_pb2.Packet(type="PeriodicData", session_key=session_key, content=content.SerializeToString())


def run(broker: str, packets: int) -> int:
    config = ServerConfig(broker_url=broker, stream_api_port=0, metrics_port=None, host="127.0.0.1")
    with running_server(config) as server, grpc.insecure_channel(server.address) as channel:
        print(f"Stream API listening on {server.address} (broker {broker})")
        sessions = api_pb2_grpc.SessionManagementServiceStub(channel)
        formats = api_pb2_grpc.DataFormatManagerServiceStub(channel)
        writer = api_pb2_grpc.PacketWriterServiceStub(channel)
        connections = api_pb2_grpc.ConnectionManagerServiceStub(channel)
        reader = api_pb2_grpc.PacketReaderServiceStub(channel)

        session = sessions.CreateSession(
            api_pb2.CreateSessionRequest(data_source=DATA_SOURCE, identifier="Sine demo", version=1), timeout=10
        )
        print(f"session {session.session_key} created")
        format_id = formats.GetParameterDataFormatId(
            api_pb2.GetParameterDataFormatIdRequest(data_source=DATA_SOURCE, parameters=PARAMETERS), timeout=10
        ).data_format_identifier
        connection = connections.NewConnection(
            api_pb2.NewConnectionRequest(
                details=api_pb2.ConnectionDetails(
                    data_source=DATA_SOURCE, session_key=session.session_key, main_offset=session.new_session.topic_partition_offsets[f"{DATA_SOURCE}:0"]
                )
            ),
            timeout=10,
        ).connection
        stream = reader.ReadDataPackets(
            api_pb2.ReadDataPacketsRequest(request=api_pb2.DataPacketRequest(connection=connection)),
        )
        received: list[open_data_pb2.PeriodicDataPacket] = []
        done = threading.Event()

        def read() -> None:
            try:
                for response in stream:
                    for item in response.response:
                        received.append(open_data_pb2.PeriodicDataPacket.FromString(item.packet.content))
                        if len(received) % max(1, packets // 5) == 0 or len(received) == packets:
                            print(f"  read {len(received):>5}/{packets} packets live")
                    if len(received) >= packets:
                        break
            except grpc.RpcError as exc:
                if exc.code() != grpc.StatusCode.CANCELLED:
                    raise
            finally:
                done.set()

        thread = threading.Thread(target=read, daemon=True)
        thread.start()
        started = time.perf_counter()
        requests = (
            api_pb2.WriteDataPacketsRequest(
                details=[
                    api_pb2.DataPacketDetails(
                        message=sine_packet(session.session_key, format_id, n * SAMPLES_PER_PACKET),
                        data_source=DATA_SOURCE,
                        session_key=session.session_key,
                    )
                ]
            )
            for n in range(packets)
        )
        writer.WriteDataPackets(requests, timeout=60)
        print(f"wrote {packets} packets ({packets * SAMPLES_PER_PACKET * len(PARAMETERS)} samples)")
        done.wait(timeout=30)
        stream.cancel()
        elapsed = time.perf_counter() - started
        sessions.EndSession(api_pb2.EndSessionRequest(data_source=DATA_SOURCE, session_key=session.session_key), timeout=10)
        info = sessions.GetSessionInfo(api_pb2.GetSessionInfoRequest(session_key=session.session_key), timeout=10)
        if received:
            first = received[0].columns[0].double_samples.samples
            print("first samples of Sin:Demo:", ", ".join(f"{s.value:+.3f}" for s in first[:8]), "...")
        print(
            f"received {len(received)}/{packets} packets in {elapsed:.2f} s; session complete: {info.is_complete}"
        )
        return 0 if len(received) == packets and info.is_complete else 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker", default="memory://", help="memory:// (default) or file://DIR")
    parser.add_argument("--packets", type=int, default=200, help="PeriodicData packets to write (default 200)")
