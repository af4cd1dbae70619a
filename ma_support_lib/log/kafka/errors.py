"""librdkafka errors as log errors."""

from __future__ import annotations

from confluent_kafka import KafkaError, KafkaException

from ..base import InvalidTopicError, LogError, RecordTooLargeError, UnknownTopicError

_UNKNOWN = {KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError._UNKNOWN_TOPIC, KafkaError._UNKNOWN_PARTITION}
_TOO_LARGE = {KafkaError.MSG_SIZE_TOO_LARGE, KafkaError.RECORD_LIST_TOO_LARGE}
_INVALID = {KafkaError.TOPIC_EXCEPTION, KafkaError.INVALID_PARTITIONS, KafkaError.INVALID_REPLICATION_FACTOR}


class KafkaLogError(LogError):
    """An error reported by Kafka or librdkafka; ``code`` is librdkafka's error code."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


def from_kafka(error: KafkaError | KafkaException | BaseException, what: str) -> LogError:
    """The log error for a librdkafka error met while doing ``what``."""
    if isinstance(error, KafkaException) and error.args and isinstance(error.args[0], KafkaError):
        error = error.args[0]
    if not isinstance(error, KafkaError):
        return KafkaLogError(f"{what}: {error}")
    message = f"{what}: {error.str()} ({error.name()})"
    code = error.code()
    if code in _UNKNOWN:
        return UnknownTopicError(message)
    if code in _INVALID:
        return InvalidTopicError(message)
    if code in _TOO_LARGE:
        return RecordTooLargeError(message)
    return KafkaLogError(message, code)
