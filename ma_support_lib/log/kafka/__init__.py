"""The log abstraction over Apache Kafka (confluent-kafka, i.e. librdkafka).

=====================  ===================================================================
:mod:`.settings`       broker URLs, librdkafka settings, topic prefix
:mod:`.admin`          metadata, topic creation, watermarks
:mod:`.producer`       appends and their delivery reports (what "acknowledged" means)
:mod:`.consumer`       subscriptions
:mod:`.log`            :class:`KafkaLog`, putting them together
=====================  ===================================================================
"""

from .log import KafkaLog
from .settings import KafkaSettings, KafkaSettingsError, is_kafka_url

__all__ = ["KafkaLog", "KafkaSettings", "KafkaSettingsError", "is_kafka_url"]
