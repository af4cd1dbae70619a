"""What both samples share: the connection options and starting the library with them."""

from __future__ import annotations

import argparse
from typing import TypeVar

from ma_support_lib.contracts.shared.api_result import ApiResult
from ma_support_lib.contracts.shared.i_service import IService

from ma_support_lib.contracts.shared.stream_api_configuration import DEFAULT_BROKER, StreamingApiConfiguration
from ma_support_lib.contracts.shared.stream_creation_strategy import StreamCreationStrategy
from ma_support_lib.core.base.logger import ILogger
from ma_support_lib.core.base.support_library import SupportLibrary
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper

ServiceT = TypeVar("ServiceT", bound=IService)


def argument_parser(description: str | None) -> argparse.ArgumentParser:
    """A parser with ``--broker``, ``--stream-api-address`` and ``--data-source``."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", default=DEFAULT_BROKER, help="memory://, file://DIR or a Kafka bootstrap list")
    parser.add_argument("--stream-api-address", help="HOST:PORT of a running Stream API server to use instead")
    parser.add_argument("--data-source", default="Default")
    return parser


def start_library(arguments: argparse.Namespace, logger: ILogger) -> SupportLibrary:
    """The support library, initialised and started, as the connection options say."""
    configuration = StreamingApiConfiguration(
        arguments.broker, StreamCreationStrategy.TOPIC_BASE, [], 10, stream_api_address=arguments.stream_api_address
    )
    support_lib = SupportLibraryBootstrapper.bootstrap(configuration, logger).create()
    support_lib.initialise()
    support_lib.start()
    return support_lib


def started_service(logger: ILogger, name: str, created: ApiResult[ServiceT]) -> ServiceT | None:
    """The created service, initialised and started; ``None`` (logged) if it was not created."""
    if not created.success or created.data is None:
        logger.error(f"Unable to create the {name} service: {created.message}")
        return None
    created.data.initialise()
    created.data.start()
    return created.data
