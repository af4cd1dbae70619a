// TEST STAND-IN, not the vendor library: the buffering (sample reader) module's contracts:
// configuration, the TimestampData / SampleData output model and the service interface.

using System;
using System.Collections.Generic;
using System.Linq;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.ReadingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule
{
    public enum MergeStrategy
    {
        WritingMerge = 0,
        ReadingMerge = 1,
    }

    /// <summary>Stand-in choice: the members mirror the Open Data DataStatus.</summary>
    public enum ValueStatus
    {
        Unspecified = 0,
        Valid = 1,
        Missing = 2,
        Error = 3,
    }

    public interface IBufferingConfiguration
    {
        IReadOnlyList<string> SubscribedParameters { get; }

        uint BufferingWindowLength { get; }

        uint SlidingWindowPercentage { get; }

        MergeStrategy MergeStrategy { get; }

        bool IncludeMarkerData { get; }

        bool IncludeEventData { get; }

        bool IncludeErrorData { get; }

        bool IncludeCanData { get; }
    }

    public class BufferingConfiguration : IBufferingConfiguration
    {
        public BufferingConfiguration(
            IReadOnlyList<string> subscribedParameters = null,
            uint bufferingWindowLength = 3000,
            uint slidingWindowPercentage = 5,
            MergeStrategy? mergeStrategy = null,
            bool? includeMarkerData = false,
            bool? includeEventData = false,
            bool? includeErrorData = false,
            bool? includeCanData = false)
        {
            this.SubscribedParameters = subscribedParameters ?? new string[0];
            this.BufferingWindowLength = bufferingWindowLength;
            this.SlidingWindowPercentage = slidingWindowPercentage;
            this.MergeStrategy = mergeStrategy ?? MergeStrategy.ReadingMerge;
            this.IncludeMarkerData = includeMarkerData ?? false;
            this.IncludeEventData = includeEventData ?? false;
            this.IncludeErrorData = includeErrorData ?? false;
            this.IncludeCanData = includeCanData ?? false;
        }

        public IReadOnlyList<string> SubscribedParameters { get; private set; }

        public uint BufferingWindowLength { get; private set; }

        public uint SlidingWindowPercentage { get; private set; }

        public MergeStrategy MergeStrategy { get; private set; }

        public bool IncludeMarkerData { get; private set; }

        public bool IncludeEventData { get; private set; }

        public bool IncludeErrorData { get; private set; }

        public bool IncludeCanData { get; private set; }
    }

    public interface IGenericValue
    {
        Type ValueType { get; }

        T Cast<T>();
    }

    public interface ISampleValue : IGenericValue
    {
        string Identifier { get; }

        IGenericValue Value { get; }

        ValueStatus Status { get; }
    }

    public interface ITimestampValue : IGenericValue
    {
        ulong Timestamp { get; }

        IGenericValue Value { get; }

        ValueStatus Status { get; }
    }

    public interface ITimestampColumn
    {
        ulong Timestamp { get; }

        IReadOnlyList<ISampleValue> SampleValues { get; }
    }

    public interface ITimestampData
    {
        string DataSource { get; }

        string SessionKey { get; }

        ulong Timestamp { get; }

        ulong StartTime { get; }

        ulong EndTime { get; }

        IReadOnlyList<ITimestampColumn> TimeColumns { get; }
    }

    public interface ISampleData
    {
        string DataSource { get; }

        string SessionKey { get; }

        ulong StartTime { get; }

        ulong EndTime { get; }

        string Identifier { get; }

        IReadOnlyList<ITimestampValue> Values { get; }
    }

    /// <summary>Stand-in choice for the items GetLastTimeInfo returns.</summary>
    public sealed class StreamTimeInfo
    {
        public StreamTimeInfo(string stream, ulong lastTimestamp)
        {
            this.Stream = stream;
            this.LastTimestamp = lastTimestamp;
        }

        public string Stream { get; private set; }

        public ulong LastTimestamp { get; private set; }
    }

    public class GenericValue : IGenericValue
    {
        private readonly object value;

        public GenericValue(object value)
        {
            this.value = value;
        }

        public Type ValueType { get { return this.value.GetType(); } }

        public T Cast<T>()
        {
            if (this.value is T)
            {
                return (T)this.value;
            }

            return (T)Convert.ChangeType(this.value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public class SampleValue : ISampleValue
    {
        public SampleValue(string identifier, IGenericValue value, ValueStatus status)
        {
            this.Identifier = identifier;
            this.Value = value;
            this.Status = status;
        }

        public string Identifier { get; private set; }

        public IGenericValue Value { get; private set; }

        public ValueStatus Status { get; private set; }

        public Type ValueType { get { return this.Value.ValueType; } }

        public T Cast<T>()
        {
            return this.Value.Cast<T>();
        }
    }

    public class TimestampValue : ITimestampValue
    {
        public TimestampValue(ulong timestamp, IGenericValue value, ValueStatus status)
        {
            this.Timestamp = timestamp;
            this.Value = value;
            this.Status = status;
        }

        public ulong Timestamp { get; private set; }

        public IGenericValue Value { get; private set; }

        public ValueStatus Status { get; private set; }

        public Type ValueType { get { return this.Value.ValueType; } }

        public T Cast<T>()
        {
            return this.Value.Cast<T>();
        }
    }

    public class TimestampColumn : ITimestampColumn
    {
        public TimestampColumn(ulong timestamp, IReadOnlyList<ISampleValue> sampleValues)
        {
            this.Timestamp = timestamp;
            this.SampleValues = sampleValues;
        }

        public ulong Timestamp { get; private set; }

        public IReadOnlyList<ISampleValue> SampleValues { get; private set; }
    }

    public class TimestampData : ITimestampData
    {
        public TimestampData(string dataSource, string sessionKey, ulong startTime, ulong endTime, IReadOnlyList<ITimestampColumn> timeColumns)
        {
            this.DataSource = dataSource;
            this.SessionKey = sessionKey;
            this.StartTime = startTime;
            this.EndTime = endTime;
            this.TimeColumns = timeColumns ?? new ITimestampColumn[0];
        }

        public string DataSource { get; private set; }

        public string SessionKey { get; private set; }

        public ulong Timestamp { get { return this.StartTime; } }

        public ulong StartTime { get; private set; }

        public ulong EndTime { get; private set; }

        public IReadOnlyList<ITimestampColumn> TimeColumns { get; private set; }
    }

    public class StartTimestampData : TimestampData
    {
        public StartTimestampData(string dataSource, string sessionKey) : base(dataSource, sessionKey, 0, 0, null)
        {
        }
    }

    public class EndTimestampData : TimestampData
    {
        public EndTimestampData(string dataSource, string sessionKey) : base(dataSource, sessionKey, 0, 0, null)
        {
        }
    }

    public class SampleData : ISampleData
    {
        public SampleData(string dataSource, string sessionKey, ulong startTime, ulong endTime, string identifier, IReadOnlyList<ITimestampValue> values)
        {
            this.DataSource = dataSource;
            this.SessionKey = sessionKey;
            this.StartTime = startTime;
            this.EndTime = endTime;
            this.Identifier = identifier;
            this.Values = values ?? new ITimestampValue[0];
        }

        public string DataSource { get; private set; }

        public string SessionKey { get; private set; }

        public ulong StartTime { get; private set; }

        public ulong EndTime { get; private set; }

        public string Identifier { get; private set; }

        public IReadOnlyList<ITimestampValue> Values { get; private set; }
    }

    public class StartSampleData : SampleData
    {
        public StartSampleData(string dataSource, string sessionKey) : base(dataSource, sessionKey, 0, 0, string.Empty, null)
        {
        }
    }

    public class EndSampleData : SampleData
    {
        public EndSampleData(string dataSource, string sessionKey) : base(dataSource, sessionKey, 0, 0, string.Empty, null)
        {
        }
    }

    public interface ISampleReaderModuleApi : IModuleApi
    {
        ApiResult<ISampleReaderService> CreateService(IBufferingConfiguration configuration);
    }

    public interface ISampleReaderService : IModuleApiService
    {
        event EventHandler<ISessionInfo> SessionDataMergingStarted;

        event EventHandler<ISessionInfo> SessionDataMergingCompleted;

        Guid Id { get; }

        void SetReaderService(IPacketReaderService readerService);

        void AddHandler(IHandler<ITimestampData> handler);

        void AddHandler(IHandler<ISampleData> handler);

        void RemoveHandler(IHandler<ITimestampData> handler);

        void RemoveHandler(IHandler<ISampleData> handler);

        void Subscribe(IEnumerable<string> parameterIdentifiers);

        void SubscribeAll();

        void Unsubscribe(IEnumerable<string> parameterIdentifiers);

        void UnsubscribeAll();

        IReadOnlyList<StreamTimeInfo> GetLastTimeInfo(string dataSource, string sessionKey);
    }
}
