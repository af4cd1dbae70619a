// MaSupportLib.Bridge: builds the library's configuration and DTO objects from plain values,
// so Python never has to pick among optional/nullable constructor overloads through reflection.

using System;
using System.Collections.Generic;
using System.Linq;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.InterpolationModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.ReadingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule;
using MA.Streaming.Abstraction;
using MA.Streaming.Core.Configs;

namespace MaSupportLib.Bridge
{
    public static class Construction
    {
        public static ISupportLibApi Library(ILogger logger, StreamingApiConfiguration configuration, int maxRetries, double retryDelaySeconds)
        {
            var retries = new RetryPolicy(maxRetries, TimeSpan.FromSeconds(retryDelaySeconds), RetryMode.Finite);
            return new SupportLibApiFactory().Create(logger, configuration, retries);
        }

        public static StreamingApiConfiguration Streaming(
            int strategy,
            string brokerUrl,
            string[] mappingStreams,
            int[] mappingPartitions,
            int streamApiPort,
            bool integrateSessionManagement,
            bool integrateDataFormatManagement,
            bool useRemoteKeyGenerator,
            string remoteKeyGeneratorServiceAddress,
            bool batchingResponses,
            int initialisationTimeoutSeconds)
        {
            var mappings = mappingStreams.Select((stream, i) => new PartitionMapping(stream, (uint)mappingPartitions[i])).ToList();
            return new StreamingApiConfiguration(
                (StreamCreationStrategy)strategy,
                brokerUrl,
                mappings,
                streamApiPort,
                integrateSessionManagement,
                integrateDataFormatManagement,
                useRemoteKeyGenerator,
                remoteKeyGeneratorServiceAddress,
                batchingResponses,
                (uint)initialisationTimeoutSeconds);
        }

        public static PacketReadingConfiguration Reading(
            string dataSource,
            string sessionIdentifierPattern,
            int readingType,
            string[] streams,
            bool excludeMainStream,
            int inactivityTimeoutSeconds,
            string sessionKey)
        {
            return new PacketReadingConfiguration(
                dataSource,
                sessionIdentifierPattern,
                (ReadingType)readingType,
                streams.ToList(),
                excludeMainStream,
                (uint)inactivityTimeoutSeconds,
                string.IsNullOrEmpty(sessionKey) ? null : sessionKey);
        }

        public static SessionCreationDto SessionCreation(
            string dataSource,
            string identifier,
            string type,
            int version,
            long utcOffsetTicks,
            string[] detailKeys,
            string[] detailValues,
            string[] associateSessionKeys)
        {
            return new SessionCreationDto(
                dataSource,
                identifier,
                type,
                (uint)version,
                TimeSpan.FromTicks(utcOffsetTicks),
                Details(detailKeys, detailValues),
                associateSessionKeys.ToList());
        }

        public static IReadOnlyList<SessionDetailDto> Details(string[] keys, string[] values)
        {
            return keys.Select((key, i) => new SessionDetailDto(key, values[i])).ToList();
        }

        /// <summary>mergeStrategy -1 means null (the library's default).</summary>
        public static BufferingConfiguration Buffering(
            string[] subscribedParameters,
            int bufferingWindowLength,
            int slidingWindowPercentage,
            int mergeStrategy,
            bool includeMarkerData,
            bool includeEventData,
            bool includeErrorData,
            bool includeCanData)
        {
            return new BufferingConfiguration(
                subscribedParameters == null ? null : subscribedParameters.ToList(),
                (uint)bufferingWindowLength,
                (uint)slidingWindowPercentage,
                mergeStrategy < 0 ? (MergeStrategy?)null : (MergeStrategy)mergeStrategy,
                includeMarkerData,
                includeEventData,
                includeErrorData,
                includeCanData);
        }

        /// <summary>IDataReaderService.Subscribe; a NaN deliveryFrequencyHz means null.</summary>
        public static void Subscribe(
            IDataReaderService service,
            string subscriptionKey,
            string[] parameterIdentifiers,
            double subscriptionFrequencyHz,
            IBatchResultHandler handler,
            double deliveryFrequencyHz,
            ISubscriptionProcessor processor)
        {
            service.Subscribe(
                subscriptionKey,
                parameterIdentifiers.ToList(),
                subscriptionFrequencyHz,
                handler,
                double.IsNaN(deliveryFrequencyHz) ? (double?)null : deliveryFrequencyHz,
                processor);
        }

        public static IReadOnlyList<string> Strings(string[] items)
        {
            return items.ToList();
        }
    }
}
