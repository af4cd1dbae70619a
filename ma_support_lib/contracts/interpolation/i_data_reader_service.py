"""The interpolation service: merged samples in, one result per parameter and interval out."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Optional

from ..buffering.i_sample_reader_service import ISampleReaderService
from ..shared.api_result import ApiResult
from ..shared.i_service import IService
from .i_batch_result_handler import IBatchResultHandler
from .i_subscription_processor import ISubscriptionProcessor


class IDataReaderService(IService):
    @abstractmethod
    def set_sample_reader_service(self, sample_reader: ISampleReaderService) -> None:
        """Take the merged samples of ``sample_reader``; call before ``start()``."""

    @abstractmethod
    def subscribe(
        self,
        subscription_key: str,
        parameter_identifiers: Sequence[str],
        subscription_frequency_hz: float,
        handler: IBatchResultHandler,
        delivery_frequency_hz: Optional[float] = None,
        processor: Optional[ISubscriptionProcessor] = None,
    ) -> ApiResult[bool]: ...

    @abstractmethod
    def unsubscribe(self, subscription_key: str) -> ApiResult[bool]: ...
