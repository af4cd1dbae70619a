"""The library fixtures (in-process server and separate server process) for the end-to-end tests."""

from library.conftest import data_source, library, make_config, make_library, server_process

__all__ = ["data_source", "library", "make_config", "make_library", "server_process"]
