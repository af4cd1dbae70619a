// TEST STAND-IN, not the vendor library: the data reader. Stand-in behaviour: it collects the
// numeric samples (double, int32, bool as 0/1; strings are skipped) the sample reader delivers
// for a session and, at EndSampleData, runs every subscription over the session: intervals of
// 1e9/f ns aligned to multiples of the period since the epoch, from the one holding the first
// sample to the one holding the last, the processor (or the default statistics) called once per
// interval and parameter in time order, results batched per delivery period (aligned the same
// way; default delivery: the subscription frequency, at most 10 Hz) and handed to the handler.
// Subscribe throws ArgumentException for unusable input, and for parameters the sample reader
// has never seen once it has seen some.

using System;
using System.Collections.Generic;
using System.Linq;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.InterpolationModule
{
    internal sealed class DataReaderModuleApi : IDataReaderModuleApi
    {
        public ApiResult<IDataReaderService> CreateService()
        {
            return new ApiResult<IDataReaderService>(true, string.Empty, new DataReaderService());
        }
    }

    internal sealed class Subscription
    {
        internal string Key;
        internal List<string> Parameters;
        internal ulong Period;
        internal ulong Delivery;
        internal IBatchResultHandler Handler;
        internal ISubscriptionProcessor Processor;
    }

    internal sealed class DataReaderService : StandInServiceModel, IDataReaderService, IHandler<ISampleData>
    {
        private const double DefaultDeliveryHz = 10.0;
        private readonly object gate = new object();
        private readonly Dictionary<string, Dictionary<string, List<DataPoint>>> sessions = new Dictionary<string, Dictionary<string, List<DataPoint>>>();
        private Dictionary<string, Subscription> subscriptions = new Dictionary<string, Subscription>();
        private ISampleReaderService sampleReader;

        public void SetSampleReaderService(ISampleReaderService sampleReaderService)
        {
            if (sampleReaderService == null)
            {
                throw new ArgumentNullException("sampleReaderService");
            }

            lock (this.gate)
            {
                if (this.sampleReader != null)
                {
                    throw new InvalidOperationException("SetSampleReaderService: this data reader already reads a sample reader");
                }

                this.sampleReader = sampleReaderService;
                var wanted = this.subscriptions.Values.SelectMany(s => s.Parameters).Distinct().ToList();
                if (wanted.Count > 0)
                {
                    sampleReaderService.Subscribe(wanted);
                }
            }

            sampleReaderService.AddHandler((IHandler<ISampleData>)this);
        }

        public void Subscribe(string subscriptionKey, IEnumerable<string> parameterIdentifiers, double subscriptionFrequencyHz, IBatchResultHandler handler, double? deliveryFrequencyHz = null, ISubscriptionProcessor processor = null)
        {
            if (string.IsNullOrEmpty(subscriptionKey)) throw new ArgumentException("the subscription key is null or empty", "subscriptionKey");
            if (handler == null) throw new ArgumentNullException("handler");
            var parameters = parameterIdentifiers == null ? new List<string>() : parameterIdentifiers.ToList();
            if (parameters.Count == 0 || parameters.Any(string.IsNullOrEmpty)) throw new ArgumentException("the parameter list is empty or holds an empty identifier", "parameterIdentifiers");
            var delivery = deliveryFrequencyHz ?? Math.Min(subscriptionFrequencyHz, DefaultDeliveryHz);
            var subscription = new Subscription
            {
                Key = subscriptionKey,
                Parameters = parameters,
                Period = Period("subscriptionFrequencyHz", subscriptionFrequencyHz),
                Delivery = Period("deliveryFrequencyHz", delivery),
                Handler = handler,
                Processor = processor,
            };
            lock (this.gate)
            {
                var known = this.sampleReader as SampleReaderService;
                var unknown = known == null || known.Known.Count == 0 ? new List<string>() : parameters.Where(p => !known.Known.Contains(p)).ToList();
                if (unknown.Count > 0) throw new ArgumentException("unknown parameters: " + string.Join(", ", unknown), "parameterIdentifiers");
                if (this.subscriptions.ContainsKey(subscriptionKey)) throw new ArgumentException("the subscription key '" + subscriptionKey + "' is taken", "subscriptionKey");
                this.subscriptions = new Dictionary<string, Subscription>(this.subscriptions) { { subscriptionKey, subscription } };
                if (this.sampleReader != null)
                {
                    this.sampleReader.Subscribe(parameters);
                }
            }
        }

        public void Unsubscribe(string subscriptionKey)
        {
            lock (this.gate)
            {
                if (subscriptionKey == null || !this.subscriptions.ContainsKey(subscriptionKey))
                {
                    throw new ArgumentException("no subscription '" + subscriptionKey + "'", "subscriptionKey");
                }

                var rest = new Dictionary<string, Subscription>(this.subscriptions);
                rest.Remove(subscriptionKey);
                this.subscriptions = rest;
            }
        }

        public void Handle(ISampleData obj)
        {
            if (!this.IsStarted)
            {
                return;
            }

            if (obj is StartSampleData)
            {
                lock (this.gate) this.sessions[obj.SessionKey] = new Dictionary<string, List<DataPoint>>();
                return;
            }

            if (obj is EndSampleData)
            {
                Dictionary<string, List<DataPoint>> session;
                lock (this.gate)
                {
                    if (!this.sessions.TryGetValue(obj.SessionKey, out session)) return;
                    this.sessions.Remove(obj.SessionKey);
                }

                foreach (var subscription in this.subscriptions.Values)
                {
                    Run(subscription, obj.DataSource, obj.SessionKey, session);
                }

                return;
            }

            var points = obj.Values.Where(v => v.ValueType != typeof(string)).Select(v => new DataPoint(obj.Identifier, v.Timestamp, v.Cast<double>()));
            lock (this.gate)
            {
                Dictionary<string, List<DataPoint>> session;
                if (!this.sessions.TryGetValue(obj.SessionKey, out session))
                {
                    session = new Dictionary<string, List<DataPoint>>();
                    this.sessions[obj.SessionKey] = session;
                }

                List<DataPoint> list;
                if (!session.TryGetValue(obj.Identifier, out list))
                {
                    list = new List<DataPoint>();
                    session[obj.Identifier] = list;
                }

                list.AddRange(points);
            }
        }

        protected override void OnStop()
        {
            if (this.sampleReader != null)
            {
                this.sampleReader.RemoveHandler((IHandler<ISampleData>)this);
            }
        }

        private static ulong Period(string name, double frequencyHz)
        {
            if (double.IsNaN(frequencyHz) || double.IsInfinity(frequencyHz) || frequencyHz <= 0)
            {
                throw new ArgumentException(name + " must be a positive finite number of Hz, got " + frequencyHz, name);
            }

            var period = Math.Round(1e9 / frequencyHz);
            if (period < 1)
            {
                throw new ArgumentException(name + " is above 1 GHz", name);
            }

            return (ulong)period;
        }

        /// <summary>One subscription over a whole session; a processor that throws ends this run.</summary>
        private static void Run(Subscription subscription, string dataSource, string sessionKey, Dictionary<string, List<DataPoint>> session)
        {
            var series = subscription.Parameters.Select(p =>
            {
                List<DataPoint> points;
                return session.TryGetValue(p, out points) ? points.OrderBy(x => x.TimestampNanoseconds).ToList() : new List<DataPoint>();
            }).ToList();
            var times = series.SelectMany(s => s.Select(x => x.TimestampNanoseconds)).ToList();
            if (times.Count == 0)
            {
                return;
            }

            var period = subscription.Period;
            var first = times.Min() - (times.Min() % period);
            var last = times.Max() - (times.Max() % period);
            var cursors = new int[series.Count];
            var before = new double?[series.Count];
            var batch = new List<IProcessResult>();
            ulong? batchStart = null;
            try
            {
                for (var start = first; start <= last; start += period)
                {
                    var deliveryStart = start - (start % subscription.Delivery);
                    if (batchStart.HasValue && batchStart.Value != deliveryStart)
                    {
                        Deliver(subscription, dataSource, sessionKey, batchStart.Value, batch);
                        batch = new List<IProcessResult>();
                    }

                    batchStart = deliveryStart;
                    for (var p = 0; p < series.Count; p++)
                    {
                        var inside = new List<DataPoint>();
                        while (cursors[p] < series[p].Count && series[p][cursors[p]].TimestampNanoseconds < start + period)
                        {
                            inside.Add(series[p][cursors[p]++]);
                        }

                        var context = new ProcessContext(subscription.Parameters[p], start, start + period, inside);
                        batch.Add(subscription.Processor != null ? subscription.Processor.Process(context) : Statistics(context, before[p]));
                        if (inside.Count > 0)
                        {
                            before[p] = inside[inside.Count - 1].Value;
                        }
                    }
                }

                Deliver(subscription, dataSource, sessionKey, batchStart.Value, batch);
            }
            catch (Exception)
            {
                // A processor or handler that throws ends this subscription's run for the session.
            }
        }

        private static void Deliver(Subscription subscription, string dataSource, string sessionKey, ulong start, List<IProcessResult> results)
        {
            subscription.Handler.Handle(new BatchResult(dataSource, sessionKey, subscription.Key, start, start + subscription.Delivery, results));
        }

        private static DefaultResult Statistics(ProcessContext context, double? before)
        {
            var points = context.IntervalDataPoints;
            if (points.Count == 0)
            {
                return before.HasValue
                    ? new DefaultResult(context.ParameterId, context.IntervalStartTimeNano, context.IntervalEndTimeNano, before.Value)
                    : new DefaultResult(context.ParameterId, context.IntervalStartTimeNano, context.IntervalEndTimeNano);
            }

            var values = points.Select(x => x.Value).ToList();
            return new DefaultResult(
                context.ParameterId, context.IntervalStartTimeNano, context.IntervalEndTimeNano,
                values[0], values[values.Count - 1], values.Min(), values.Max(), values.Sum() / values.Count, values.Count);
        }
    }
}
