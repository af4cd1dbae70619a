// MaSupportLib.Bridge: many packets per call into IPacketWriterService.WriteData.
// Python hands over one buffer of records by address and length: a Route record (data source,
// stream, session key) whenever the route changes, then PacketBytes records (serialized
// Packets). Each packet is parsed and written; refusals and exceptions are counted, not thrown.

using System;
using System.Runtime.InteropServices;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.WritingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;
using MA.Streaming.OpenData;

namespace MaSupportLib.Bridge
{
    public sealed class WriterBridge
    {
        private readonly IPacketWriterService writer;
        private byte[] scratch = new byte[0];

        public WriterBridge(IPacketWriterService writer)
        {
            this.writer = writer;
        }

        /// <summary>Writes the records at address (length bytes); "" when every packet was written,
        /// else "N of M packet(s) refused: first reason".</summary>
        public string WriteBatch(long address, int length)
        {
            if (this.scratch.Length < length)
            {
                this.scratch = new byte[Math.Max(length, this.scratch.Length * 2)];
            }

            Marshal.Copy(new IntPtr(address), this.scratch, 0, length);
            return this.WriteRecords(this.scratch, length);
        }

        /// <summary>WriteInfo of the serialized Packet at address (length bytes).</summary>
        public ApiResult<bool?> WriteInfo(long address, int length, int infoType)
        {
            var bytes = new byte[length];
            Marshal.Copy(new IntPtr(address), bytes, 0, length);
            return this.writer.WriteInfo(Packet.Parser.ParseFrom(bytes), (InfoType)infoType);
        }

        /// <summary>The same for records already in a managed array.</summary>
        public string WriteRecords(byte[] records, int length)
        {
            var frames = new FrameReader(records, length);
            string dataSource = string.Empty, stream = string.Empty, sessionKey = string.Empty;
            string firstFailure = null;
            int written = 0, refused = 0;
            while (!frames.AtEnd)
            {
                var kind = frames.Byte();
                if (kind == RecordKind.Route)
                {
                    dataSource = frames.String();
                    stream = frames.String();
                    sessionKey = frames.String();
                    continue;
                }

                if (kind != RecordKind.PacketBytes)
                {
                    throw new ArgumentException("unknown writer record kind " + kind);
                }

                int count;
                var start = frames.Span(out count);
                string failure;
                try
                {
                    var packet = Packet.Parser.ParseFrom(records, start, count);
                    var result = this.writer.WriteData(dataSource, stream, sessionKey, packet);
                    failure = result.Success ? null : result.Message;
                }
                catch (Exception exc)
                {
                    failure = exc.GetType().FullName + ": " + exc.Message;
                }

                if (failure == null)
                {
                    written++;
                }
                else
                {
                    refused++;
                    firstFailure = firstFailure ?? failure;
                }
            }

            return refused == 0 ? string.Empty : refused + " of " + (written + refused) + " packet(s) refused: " + firstFailure;
        }
    }
}
