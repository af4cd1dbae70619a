// TEST STAND-IN, not the vendor library: configuration, logging and retry types with the
// names and constructor signatures of the Support Library's public API reference.

using System;
using System.Collections.Generic;

namespace MA.Streaming.Abstraction
{
    /// <summary>Stand-in of the logger the Support Library writes to.</summary>
    public interface ILogger
    {
        void Debug(string message);

        void Info(string message);

        void Warning(string message);

        void Error(string message);
    }
}

namespace MA.Streaming.Core.Configs
{
    public enum StreamCreationStrategy
    {
        PartitionBased = 1,
        TopicBased = 2,
    }

    public sealed class PartitionMapping
    {
        public PartitionMapping(string stream, uint partition)
        {
            this.Stream = stream;
            this.Partition = partition;
        }

        public string Stream { get; private set; }

        public uint Partition { get; private set; }
    }

    public interface IStreamingApiConfiguration
    {
        StreamCreationStrategy StreamCreationStrategy { get; }

        string BrokerUrl { get; }
    }

    public sealed class StreamingApiConfiguration : IStreamingApiConfiguration
    {
        public StreamingApiConfiguration(
            StreamCreationStrategy? streamCreationStrategy = null,
            string brokerUrl = null,
            IReadOnlyList<PartitionMapping> partitionMappings = null,
            int? streamApiPort = 13579,
            bool? integrateSessionManagement = true,
            bool? integrateDataFormatManagement = true,
            bool? useRemoteKeyGenerator = false,
            string remoteKeyGeneratorServiceAddress = "",
            bool? batchingResponses = false,
            uint? initialisationTimeoutSeconds = 3)
        {
            this.StreamCreationStrategy = streamCreationStrategy ?? StreamCreationStrategy.PartitionBased;
            this.BrokerUrl = brokerUrl ?? "localhost:9092";
            this.PartitionMappings = partitionMappings;
            this.StreamApiPort = streamApiPort ?? 13579;
            this.IntegrateSessionManagement = integrateSessionManagement ?? true;
            this.IntegrateDataFormatManagement = integrateDataFormatManagement ?? true;
            this.UseRemoteKeyGenerator = useRemoteKeyGenerator ?? false;
            this.RemoteKeyGeneratorServiceAddress = remoteKeyGeneratorServiceAddress ?? string.Empty;
            this.BatchingResponses = batchingResponses ?? false;
            this.InitialisationTimeoutSeconds = initialisationTimeoutSeconds ?? 3;
        }

        public StreamCreationStrategy StreamCreationStrategy { get; private set; }

        public string BrokerUrl { get; private set; }

        public IReadOnlyList<PartitionMapping> PartitionMappings { get; private set; }

        public int StreamApiPort { get; private set; }

        public bool IntegrateSessionManagement { get; private set; }

        public bool IntegrateDataFormatManagement { get; private set; }

        public bool UseRemoteKeyGenerator { get; private set; }

        public string RemoteKeyGeneratorServiceAddress { get; private set; }

        public bool BatchingResponses { get; private set; }

        public uint InitialisationTimeoutSeconds { get; private set; }
    }
}

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Abstractions
{
    public enum RetryMode
    {
        Finite,
        Infinite,
    }

    public interface IRetryPolicy
    {
        int MaxRetryCount { get; }

        TimeSpan DelayBetweenRetries { get; }

        RetryMode RetryMode { get; }
    }

    public sealed class RetryPolicy : IRetryPolicy
    {
        public RetryPolicy(int maxRetryCount, TimeSpan delayBetweenRetries, RetryMode retryMode)
        {
            this.MaxRetryCount = maxRetryCount;
            this.DelayBetweenRetries = delayBetweenRetries;
            this.RetryMode = retryMode;
        }

        public int MaxRetryCount { get; private set; }

        public TimeSpan DelayBetweenRetries { get; private set; }

        public RetryMode RetryMode { get; private set; }
    }
}
