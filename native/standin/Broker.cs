// TEST STAND-IN, not the vendor library: the in-memory "broker" behind the stand-in's services.
// One Broker per BrokerUrl in this process, so library objects on the same URL share sessions,
// data formats and packets, as clients of one Kafka cluster would.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.DataFormatInfoModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule.Abstractions;
using MA.Streaming.OpenData;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.StandIn
{
    internal enum SessionChangeKind
    {
        Started,
        StateChanged,
        Ended,
        Associated,
    }

    internal sealed class SessionChange
    {
        internal SessionChangeKind Kind;
        internal ISessionInfo Session;
        internal ISessionInfo Associate;
    }

    internal sealed class StoredPacket
    {
        internal Packet Packet;
        internal DateTime SubmitTime;
    }

    internal sealed class SessionRecord
    {
        internal readonly List<string> Associates = new List<string>();
        internal readonly Dictionary<string, string> Details = new Dictionary<string, string>();
        internal readonly Dictionary<string, List<StoredPacket>> Streams = new Dictionary<string, List<StoredPacket>>();
        internal readonly List<string> StreamOrder = new List<string>();
        internal string Key;
        internal string DataSource;
        internal string Identifier;
        internal string Type;
        internal uint Version;
        internal TimeSpan UtcOffset;
        internal bool Historical;
        internal bool Registered;
        internal int Revision;

        internal ISessionInfo Snapshot()
        {
            return new SessionInfoSnapshot(this);
        }

        internal List<StoredPacket> Stream(string name)
        {
            List<StoredPacket> packets;
            if (!this.Streams.TryGetValue(name, out packets))
            {
                packets = new List<StoredPacket>();
                this.Streams[name] = packets;
                this.StreamOrder.Add(name);
            }

            return packets;
        }
    }

    internal sealed class SessionInfoSnapshot : ISessionInfo
    {
        internal SessionInfoSnapshot(SessionRecord record)
        {
            this.SessionKey = record.Key;
            this.DataSource = record.DataSource;
            this.Identifier = record.Identifier;
            this.Type = record.Type;
            this.Version = record.Version;
            this.Historical = record.Historical;
            this.UtcOffset = record.UtcOffset;
            this.Details = new Dictionary<string, string>(record.Details);
            this.AssociateSessionKeys = record.Associates.ToList();
        }

        public string SessionKey { get; private set; }

        public string DataSource { get; private set; }

        public string Identifier { get; private set; }

        public string Type { get; private set; }

        public uint Version { get; private set; }

        public bool Historical { get; private set; }

        public TimeSpan UtcOffset { get; private set; }

        public IReadOnlyDictionary<string, string> Details { get; private set; }

        public IReadOnlyList<string> AssociateSessionKeys { get; private set; }
    }

    internal sealed class FormatRecord
    {
        internal ulong Id;
        internal DataFormatInfoType Kind;
        internal List<string> Identifiers;

        internal DataFormatInfo Info(string dataSource)
        {
            return new DataFormatInfo(dataSource, string.Join(",", this.Identifiers), new[] { this.Id }, this.Identifiers.ToList(), this.Kind);
        }
    }

    internal sealed class Broker
    {
        private static readonly Dictionary<string, Broker> Brokers = new Dictionary<string, Broker>();

        internal readonly object Gate = new object();
        internal readonly List<SessionRecord> Sessions = new List<SessionRecord>();
        internal readonly Dictionary<string, SessionRecord> ByKey = new Dictionary<string, SessionRecord>();
        internal readonly Dictionary<string, List<FormatRecord>> Formats = new Dictionary<string, List<FormatRecord>>();

        private readonly List<Action<SessionChange>> listeners = new List<Action<SessionChange>>();
        private readonly BlockingCollection<SessionChange> changes = new BlockingCollection<SessionChange>();
        private ulong nextFormatId = 1000;

        private Broker(string url)
        {
            var dispatcher = new Thread(this.Dispatch) { IsBackground = true, Name = "stand-in broker events " + url };
            dispatcher.Start();
        }

        internal static Broker For(string url)
        {
            lock (Brokers)
            {
                Broker broker;
                if (!Brokers.TryGetValue(url, out broker))
                {
                    broker = new Broker(url);
                    Brokers[url] = broker;
                }

                return broker;
            }
        }

        internal void AddListener(Action<SessionChange> listener)
        {
            lock (this.listeners)
            {
                this.listeners.Add(listener);
            }
        }

        internal void RemoveListener(Action<SessionChange> listener)
        {
            lock (this.listeners)
            {
                this.listeners.Remove(listener);
            }
        }

        /// <summary>Records a change (call with Gate held): wakes readers, queues session events.</summary>
        internal void Changed(SessionChange change)
        {
            Monitor.PulseAll(this.Gate);
            if (change != null)
            {
                this.changes.Add(change);
            }
        }

        internal SessionRecord Session(string key, bool create)
        {
            SessionRecord record;
            if (!this.ByKey.TryGetValue(key, out record) && create)
            {
                record = new SessionRecord { Key = key, DataSource = string.Empty, Identifier = string.Empty, Type = "Session", Version = 1 };
                this.ByKey[key] = record;
            }

            return record;
        }

        internal FormatRecord Format(string dataSource, DataFormatInfoType kind, List<string> identifiers, bool create)
        {
            List<FormatRecord> formats;
            if (!this.Formats.TryGetValue(dataSource, out formats))
            {
                formats = new List<FormatRecord>();
                this.Formats[dataSource] = formats;
            }

            var found = formats.FirstOrDefault(f => f.Kind == kind && f.Identifiers.SequenceEqual(identifiers));
            if (found == null && create)
            {
                found = new FormatRecord { Id = this.nextFormatId++, Kind = kind, Identifiers = identifiers };
                formats.Add(found);
            }

            return found;
        }

        internal FormatRecord Format(string dataSource, ulong id)
        {
            List<FormatRecord> formats;
            return this.Formats.TryGetValue(dataSource, out formats) ? formats.FirstOrDefault(f => f.Id == id) : null;
        }

        private void Dispatch()
        {
            foreach (var change in this.changes.GetConsumingEnumerable())
            {
                Action<SessionChange>[] current;
                lock (this.listeners)
                {
                    current = this.listeners.ToArray();
                }

                foreach (var listener in current)
                {
                    try
                    {
                        listener(change);
                    }
                    catch (Exception)
                    {
                        // A failing subscriber must not stop the others.
                    }
                }
            }
        }
    }
}
