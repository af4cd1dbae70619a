""".NET exceptions raised through pythonnet become the library's errors and failed results."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ma_support_lib.backends.dotnet import errors
from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper
from ma_support_lib.errors import BackendUnavailableError, ConfigurationError, ServiceStateError, SupportLibraryError


def raised(call: Any) -> BaseException:
    try:
        call()
    except Exception as exc:
        return exc
    raise AssertionError("the call did not raise")


def test_exceptions_map_by_their_type_and_base_types(system: Any) -> None:
    parse = raised(lambda: system.Int32.Parse("not a number"))
    assert errors.dotnet_type_names(parse)[0] == "System.FormatException"
    assert isinstance(errors.mapped(parse), ConfigurationError)
    missing = raised(lambda: system.IO.File.OpenRead(f"/nonexistent/{uuid.uuid4().hex}"))
    assert "System.IO.IOException" in errors.dotnet_type_names(missing)[1:]  # matched through a base class
    assert isinstance(errors.mapped(missing), BackendUnavailableError)
    disposed = system.ObjectDisposedException("writer")
    assert isinstance(errors.mapped(disposed), ServiceStateError)
    out_of_range = raised(lambda: system.Collections.Generic.List[system.Int32]()[3])
    assert isinstance(errors.mapped(out_of_range), ConfigurationError)  # an ArgumentException
    other = errors.mapped(system.NotSupportedException("no such thing"))
    assert type(other) is SupportLibraryError and str(other) == "System.NotSupportedException: no such thing"


def test_lifecycle_calls_raise_the_mapped_error_and_leave_python_errors_alone(system: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"start\(\): System.FormatException"):
        errors.lifecycle("start()", lambda: system.Int32.Parse("x"))
    with pytest.raises(KeyError):
        errors.lifecycle("start()", lambda: {}["python"])


def test_calls_returning_results_fail_with_the_dotnet_type_in_the_message(system: Any) -> None:
    result = errors.result("get_event", lambda: system.Int32.Parse("x"), str)
    assert not result.success and result.data is None
    assert result.message.startswith("get_event failed: System.FormatException")


def test_an_unavailable_broker_fails_initialise_with_the_dotnet_reason(assemblies: str) -> None:
    config = StreamingApiConfiguration("unreachable://broker", backend="dotnet", timeout_seconds=1)
    library = SupportLibraryBootstrapper.bootstrap(config, Logger()).create()
    with pytest.raises(BackendUnavailableError, match="System.TimeoutException.*unreachable://broker"):
        library.initialise()
    library.stop()


def test_a_stream_api_address_is_refused_with_a_message(assemblies: str) -> None:
    config = StreamingApiConfiguration(stream_api_address="127.0.0.1:13579", backend="dotnet")
    with pytest.raises(ConfigurationError, match="stream_api_address is for the grpc backend"):
        SupportLibraryBootstrapper.bootstrap(config, Logger()).create()
