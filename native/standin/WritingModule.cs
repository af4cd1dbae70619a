// TEST STAND-IN, not the vendor library: the writer module's public surface. Packets are stored
// in the in-memory broker at once; SessionInfo info packets merge into the session's details.

using System;
using System.Text;

using Google.Protobuf;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.StandIn;
using MA.Streaming.OpenData;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.WritingModule
{
    public enum InfoType
    {
        Unspecified,
        SessionInfo,
        SystemStatus,
    }

    public interface IPacketWritingModuleApi : IModuleApi
    {
        ApiResult<IPacketWriterService> CreateService();
    }

    public interface IPacketWriterService : IModuleApiService
    {
        ApiResult<bool?> WriteData(string dataSource, string stream, string sessionKey, Packet packet);

        ApiResult<bool?> WriteInfo(Packet packet, InfoType infoType = InfoType.SessionInfo);
    }

    internal sealed class PacketWritingModuleApi : IPacketWritingModuleApi
    {
        private readonly Func<Broker> broker;

        internal PacketWritingModuleApi(Func<Broker> broker)
        {
            this.broker = broker;
        }

        public ApiResult<IPacketWriterService> CreateService()
        {
            return new ApiResult<IPacketWriterService>(true, string.Empty, new PacketWriterService(this.broker()));
        }
    }

    internal sealed class PacketWriterService : StandInServiceModel, IPacketWriterService
    {
        private static readonly ApiResult<bool?> Written = new ApiResult<bool?>(true, string.Empty, true);
        private readonly Broker broker;

        internal PacketWriterService(Broker broker)
        {
            this.broker = broker;
        }

        public ApiResult<bool?> WriteData(string dataSource, string stream, string sessionKey, Packet packet)
        {
            var refusal = this.Refusal<bool?>("WriteData");
            if (refusal != null)
            {
                return refusal;
            }

            if (string.IsNullOrEmpty(dataSource) || packet == null)
            {
                throw new ArgumentException("WriteData needs a data source and a packet");
            }

            lock (this.broker.Gate)
            {
                var record = this.broker.Session(sessionKey ?? string.Empty, true);
                if (!record.Registered && record.DataSource.Length == 0)
                {
                    record.DataSource = dataSource;
                }

                record.Stream(stream ?? string.Empty).Add(new StoredPacket { Packet = packet, SubmitTime = DateTime.UtcNow });
                this.broker.Changed(null);
            }

            return Written;
        }

        public ApiResult<bool?> WriteInfo(Packet packet, InfoType infoType = InfoType.SessionInfo)
        {
            var refusal = this.Refusal<bool?>("WriteInfo");
            if (refusal != null)
            {
                return refusal;
            }

            if (packet == null)
            {
                throw new ArgumentNullException("packet");
            }

            if (infoType != InfoType.SessionInfo || packet.Type != "SessionInfo")
            {
                return Written;
            }

            var content = packet.Content.ToByteArray();
            lock (this.broker.Gate)
            {
                var record = this.broker.Session(packet.SessionKey, false);
                if (record == null || !record.Registered)
                {
                    return new ApiResult<bool?>(false, "unknown session key '" + packet.SessionKey + "'", null);
                }

                MergeSessionInfo(record, content);
                record.Revision++;
                this.broker.Changed(new SessionChange { Kind = SessionChangeKind.StateChanged, Session = record.Snapshot() });
            }

            return Written;
        }

        /// <summary>Identifier (field 2) and details (map field 6) of a SessionInfoPacket.</summary>
        private static void MergeSessionInfo(SessionRecord record, byte[] content)
        {
            var reader = new WireReader(content, 0, content.Length);
            int field, wireType;
            while (reader.Next(out field, out wireType))
            {
                if (field == 2 && wireType == 2)
                {
                    var identifier = reader.String();
                    if (identifier.Length > 0)
                    {
                        record.Identifier = identifier;
                    }
                }
                else if (field == 6 && wireType == 2)
                {
                    var entry = reader.Bytes();
                    var pair = new WireReader(entry, 0, entry.Length);
                    string key = string.Empty, value = string.Empty;
                    int entryField, entryType;
                    while (pair.Next(out entryField, out entryType))
                    {
                        if (entryField == 1 && entryType == 2) key = pair.String();
                        else if (entryField == 2 && entryType == 2) value = pair.String();
                        else pair.Skip(entryType);
                    }

                    record.Details[key] = value;
                }
                else
                {
                    reader.Skip(wireType);
                }
            }
        }
    }
}
