"""Sample reader: live or historic sessions through the support library.

    python -m sample_code.sample_reader.main                      # asks: live or historic
    python -m sample_code.sample_reader.main --mode live --exit-after-session
    python -m sample_code.sample_reader.main --mode historic --session latest

It prints every sample of ``Sin:MyApp`` (the sample writer's parameter). Use the same
``--broker`` as the writer (both default to ``~/.local/share/ma-support-lib/data``).
"""

from __future__ import annotations

import argparse
import sys

from ma_support_lib.contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ma_support_lib.contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ma_support_lib.contracts.packet_reading.packet_reading_type import PacketReadingType
from ma_support_lib.contracts.session_management.session_info import SessionInfo
from ma_support_lib.core.base.logger import ILogger, Logger
from ma_support_lib.core.base.support_library import SupportLibrary

from ..connection import argument_parser, start_library, started_service
from .received_packet_dto_handler import ReceivedPacketDtoHandler
from .session_notifier import SessionNotifier


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argument_parser(__doc__)
    parser.add_argument("--mode", choices=["live", "historic"], help="read live sessions or a recorded one")
    parser.add_argument("--session", help="historic: 'latest', an index of the printed list, or a session key")
    parser.add_argument("--parameter", default="Sin:MyApp", help="parameter whose samples are printed")
    parser.add_argument("--timeout", type=float, default=10, help="seconds without packets that end a session")
    parser.add_argument(
        "--exit-after-session", action="store_true", help="exit once a session has been read (no prompt)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logger = Logger()
    support_lib = start_library(arguments, logger)
    try:
        return _run(support_lib, arguments, logger)
    finally:
        support_lib.stop()


def _run(support_lib: SupportLibrary, arguments: argparse.Namespace, logger: ILogger) -> int:
    formats = started_service(logger, "data format management", support_lib.get_data_format_manager_api().create_service())
    if formats is None:
        return 1
    handler = ReceivedPacketDtoHandler(formats, logger, arguments.parameter)
    mode = arguments.mode or _ask("Would you like to read live or historic data? (L/H) ", {"l": "live", "h": "historic"})
    reading_api = support_lib.get_reading_packet_api()
    if mode == "live":
        config = PacketReadingConfiguration(
            "", arguments.timeout, False, arguments.data_source, "*", PacketReadingType.LIVE, []
        )
        created = reading_api.create_service_with_config(config)
    else:
        session = _choose_session(support_lib, arguments, logger)
        if session is None:
            return 1
        created = reading_api.create_service(session.data_source, session.session_key)
    if not created.success or created.data is None:
        logger.error(f"Failed to create the packet reader service: {created.message}")
        return 1
    reader: IPacketReaderService = created.data
    notifier = SessionNotifier(reader, logger)
    reader.initialise()
    reader.set_handler(handler)
    reader.start()
    if mode == "live" and not arguments.exit_after_session:
        input("Awaiting live sessions... Press Enter to exit\n")
    elif mode == "live":
        logger.info("Awaiting a live session...")
        notifier.session_completed.wait()
    elif arguments.session is not None or arguments.exit_after_session:
        reader.join()
    else:
        input("Reading the session... Press Enter to exit\n")
    notifier.unsubscribe_from_events()
    reader.stop()
    reader.remove_handler(handler)
    logger.info(f"Read {handler.samples_seen} samples of {arguments.parameter}")
    return 0


def _choose_session(support_lib: SupportLibrary, arguments: argparse.Namespace, logger: ILogger) -> SessionInfo | None:
    service = started_service(logger, "session management", support_lib.get_session_manager_api().create_service())
    if service is None:
        return None
    listed = service.get_all_sessions()
    service.stop()
    if not listed.success or listed.data is None:
        logger.error(f"Failed to list sessions: {listed.message}")
        return None
    sessions = [session for session in listed.data if session.data_source == arguments.data_source]
    if not sessions:
        logger.error(f"No sessions in data source {arguments.data_source!r}; run the sample writer first")
        return None
    choice = arguments.session
    if choice is None:
        print("The following sessions are available:")
        for index, session in enumerate(sessions):
            state = "ended" if session.historical else "live"
            print(f"[{index}] {session.identifier} {session.session_key} ({state})")
        choice = input("Which session would you like to read? Enter its index: ").strip()
    if choice == "latest":
        return sessions[-1]
    if choice.isdigit() and int(choice) < len(sessions):
        return sessions[int(choice)]
    for session in sessions:
        if session.session_key == choice:
            return session
    logger.error(f"No session {choice!r}; give 'latest', an index (0-{len(sessions) - 1}) or a session key")
    return None


def _ask(prompt: str, answers: dict[str, str]) -> str:
    while True:
        answer = input(prompt).strip().lower()
        if answer in answers:
            return answers[answer]


if __name__ == "__main__":
    sys.exit(main())
