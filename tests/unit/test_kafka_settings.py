"""librdkafka settings derived from broker URLs."""

from __future__ import annotations

from ma_support_lib.log.kafka.settings import KafkaSettings


def test_producer_compresses_with_zstd_like_the_reference() -> None:
    assert KafkaSettings.from_url("127.0.0.1:9092").producer_config()["compression.type"] == "zstd"


def test_compression_is_a_broker_property() -> None:
    from_query = KafkaSettings.from_url("kafka://127.0.0.1:9092?compression.type=lz4")
    from_properties = KafkaSettings.from_url("127.0.0.1:9092", {"compression.type": "none"})
    assert from_query.producer_config()["compression.type"] == "lz4"
    assert from_properties.producer_config()["compression.type"] == "none"


def test_consumer_group_ids_live_under_the_topic_prefix() -> None:
    assert KafkaSettings.from_url("kafka://h:1?topic_prefix=team-a.").group_id("readers") == "team-a.readers"
    assert KafkaSettings.from_url("h:1").group_id("readers") == "readers"
    assert KafkaSettings.from_url("h:1").consumer_config("readers")["group.id"] == "readers"
