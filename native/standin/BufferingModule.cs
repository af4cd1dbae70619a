// TEST STAND-IN, not the vendor library: the sample reader. Stand-in behaviour (simple and
// deterministic, not the vendor's windowing): it buffers a session's subscribed samples until
// the packet reader completes the session (or this service stops), then delivers, in order,
// Start sentinels (at SessionReadingStarted), one TimestampData and one SampleData per
// parameter covering the whole session, the End sentinels, and SessionDataMergingCompleted.
// Handlers run on the packet reader's thread; one that throws does not stop the others.

using System;
using System.Collections.Generic;
using System.Linq;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.ReadingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.StandIn;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule
{
    internal sealed class SampleReaderModuleApi : ISampleReaderModuleApi
    {
        private readonly Func<Broker> broker;

        internal SampleReaderModuleApi(Func<Broker> broker)
        {
            this.broker = broker;
        }

        public ApiResult<ISampleReaderService> CreateService(IBufferingConfiguration configuration)
        {
            string problem = null;
            if (configuration == null) problem = "the buffering configuration is null";
            else if (configuration.BufferingWindowLength == 0) problem = "BufferingWindowLength must be positive";
            else if (configuration.SlidingWindowPercentage < 1 || configuration.SlidingWindowPercentage > 100) problem = "SlidingWindowPercentage must be 1..100";
            return problem != null
                ? new ApiResult<ISampleReaderService>(false, problem, null)
                : new ApiResult<ISampleReaderService>(true, string.Empty, new SampleReaderService(this.broker(), configuration));
        }
    }

    internal sealed class BufferedSession
    {
        internal readonly List<DecodedSample> Samples = new List<DecodedSample>();
        internal readonly Dictionary<string, ulong> LastTimes = new Dictionary<string, ulong>();
        internal string DataSource;
        internal bool Started;
    }

    internal sealed class SampleReaderService : StandInServiceModel, ISampleReaderService, IHandler<IReceivedPacketDto>
    {
        private readonly object gate = new object();
        private readonly Broker broker;
        private readonly HashSet<string> subscribed;
        private readonly Dictionary<string, BufferedSession> sessions = new Dictionary<string, BufferedSession>();
        private IHandler<ITimestampData>[] timestampHandlers = new IHandler<ITimestampData>[0];
        private IHandler<ISampleData>[] sampleHandlers = new IHandler<ISampleData>[0];
        private IPacketReaderService reader;
        private bool all;

        internal SampleReaderService(Broker broker, IBufferingConfiguration configuration)
        {
            this.broker = broker;
            this.subscribed = new HashSet<string>(configuration.SubscribedParameters);
            this.Known = new HashSet<string>();
        }

        public event EventHandler<ISessionInfo> SessionDataMergingStarted;

        public event EventHandler<ISessionInfo> SessionDataMergingCompleted;

        /// <summary>Every parameter identifier seen in a sample (for the data reader's checks).</summary>
        internal HashSet<string> Known { get; private set; }

        public void SetReaderService(IPacketReaderService readerService)
        {
            if (readerService == null)
            {
                throw new ArgumentNullException("readerService");
            }

            lock (this.gate)
            {
                if (this.reader != null && this.reader != readerService)
                {
                    throw new InvalidOperationException("SetReaderService: this sample reader already reads another packet reader");
                }

                var attach = this.reader == null && this.IsStarted;
                this.reader = readerService;
                if (attach)
                {
                    this.Attach();
                }
            }
        }

        public void AddHandler(IHandler<ITimestampData> handler)
        {
            lock (this.gate) this.timestampHandlers = this.timestampHandlers.Concat(new[] { handler }).ToArray();
        }

        public void AddHandler(IHandler<ISampleData> handler)
        {
            lock (this.gate) this.sampleHandlers = this.sampleHandlers.Concat(new[] { handler }).ToArray();
        }

        public void RemoveHandler(IHandler<ITimestampData> handler)
        {
            lock (this.gate) this.timestampHandlers = this.timestampHandlers.Where(h => h != handler).ToArray();
        }

        public void RemoveHandler(IHandler<ISampleData> handler)
        {
            lock (this.gate) this.sampleHandlers = this.sampleHandlers.Where(h => h != handler).ToArray();
        }

        public void Subscribe(IEnumerable<string> parameterIdentifiers)
        {
            var identifiers = Checked(parameterIdentifiers, "Subscribe");
            lock (this.gate) this.subscribed.UnionWith(identifiers);
        }

        public void SubscribeAll()
        {
            lock (this.gate) this.all = true;
        }

        public void Unsubscribe(IEnumerable<string> parameterIdentifiers)
        {
            var identifiers = new HashSet<string>(Checked(parameterIdentifiers, "Unsubscribe"));
            lock (this.gate)
            {
                this.subscribed.ExceptWith(identifiers);
                this.Drop(s => identifiers.Contains(s.Identifier));
            }
        }

        public void UnsubscribeAll()
        {
            lock (this.gate)
            {
                this.subscribed.Clear();
                this.all = false;
                this.Drop(s => true);
            }
        }

        public IReadOnlyList<StreamTimeInfo> GetLastTimeInfo(string dataSource, string sessionKey)
        {
            lock (this.gate)
            {
                BufferedSession session;
                if (!this.sessions.TryGetValue(sessionKey ?? string.Empty, out session) || session.DataSource != dataSource)
                {
                    return new StreamTimeInfo[0];
                }

                return session.LastTimes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new StreamTimeInfo(p.Key, p.Value)).ToList();
            }
        }

        public void Handle(IReceivedPacketDto obj)
        {
            var samples = SampleDecoding.Decode(obj.Packet, id => this.Parameters(obj.DataSource, id));
            if (samples.Count == 0)
            {
                return;
            }

            lock (this.gate)
            {
                var session = this.Session(obj.SessionKey, obj.DataSource);
                foreach (var sample in samples)
                {
                    this.Known.Add(sample.Identifier);
                    ulong last;
                    session.LastTimes.TryGetValue(obj.Stream, out last);
                    session.LastTimes[obj.Stream] = Math.Max(last, sample.Timestamp);
                    if (this.all || this.subscribed.Contains(sample.Identifier))
                    {
                        session.Samples.Add(sample);
                    }
                }
            }
        }

        protected override void OnStart()
        {
            lock (this.gate)
            {
                if (this.reader != null)
                {
                    this.Attach();
                }
            }
        }

        protected override void OnStop()
        {
            if (this.reader != null)
            {
                this.reader.RemoveHandler(this);
                this.reader.SessionReadingStarted -= this.OnSessionStarted;
                this.reader.SessionReadingCompleted -= this.OnSessionCompleted;
            }

            List<string> open;
            lock (this.gate) open = this.sessions.Keys.ToList();
            foreach (var key in open)
            {
                this.Flush(key, null);
            }
        }

        private static List<string> Checked(IEnumerable<string> identifiers, string action)
        {
            if (identifiers == null)
            {
                throw new ArgumentNullException("parameterIdentifiers", action + ": the parameter list is null");
            }

            var list = identifiers.ToList();
            if (list.Any(string.IsNullOrEmpty))
            {
                throw new ArgumentException(action + ": a parameter identifier is null or empty", "parameterIdentifiers");
            }

            return list;
        }

        private void Attach()
        {
            this.reader.SessionReadingStarted += this.OnSessionStarted;
            this.reader.SessionReadingCompleted += this.OnSessionCompleted;
            this.reader.AddHandler(this);
        }

        private IList<string> Parameters(string dataSource, ulong formatId)
        {
            lock (this.broker.Gate)
            {
                var format = this.broker.Format(dataSource, formatId);
                return format == null ? null : format.Identifiers.ToList();
            }
        }

        private BufferedSession Session(string key, string dataSource)
        {
            BufferedSession session;
            if (!this.sessions.TryGetValue(key, out session))
            {
                session = new BufferedSession { DataSource = dataSource };
                this.sessions[key] = session;
            }

            return session;
        }

        private void Drop(Func<DecodedSample, bool> which)
        {
            foreach (var session in this.sessions.Values)
            {
                session.Samples.RemoveAll(s => which(s));
            }
        }

        private void OnSessionStarted(object sender, ISessionInfo info)
        {
            lock (this.gate)
            {
                var session = this.Session(info.SessionKey, info.DataSource);
                if (session.Started)
                {
                    return;
                }

                session.Started = true;
            }

            this.Begin(info.DataSource, info.SessionKey, info);
        }

        private void OnSessionCompleted(object sender, ISessionInfo info)
        {
            this.Flush(info.SessionKey, info);
        }

        private void Begin(string dataSource, string key, ISessionInfo info)
        {
            if (info != null && this.SessionDataMergingStarted != null)
            {
                this.SessionDataMergingStarted(this, info);
            }

            this.Deliver(new StartTimestampData(dataSource, key), new SampleData[] { new StartSampleData(dataSource, key) });
        }

        /// <summary>Delivers a session's buffered samples and its End sentinels, and forgets it.</summary>
        private void Flush(string key, ISessionInfo info)
        {
            BufferedSession session;
            lock (this.gate)
            {
                if (!this.sessions.TryGetValue(key, out session))
                {
                    return;
                }

                this.sessions.Remove(key);
            }

            if (!session.Started)
            {
                this.Begin(session.DataSource, key, null);
            }

            var samples = session.Samples.OrderBy(s => s.Timestamp).ToList();
            if (samples.Count > 0)
            {
                var start = samples[0].Timestamp;
                var end = samples[samples.Count - 1].Timestamp + 1;
                var columns = samples.GroupBy(s => s.Timestamp).Select(g => (ITimestampColumn)new TimestampColumn(
                    g.Key, g.Select(s => (ISampleValue)new SampleValue(s.Identifier, new GenericValue(s.Value), s.Status)).ToList())).ToList();
                var perParameter = samples.GroupBy(s => s.Identifier).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (SampleData)new SampleData(
                    session.DataSource, key, start, end, g.Key, g.Select(s => (ITimestampValue)new TimestampValue(s.Timestamp, new GenericValue(s.Value), s.Status)).ToList())).ToArray();
                this.Deliver(new TimestampData(session.DataSource, key, start, end, columns), perParameter);
            }

            this.Deliver(new EndTimestampData(session.DataSource, key), new SampleData[] { new EndSampleData(session.DataSource, key) });
            if (info != null && this.SessionDataMergingCompleted != null)
            {
                this.SessionDataMergingCompleted(this, info);
            }
        }

        private void Deliver(ITimestampData stamps, SampleData[] samples)
        {
            foreach (var handler in this.timestampHandlers)
            {
                Call(() => handler.Handle(stamps));
            }

            foreach (var sample in samples)
            {
                foreach (var handler in this.sampleHandlers)
                {
                    Call(() => handler.Handle(sample));
                }
            }
        }

        private static void Call(Action action)
        {
            try
            {
                action();
            }
            catch (Exception)
            {
                // One failing handler must not keep the data from the others.
            }
        }
    }
}
