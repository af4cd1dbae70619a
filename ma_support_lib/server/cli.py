"""``ma-stream-api``: run the Stream API server from the command line.

::

    ma-stream-api serve [--config PATH] [--broker URL] [--port N] [--host HOST]
                        [--metrics-port N | --no-metrics] [--log-level LEVEL]
    ma-stream-api demo [--broker URL] [--packets N]

Configuration comes from ``--config``, else ``$CONFIG_PATH`` (appended to the working
directory, as the reference host does), else ``./Configs/AppConfig.json`` if it exists. With
no configuration file at all, the broker is the in-memory log (``memory://``).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import logging
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from ..log import LogError
from .. import demo
from .app import StreamApiServer
from .config import DEFAULT_CONFIG_PATH, ConfigError, HostEnvironment, ServerConfig
from .start_listener import wait_for_start_request

#: Cyclic-GC thresholds of the server process. Every write allocates thousands of short-lived
#: message objects; the default thresholds make the collector run so often that it costs
#: about a third of the write throughput. The embedded server leaves its host's GC alone.
GC_THRESHOLDS = (100_000, 50, 100)

#: glibc malloc settings of the server process: ``(M_MMAP_THRESHOLD, M_TRIM_THRESHOLD)``.
#: Every write request passes through buffers of a megabyte or more (gRPC's receive buffers,
#: the request bytes, the parsed message). With glibc's adaptive defaults that memory keeps
#: going back to the kernel when it is freed, and the next request takes a page fault for
#: each of its pages again; on a virtual machine that can cost as much as the rest of
#: receiving the request. With these settings the process keeps up to 64 MiB of freed memory
#: per heap for reuse. Like the GC thresholds, only the ``serve`` process is tuned.
MALLOC_THRESHOLDS = (32 << 20, 64 << 20)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

#: The broker used when no configuration file exists.
DEFAULT_EMBEDDED_BROKER = "memory://"

log = logging.getLogger("ma_support_lib.server")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ma-stream-api", description="Stream API server (gRPC) over an embedded log or Apache Kafka.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the server until Ctrl+C or SIGTERM")
    serve.add_argument("--config", metavar="PATH", help="AppConfig.json to read (default: $CONFIG_PATH or ./Configs/AppConfig.json)")
    serve.add_argument("--broker", metavar="URL", help="overrides BrokerUrl: memory://, file://DIR, or a Kafka bootstrap list host:port[,host:port] (or kafka://host:port?librdkafka.property=value&...)")
    serve.add_argument("--port", type=int, metavar="N", help="overrides StreamApiPort; 0 picks a free port")
    serve.add_argument("--host", default="0.0.0.0", help="interface to listen on (default: all)")
    metrics = serve.add_mutually_exclusive_group()
    metrics.add_argument("--metrics-port", type=int, metavar="N", help="Prometheus port (default: $PROMETHEUS_METRIC_PORT or 2468); 0 picks a free port")
    metrics.add_argument("--no-metrics", action="store_true", help="do not serve /metrics")
    serve.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    demo_parser = commands.add_parser("demo", help="write a sine-wave session and read it back live")
    demo.add_arguments(demo_parser)
    demo_parser.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def load_config(args: argparse.Namespace, env: HostEnvironment) -> ServerConfig:
    """The configuration the command line and environment select."""
    path = args.config or env.config_path
    if path is None and Path(os.getcwd() + DEFAULT_CONFIG_PATH).is_file():
        path = os.getcwd() + DEFAULT_CONFIG_PATH
    if path is not None:
        config = ServerConfig.load(path)
    else:
        config = ServerConfig(broker_url=DEFAULT_EMBEDDED_BROKER)
    metrics_port: int | None = env.metrics_port if args.metrics_port is None else args.metrics_port
    config = config.with_overrides(broker_url=args.broker, stream_api_port=args.port, host=args.host)
    return replace(config, metrics_port=None if args.no_metrics else metrics_port)


def tune_malloc() -> bool:
    """Apply :data:`MALLOC_THRESHOLDS` if the C library is glibc; returns whether it was."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # another C library
        return False
    mmap_threshold, trim_threshold = MALLOC_THRESHOLDS
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and bool(mallopt(_M_TRIM_THRESHOLD, trim_threshold))


async def serve(config: ServerConfig, env: HostEnvironment) -> int:
    gc.set_threshold(*GC_THRESHOLDS)
    tune_malloc()
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows
            signal.signal(signum, lambda *_: loop.call_soon_threadsafe(stop.set))
    if not env.auto_start:
        if not await wait_for_start_request(env.listener_port, config.stream_api_port, stop):
            return 0
    server = StreamApiServer(config)
    try:
        await server.start()
    except BaseException:
        await server.stop(0)
        raise
    print(f"Stream API listening on {server.address} (broker {config.broker_url})", flush=True)
    if server.metrics_endpoint is not None:
        print(f"Prometheus metrics on {server.metrics_endpoint.address} (/metrics)", flush=True)
    await stop.wait()
    print("Stopping: finishing in-flight calls", flush=True)
    await server.stop()
    print("Stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "demo":
            return demo.run(args.broker, args.packets, args.rate)
        env = HostEnvironment.from_environ()
        config = load_config(args, env)
        return asyncio.run(serve(config, env))
    except (ConfigError, LogError, OSError) as exc:
        print(f"ma-stream-api: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
