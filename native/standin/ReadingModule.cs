// TEST STAND-IN, not the vendor library: the reader module's public surface. Each reader runs
// one .NET thread that follows the in-memory broker and raises handlers and events from it.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;

using Google.Protobuf;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.StandIn;
using MA.Streaming.OpenData;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.ReadingModule
{
    public enum ReadingType
    {
        Live = 0,
        Historic = 1,
        Both = 2,
    }

    public interface IPacketReadingConfiguration
    {
        string SessionKey { get; }

        uint InactivityTimeoutSeconds { get; }

        bool ExcludeMainStream { get; }

        string DataSource { get; }

        string SessionIdentifierPattern { get; }

        ReadingType ReadingType { get; }

        IReadOnlyList<string> Streams { get; }
    }

    public class PacketReadingConfiguration : IPacketReadingConfiguration
    {
        public PacketReadingConfiguration(
            string dataSource = "Default",
            string sessionIdentifierPattern = "*",
            ReadingType? readingType = ReadingType.Live,
            IReadOnlyList<string> streams = null,
            bool? excludeMainStream = false,
            uint? inactivityTimeoutSeconds = 30,
            string sessionKey = null)
        {
            this.DataSource = dataSource ?? "Default";
            this.SessionIdentifierPattern = sessionIdentifierPattern ?? "*";
            this.ReadingType = readingType ?? ReadingType.Live;
            this.Streams = streams ?? new string[0];
            this.ExcludeMainStream = excludeMainStream ?? false;
            this.InactivityTimeoutSeconds = inactivityTimeoutSeconds ?? 30;
            this.SessionKey = sessionKey;
        }

        public string SessionKey { get; private set; }

        public uint InactivityTimeoutSeconds { get; private set; }

        public bool ExcludeMainStream { get; private set; }

        public string DataSource { get; private set; }

        public string SessionIdentifierPattern { get; private set; }

        public ReadingType ReadingType { get; private set; }

        public IReadOnlyList<string> Streams { get; private set; }
    }

    public interface IReceivedPacketDto
    {
        string DataSource { get; }

        string SessionKey { get; }

        Packet Packet { get; }

        DateTime SubmitTime { get; }

        string Stream { get; }
    }

    public interface IStreamInfo
    {
        string Stream { get; }

        string SessionKey { get; }

        string DataSource { get; }
    }

    public interface ICoverageCursorInfo
    {
        string DataSource { get; }

        string SessionKey { get; }

        ulong CoverageCursorTime { get; }
    }

    public interface IPacketReadingModuleApi : IModuleApi
    {
        ApiResult<IPacketReaderService> CreateService(string dataSource, string sessionKey);

        ApiResult<IPacketReaderService> CreateService(IPacketReadingConfiguration config);
    }

    public interface IPacketReaderService : IModuleApiService
    {
        event EventHandler<ISessionInfo> SessionReadingStarted;

        event EventHandler<ISessionInfo> SessionReadingCompleted;

        event EventHandler<IStreamInfo> StreamReadingStarted;

        event EventHandler<IStreamInfo> StreamReadingCompleted;

        event EventHandler<ISessionInfo> SessionInfoUpdated;

        event EventHandler<ISessionAssociationInfo> SessionAssociationInfoUpdated;

        event EventHandler<ICoverageCursorInfo> CoverageCursorReceived;

        Guid Id { get; }

        void AddHandler(IHandler<IReceivedPacketDto> handler);

        void RemoveHandler(IHandler<IReceivedPacketDto> handler);
    }

    internal sealed class ReceivedPacketDto : IReceivedPacketDto
    {
        public string DataSource { get; internal set; }

        public string SessionKey { get; internal set; }

        public Packet Packet { get; internal set; }

        public DateTime SubmitTime { get; internal set; }

        public string Stream { get; internal set; }
    }

    internal sealed class StreamInfo : IStreamInfo
    {
        public string Stream { get; internal set; }

        public string SessionKey { get; internal set; }

        public string DataSource { get; internal set; }
    }

    internal sealed class CoverageCursorInfo : ICoverageCursorInfo
    {
        public string DataSource { get; internal set; }

        public string SessionKey { get; internal set; }

        public ulong CoverageCursorTime { get; internal set; }
    }

    internal sealed class PacketReadingModuleApi : IPacketReadingModuleApi
    {
        private readonly Func<Broker> broker;

        internal PacketReadingModuleApi(Func<Broker> broker)
        {
            this.broker = broker;
        }

        public ApiResult<IPacketReaderService> CreateService(string dataSource, string sessionKey)
        {
            return this.CreateService(new PacketReadingConfiguration(dataSource, sessionKey: sessionKey));
        }

        public ApiResult<IPacketReaderService> CreateService(IPacketReadingConfiguration config)
        {
            var broker = this.broker();
            if (!string.IsNullOrEmpty(config.SessionKey))
            {
                lock (broker.Gate)
                {
                    var record = broker.Session(config.SessionKey, false);
                    if (record == null || !record.Registered)
                    {
                        return new ApiResult<IPacketReaderService>(false, "unknown session key '" + config.SessionKey + "'", null);
                    }
                }
            }

            return new ApiResult<IPacketReaderService>(true, string.Empty, new PacketReaderService(broker, config));
        }
    }

    /// <summary>One session being read: per-stream cursors and what has been announced.</summary>
    internal sealed class Reading
    {
        internal readonly Dictionary<string, int> Cursors = new Dictionary<string, int>();
        internal readonly List<string> Started = new List<string>();
        internal readonly HashSet<string> Ended = new HashSet<string>();
        internal SessionRecord Record;
        internal DateTime LastActivity;
        internal int Revision;
        internal int Associates;
        internal bool Announced;
    }

    internal sealed class PacketReaderService : StandInServiceModel, IPacketReaderService
    {
        private static readonly TimeSpan QuietAfterEnd = TimeSpan.FromMilliseconds(500);
        private readonly Broker broker;
        private readonly IPacketReadingConfiguration config;
        private readonly Regex pattern;
        private readonly HashSet<string> considered = new HashSet<string>();
        private readonly HashSet<string> endedAtStart = new HashSet<string>();
        private readonly List<Reading> live = new List<Reading>();
        private readonly Queue<Reading> historic = new Queue<Reading>();
        private IHandler<IReceivedPacketDto>[] handlers = new IHandler<IReceivedPacketDto>[0];
        private Thread thread;
        private volatile bool running;

        internal PacketReaderService(Broker broker, IPacketReadingConfiguration config)
        {
            this.broker = broker;
            this.config = config;
            var glob = Regex.Escape(config.SessionIdentifierPattern ?? "*").Replace("\\*", ".*").Replace("\\?", ".");
            this.pattern = new Regex("^" + glob + "$");
        }

        public event EventHandler<ISessionInfo> SessionReadingStarted;

        public event EventHandler<ISessionInfo> SessionReadingCompleted;

        public event EventHandler<IStreamInfo> StreamReadingStarted;

        public event EventHandler<IStreamInfo> StreamReadingCompleted;

        public event EventHandler<ISessionInfo> SessionInfoUpdated;

        public event EventHandler<ISessionAssociationInfo> SessionAssociationInfoUpdated;

        public event EventHandler<ICoverageCursorInfo> CoverageCursorReceived;

        public void AddHandler(IHandler<IReceivedPacketDto> handler)
        {
            lock (this.considered)
            {
                this.handlers = this.handlers.Concat(new[] { handler }).ToArray();
            }
        }

        public void RemoveHandler(IHandler<IReceivedPacketDto> handler)
        {
            lock (this.considered)
            {
                var list = this.handlers.ToList();
                list.Remove(handler);
                this.handlers = list.ToArray();
            }
        }

        protected override void OnStart()
        {
            lock (this.broker.Gate)
            {
                foreach (var record in this.broker.Sessions.Where(s => s.Historical))
                {
                    this.endedAtStart.Add(record.Key);
                }
            }

            this.running = true;
            this.thread = new Thread(this.Run) { IsBackground = true, Name = "stand-in packet reader" };
            this.thread.Start();
        }

        protected override void OnStop()
        {
            this.running = false;
            lock (this.broker.Gate)
            {
                Monitor.PulseAll(this.broker.Gate);
            }

            if (this.thread != null && this.thread != Thread.CurrentThread)
            {
                this.thread.Join();
            }
        }

        private static void Raise<T>(EventHandler<T> handler, object sender, T args)
        {
            if (handler != null)
            {
                handler(sender, args);
            }
        }

        private void Run()
        {
            while (this.running)
            {
                var work = new List<Action>();
                lock (this.broker.Gate)
                {
                    this.Discover(work);
                    foreach (var reading in this.Active())
                    {
                        if (!this.Collect(reading, work))
                        {
                            this.CompleteIfDone(reading, work);
                        }
                    }

                    if (work.Count == 0 && this.running)
                    {
                        Monitor.Wait(this.broker.Gate, 50);
                    }
                }

                foreach (var action in work)
                {
                    if (!this.running)
                    {
                        break;
                    }

                    try
                    {
                        action();
                    }
                    catch (Exception)
                    {
                        // A failing handler or subscriber must not stop reading.
                    }
                }
            }
        }

        private List<Reading> Active()
        {
            var active = this.live.ToList();
            if (this.historic.Count > 0)
            {
                active.Add(this.historic.Peek());
            }

            return active;
        }

        private void Discover(List<Action> work)
        {
            if (!string.IsNullOrEmpty(this.config.SessionKey))
            {
                var record = this.broker.Session(this.config.SessionKey, false);
                if (record != null && this.considered.Add(record.Key))
                {
                    this.live.Add(this.Begin(record, work));
                }

                return;
            }

            var type = this.config.ReadingType;
            foreach (var record in this.broker.Sessions)
            {
                if (record.DataSource != this.config.DataSource || this.considered.Contains(record.Key))
                {
                    continue;
                }

                var matches = this.pattern.IsMatch(record.Identifier);
                if (this.endedAtStart.Contains(record.Key))
                {
                    this.considered.Add(record.Key);
                    if (type != ReadingType.Live && matches)
                    {
                        this.historic.Enqueue(this.Begin(record, null));
                    }
                }
                else if (type == ReadingType.Historic || (record.Historical && !matches))
                {
                    this.considered.Add(record.Key);
                }
                else if (matches)
                {
                    this.considered.Add(record.Key);
                    this.live.Add(this.Begin(record, work));
                }
            }
        }

        /// <summary>A new reading; its start event goes to work now, or when it reaches the head of the historic queue.</summary>
        private Reading Begin(SessionRecord record, List<Action> work)
        {
            var reading = new Reading { Record = record, LastActivity = DateTime.UtcNow, Revision = record.Revision, Associates = record.Associates.Count };
            if (work != null)
            {
                this.Announce(reading, work);
            }

            return reading;
        }

        private void Announce(Reading reading, List<Action> work)
        {
            reading.Announced = true;
            var info = reading.Record.Snapshot();
            work.Add(() => Raise(this.SessionReadingStarted, this, info));
        }

        private bool Selected(string stream)
        {
            if (stream.Length == 0)
            {
                return !this.config.ExcludeMainStream;
            }

            return this.config.Streams.Count == 0 || this.config.Streams.Contains(stream);
        }

        /// <summary>Queues what is new in a reading; true if anything was.</summary>
        private bool Collect(Reading reading, List<Action> work)
        {
            if (this.historic.Count > 0 && reading == this.historic.Peek() && !reading.Announced)
            {
                this.Announce(reading, work);
            }

            var record = reading.Record;
            var found = false;
            foreach (var stream in record.StreamOrder.Where(this.Selected))
            {
                var packets = record.Streams[stream];
                int cursor;
                reading.Cursors.TryGetValue(stream, out cursor);
                for (; cursor < packets.Count; cursor++)
                {
                    this.Deliver(reading, stream, packets[cursor], work);
                    found = true;
                }

                reading.Cursors[stream] = cursor;
            }

            if (record.Revision != reading.Revision)
            {
                reading.Revision = record.Revision;
                var info = record.Snapshot();
                work.Add(() => Raise(this.SessionInfoUpdated, this, info));
                for (; reading.Associates < record.Associates.Count; reading.Associates++)
                {
                    var other = this.broker.Session(record.Associates[reading.Associates], false);
                    var association = new SessionAssociationInfo(info, other == null ? null : other.Snapshot(), string.Empty);
                    work.Add(() => Raise(this.SessionAssociationInfoUpdated, this, (ISessionAssociationInfo)association));
                }
            }

            if (found)
            {
                reading.LastActivity = DateTime.UtcNow;
            }

            return found;
        }

        private void Deliver(Reading reading, string stream, StoredPacket stored, List<Action> work)
        {
            var record = reading.Record;
            var dataSource = record.DataSource;
            if (!reading.Started.Contains(stream))
            {
                reading.Started.Add(stream);
                var info = new StreamInfo { Stream = stream, SessionKey = record.Key, DataSource = dataSource };
                work.Add(() => Raise(this.StreamReadingStarted, this, (IStreamInfo)info));
            }

            var packet = stored.Packet;
            if (packet.Type == "EndOfSession")
            {
                reading.Ended.Add(stream);
            }

            var dto = new ReceivedPacketDto { DataSource = dataSource, SessionKey = record.Key, Packet = packet, SubmitTime = stored.SubmitTime, Stream = stream };
            work.Add(() =>
            {
                foreach (var handler in this.handlers)
                {
                    try
                    {
                        handler.Handle(dto);
                    }
                    catch (Exception)
                    {
                        // One failing handler must not keep the packet from the others.
                    }
                }
            });
            if (packet.Type == "CoverageCursorInfo")
            {
                var cursor = CoverageCursor(packet, record.Key, dataSource);
                work.Add(() => Raise(this.CoverageCursorReceived, this, cursor));
            }
        }

        private static ICoverageCursorInfo CoverageCursor(Packet packet, string sessionKey, string dataSource)
        {
            var content = packet.Content.ToByteArray();
            var reader = new WireReader(content, 0, content.Length);
            var info = new CoverageCursorInfo { DataSource = dataSource, SessionKey = sessionKey };
            int field, wireType;
            while (reader.Next(out field, out wireType))
            {
                if (field == 2 && wireType == 1) info.CoverageCursorTime = reader.Fixed64();
                else reader.Skip(wireType);
            }

            return info;
        }

        private void CompleteIfDone(Reading reading, List<Action> work)
        {
            if (!reading.Announced)
            {
                return;
            }

            var quiet = DateTime.UtcNow - reading.LastActivity;
            var ended = reading.Started.Count > 0 && reading.Started.All(reading.Ended.Contains);
            var done = quiet >= TimeSpan.FromSeconds(this.config.InactivityTimeoutSeconds)
                || reading.Record.Historical
                || (ended && quiet >= QuietAfterEnd);
            if (!done)
            {
                return;
            }

            foreach (var stream in reading.Started)
            {
                var info = new StreamInfo { Stream = stream, SessionKey = reading.Record.Key, DataSource = reading.Record.DataSource };
                work.Add(() => Raise(this.StreamReadingCompleted, this, (IStreamInfo)info));
            }

            var session = reading.Record.Snapshot();
            work.Add(() => Raise(this.SessionReadingCompleted, this, session));
            if (this.historic.Count > 0 && this.historic.Peek() == reading)
            {
                this.historic.Dequeue();
            }
            else
            {
                this.live.Remove(reading);
            }
        }
    }
}
