"""Sample writer: one sine-wave session through the support library.

    python -m sample_code.sample_writer.main                  # 100 packets at real time (about 100 s)
    python -m sample_code.sample_writer.main --packets 10 --fast

By default the library runs the Stream API in this process over the durable log in
``~/.local/share/ma-support-lib/data``; a sample reader started on the same directory (the
default) connects to it and sees the session live.
"""

from __future__ import annotations

import argparse
import sys

from ma_support_lib.core.base.logger import Logger

from ..connection import argument_parser, start_library, started_service
from .mock_data_writer import MockDataWriter


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argument_parser(__doc__)
    parser.add_argument("--packets", type=int, default=100, help="PeriodicData packets to write (1 s of data each)")
    parser.add_argument("--fast", action="store_true", help="write as fast as possible instead of at real time")
    parser.add_argument("--no-wait", action="store_true", help="exit when done instead of waiting for Enter")
    parser.add_argument(
        "--hold-session", action="store_true", help="wait for Enter before ending the session (it stays live meanwhile)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logger = Logger()
    support_lib = start_library(arguments, logger)
    try:
        sessions = started_service(logger, "session management", support_lib.get_session_manager_api().create_service())
        formats = started_service(logger, "data format management", support_lib.get_data_format_manager_api().create_service())
        writer = started_service(logger, "packet writing", support_lib.get_writing_packet_api().create_service())
        if sessions is None or formats is None or writer is None:
            return 1
        mock = MockDataWriter(writer, formats, sessions, logger, arguments.packets, not arguments.fast, arguments.data_source)
        if arguments.hold_session:
            mock.before_end = _await_enter
        if mock.create_start_write_and_end_mock_session() is None:
            return 1
        if not arguments.no_wait and sys.stdin.isatty():
            input("Press Enter to close...")
        return 0
    finally:
        support_lib.stop()


def _await_enter() -> None:
    input("Data written; press Enter to end the session...\n")


if __name__ == "__main__":
    sys.exit(main())
