"""A second process for the shared-directory tests.

``python -m tests.library.writer_process BROKER DATA_SOURCE PACKETS [--hold]`` opens the
library on BROKER, writes one session of PACKETS markers (plus NewSession/EndOfSession),
ends it, prints ``hosted=<bool> session=<key>`` and, with ``--hold``, waits for stdin to close.
"""

from __future__ import annotations

import sys

from ma_support_lib.contracts.session_management.session_creation_info import SessionCreationInfo
from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper

from .helpers import ok, started, write_session


def main() -> None:
    broker, data_source, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    config = StreamingApiConfiguration(broker, timeout_seconds=20)
    with SupportLibraryBootstrapper.bootstrap(config, Logger()).create() as library:
        sessions = started(library.get_session_manager_api().create_service())
        writer = started(library.get_writing_packet_api().create_service())
        session = ok(sessions.create_new_session(SessionCreationInfo(data_source, "FromOtherProcess")))
        write_session(writer, data_source, session.session_key, [""], count)
        ok(sessions.end_session(data_source, session.session_key))
        hosted = library.backend._lease is not None and library.backend._lease.hosted  # type: ignore[attr-defined]
        print(f"hosted={hosted} session={session.session_key}", flush=True)
        if "--hold" in sys.argv:
            sys.stdin.read()


if __name__ == "__main__":
    main()
