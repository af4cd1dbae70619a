""".NET exceptions as the library's errors and failed results.

pythonnet raises a .NET exception as a Python exception object of its .NET type. Lifecycle
calls (``Initialise``/``Start``/``Stop``) raise the matching :mod:`ma_support_lib.errors`
class; calls that return ``ApiResult`` turn it into ``ApiResult(success=False)`` whose
message names the .NET type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ...contracts.shared.api_result import ApiResult
from ...core.base.service_base import ServiceBase
from ...errors import (
    BackendUnavailableError,
    ConfigurationError,
    ServiceStateError,
    SupportLibraryError,
)

T = TypeVar("T")

#: .NET exception types (full names, matched along the type's base classes) to our errors.
ERROR_TYPES: dict[str, type[SupportLibraryError]] = {
    "System.ObjectDisposedException": ServiceStateError,
    "System.InvalidOperationException": ServiceStateError,
    "System.ArgumentException": ConfigurationError,
    "System.FormatException": ConfigurationError,
    "System.TimeoutException": BackendUnavailableError,
    "System.IO.IOException": BackendUnavailableError,
    "System.Net.Sockets.SocketException": BackendUnavailableError,
}


def dotnet_type_names(exc: BaseException) -> list[str]:
    """Full names of the .NET type of ``exc`` and its base classes; empty for a Python exception."""
    get_type = getattr(exc, "GetType", None)
    if get_type is None:
        return []
    names: list[str] = []
    kind: Any = get_type()
    while kind is not None:
        names.append(str(kind.FullName))
        kind = kind.BaseType
    return names


def describe(exc: BaseException) -> str:
    """``Full.Type.Name: message`` of a .NET exception (``repr`` of others)."""
    names = dotnet_type_names(exc)
    if not names:
        return repr(exc)
    return f"{names[0]}: {getattr(exc, 'Message', exc)}"


def mapped(exc: BaseException) -> SupportLibraryError:
    """The library error for ``exc``."""
    for name in dotnet_type_names(exc):
        error = ERROR_TYPES.get(name)
        if error is not None:
            return error(describe(exc))
    return SupportLibraryError(describe(exc))


def lifecycle(action: str, call: Callable[[], T]) -> T:
    """Run a .NET lifecycle call; a .NET exception is raised as the mapped library error."""
    try:
        return call()
    except Exception as exc:
        if not dotnet_type_names(exc):
            raise
        error = mapped(exc)
        raise type(error)(f"{action}: {error}") from None


def result(action: str, call: Callable[[], Any], convert: Callable[[Any], T]) -> ApiResult[T]:
    """Run a .NET call returning ``ApiResult<...>`` and convert its data; a refusal keeps the
    .NET message, an exception becomes a failed result naming the .NET type."""
    try:
        outcome = call()
    except (ValueError, TypeError, LookupError) as exc:
        return ApiResult.fail(f"{action}: {exc}")
    except Exception as exc:
        if not dotnet_type_names(exc):
            raise
        return ApiResult.fail(f"{action} failed: {describe(exc)}")
    if not outcome.Success or outcome.Data is None:
        return ApiResult.fail(f"{action}: {outcome.Message or 'refused without a message'}")
    return ApiResult.ok(convert(outcome.Data))


def service_result(service: ServiceBase, action: str, call: Callable[[], Any], convert: Callable[[Any], T]) -> ApiResult[T]:
    """:func:`result`, refused with a message when ``service`` is not running."""
    refusal = service.refusal(action)
    if refusal is not None:
        return ApiResult.fail(refusal)
    return result(action, call, convert)


class _Done:
    """What a void .NET call that returned looks like to :func:`result`."""

    Success = True
    Data = True
    Message = ""


def done(action: str, call: Callable[[], object]) -> ApiResult[bool]:
    """Run a void .NET call: ``ok(True)``, or the failed result :func:`result` gives."""

    def run() -> type[_Done]:
        call()
        return _Done

    return result(action, run, bool)
