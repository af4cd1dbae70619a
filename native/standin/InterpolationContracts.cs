// TEST STAND-IN, not the vendor library: the interpolation (data reader) module's contracts:
// results, batches, processors and the service interface.

using System;
using System.Collections.Generic;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.InterpolationModule
{
    public interface IProcessResult
    {
        string Identifier { get; }

        ulong IntervalStartTimeNano { get; }

        ulong IntervalEndTimeNano { get; }
    }

    public abstract class ProcessResult : IProcessResult
    {
        protected ProcessResult(string identifier, ulong intervalStartTimeNano, ulong intervalEndTimeNano)
        {
            this.Identifier = identifier;
            this.IntervalStartTimeNano = intervalStartTimeNano;
            this.IntervalEndTimeNano = intervalEndTimeNano;
        }

        public string Identifier { get; private set; }

        public ulong IntervalStartTimeNano { get; private set; }

        public ulong IntervalEndTimeNano { get; private set; }
    }

    public class DefaultResult : ProcessResult
    {
        /// <summary>No sample in the interval and none before it.</summary>
        public DefaultResult(string identifier, ulong intervalStartTimeNano, ulong intervalEndTimeNano)
            : base(identifier, intervalStartTimeNano, intervalEndTimeNano)
        {
        }

        /// <summary>Super-sampled: no sample in the interval; every statistic is the last value before.</summary>
        public DefaultResult(string identifier, ulong intervalStartTimeNano, ulong intervalEndTimeNano, double lastValueBefore)
            : this(identifier, intervalStartTimeNano, intervalEndTimeNano, lastValueBefore, lastValueBefore, lastValueBefore, lastValueBefore, lastValueBefore, 0)
        {
            this.IsSuperSampled = true;
        }

        public DefaultResult(string identifier, ulong intervalStartTimeNano, ulong intervalEndTimeNano, double? first, double? last, double? min, double? max, double? mean, int count)
            : base(identifier, intervalStartTimeNano, intervalEndTimeNano)
        {
            this.First = first;
            this.Last = last;
            this.Min = min;
            this.Max = max;
            this.Mean = mean;
            this.Count = count;
        }

        public double? First { get; private set; }

        public double? Last { get; private set; }

        public double? Min { get; private set; }

        public double? Max { get; private set; }

        public double? Mean { get; private set; }

        public int Count { get; private set; }

        public bool IsSuperSampled { get; private set; }
    }

    public class DataPoint
    {
        public DataPoint(string parameterIdentifier, ulong timestampNanoseconds, double value)
        {
            this.ParameterIdentifier = parameterIdentifier;
            this.TimestampNanoseconds = timestampNanoseconds;
            this.Value = value;
        }

        public string ParameterIdentifier { get; private set; }

        public ulong TimestampNanoseconds { get; private set; }

        public double Value { get; private set; }
    }

    public class ProcessContext
    {
        public ProcessContext(string parameterId, ulong intervalStartTimeNano, ulong intervalEndTimeNano, IReadOnlyList<DataPoint> intervalDataPoints)
        {
            this.ParameterId = parameterId;
            this.IntervalStartTimeNano = intervalStartTimeNano;
            this.IntervalEndTimeNano = intervalEndTimeNano;
            this.IntervalDataPoints = intervalDataPoints ?? new DataPoint[0];
        }

        public string ParameterId { get; private set; }

        public ulong IntervalStartTimeNano { get; private set; }

        public ulong IntervalEndTimeNano { get; private set; }

        public IReadOnlyList<DataPoint> IntervalDataPoints { get; private set; }
    }

    public interface ISubscriptionProcessor
    {
        IProcessResult Process(ProcessContext context);
    }

    public class BatchResult
    {
        public BatchResult(string dataSource, string sessionKey, string subscriptionKey, ulong deliveryIntervalStartTimeNano, ulong deliveryIntervalEndTimeNano, IReadOnlyList<IProcessResult> results)
        {
            this.DataSource = dataSource;
            this.SessionKey = sessionKey;
            this.SubscriptionKey = subscriptionKey;
            this.DeliveryIntervalStartTimeNano = deliveryIntervalStartTimeNano;
            this.DeliveryIntervalEndTimeNano = deliveryIntervalEndTimeNano;
            this.Results = results ?? new IProcessResult[0];
        }

        public string DataSource { get; private set; }

        public string SubscriptionKey { get; private set; }

        public string SessionKey { get; private set; }

        public ulong DeliveryIntervalStartTimeNano { get; private set; }

        public ulong DeliveryIntervalEndTimeNano { get; private set; }

        public IReadOnlyList<IProcessResult> Results { get; private set; }
    }

    public interface IBatchResultHandler
    {
        void Handle(BatchResult batchResult);
    }

    public interface IDataReaderModuleApi : IModuleApi
    {
        ApiResult<IDataReaderService> CreateService();
    }

    public interface IDataReaderService : IModuleApiService
    {
        Guid Id { get; }

        void SetSampleReaderService(ISampleReaderService sampleReaderService);

        void Subscribe(
            string subscriptionKey,
            IEnumerable<string> parameterIdentifiers,
            double subscriptionFrequencyHz,
            IBatchResultHandler handler,
            double? deliveryFrequencyHz = null,
            ISubscriptionProcessor processor = null);

        void Unsubscribe(string subscriptionKey);
    }
}
