// MaSupportLib.Bridge: the frame format shared with ma_support_lib/backends/dotnet/frames.py.
// Little-endian; a string is an int32 byte count and UTF-8; a list is an int32 count and items.

using System;
using System.Collections.Generic;
using System.Text;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.DataFormatInfoModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule.Abstractions;

namespace MaSupportLib.Bridge
{
    /// <summary>Record kinds (the first byte of every record).</summary>
    public static class RecordKind
    {
        public const byte Packet = 1;
        public const byte SessionInfo = 2;
        public const byte StreamInfo = 3;
        public const byte CoverageCursor = 4;
        public const byte Association = 5;
        public const byte DataFormatInfo = 6;
        public const byte Log = 7;
        public const byte TimestampData = 8;
        public const byte SampleData = 9;
        public const byte Batch = 10;
        public const byte ProcessRequest = 11;

        // Writer batches (Python to .NET).
        public const byte Route = 101;
        public const byte PacketBytes = 102;
    }

    /// <summary>A growable byte buffer that records are appended to.</summary>
    public sealed class FrameWriter
    {
        private byte[] buffer = new byte[4096];

        public int Length { get; private set; }

        public void Byte(byte value)
        {
            this.Reserve(1);
            this.buffer[this.Length++] = value;
        }

        public void Int32(int value)
        {
            this.Reserve(4);
            for (var i = 0; i < 4; i++)
            {
                this.buffer[this.Length++] = (byte)(value >> (8 * i));
            }
        }

        public void Int64(long value)
        {
            this.Reserve(8);
            for (var i = 0; i < 8; i++)
            {
                this.buffer[this.Length++] = (byte)(value >> (8 * i));
            }
        }

        public void Double(double value)
        {
            this.Int64(BitConverter.DoubleToInt64Bits(value));
        }

        public void String(string value)
        {
            var text = value ?? string.Empty;
            var count = Encoding.UTF8.GetByteCount(text);
            this.Int32(count);
            this.Reserve(count);
            this.Length += Encoding.UTF8.GetBytes(text, 0, text.Length, this.buffer, this.Length);
        }

        public void Strings(IReadOnlyList<string> values)
        {
            this.Int32(values == null ? 0 : values.Count);
            if (values != null)
            {
                foreach (var value in values)
                {
                    this.String(value);
                }
            }
        }

        public void Bytes(byte[] value)
        {
            this.Int32(value.Length);
            this.Reserve(value.Length);
            Buffer.BlockCopy(value, 0, this.buffer, this.Length, value.Length);
            this.Length += value.Length;
        }

        public byte[] ToArray()
        {
            var copy = new byte[this.Length];
            Buffer.BlockCopy(this.buffer, 0, copy, 0, this.Length);
            return copy;
        }

        public void Reset()
        {
            this.Length = 0;
            if (this.buffer.Length > 1 << 20)
            {
                this.buffer = new byte[4096];
            }
        }

        private void Reserve(int count)
        {
            if (this.Length + count <= this.buffer.Length)
            {
                return;
            }

            var grown = new byte[Math.Max(this.buffer.Length * 2, this.Length + count)];
            Buffer.BlockCopy(this.buffer, 0, grown, 0, this.Length);
            this.buffer = grown;
        }
    }

    /// <summary>A reader over frames written by Python (writer batches).</summary>
    public sealed class FrameReader
    {
        private readonly byte[] buffer;
        private readonly int end;

        public FrameReader(byte[] buffer, int length)
        {
            this.buffer = buffer;
            this.end = length;
        }

        public int Position { get; private set; }

        public bool AtEnd { get { return this.Position >= this.end; } }

        public byte Byte()
        {
            this.Need(1);
            return this.buffer[this.Position++];
        }

        public int Int32()
        {
            this.Need(4);
            var value = BitConverter.ToInt32(this.buffer, this.Position);
            this.Position += 4;
            return value;
        }

        public string String()
        {
            var count = this.Int32();
            this.Need(count);
            var text = Encoding.UTF8.GetString(this.buffer, this.Position, count);
            this.Position += count;
            return text;
        }

        /// <summary>Skips an int32-counted byte run and returns where it starts.</summary>
        public int Span(out int count)
        {
            count = this.Int32();
            this.Need(count);
            var start = this.Position;
            this.Position += count;
            return start;
        }

        private void Need(int count)
        {
            if (count < 0 || this.Position + count > this.end)
            {
                throw new ArgumentException("truncated frame at byte " + this.Position);
            }
        }
    }

    /// <summary>Encodes the library's result and event types.</summary>
    public static class Codec
    {
        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public static long UnixNanoseconds(DateTime time)
        {
            var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
            return (utc - Epoch).Ticks * 100;
        }

        public static void Write(FrameWriter frames, ISessionInfo info)
        {
            frames.String(info.SessionKey);
            frames.String(info.DataSource);
            frames.String(info.Identifier);
            frames.String(info.Type);
            frames.Int64(info.Version);
            frames.Byte(info.Historical ? (byte)1 : (byte)0);
            frames.Int64(info.UtcOffset.Ticks);
            var details = info.Details;
            frames.Int32(details == null ? 0 : details.Count);
            if (details != null)
            {
                foreach (var pair in details)
                {
                    frames.String(pair.Key);
                    frames.String(pair.Value);
                }
            }

            frames.Strings(info.AssociateSessionKeys);
        }

        public static void Write(FrameWriter frames, DataFormatInfo info)
        {
            frames.String(info.DataSource);
            frames.String(info.Key);
            var ids = info.DataFormats;
            frames.Int32(ids == null ? 0 : ids.Count);
            if (ids != null)
            {
                foreach (var id in ids)
                {
                    frames.Int64((long)id);
                }
            }

            frames.Strings(info.Identifiers);
            frames.Byte((byte)info.DataFormatInfoType);
        }

        /// <summary>One session info, encoded (for results Python decodes).</summary>
        public static byte[] SessionInfo(ISessionInfo info)
        {
            var frames = new FrameWriter();
            Write(frames, info);
            return frames.ToArray();
        }

        public static byte[] SessionInfos(IReadOnlyList<ISessionInfo> infos)
        {
            var frames = new FrameWriter();
            frames.Int32(infos.Count);
            foreach (var info in infos)
            {
                Write(frames, info);
            }

            return frames.ToArray();
        }

        public static byte[] DataFormatInfos(IReadOnlyList<DataFormatInfo> infos)
        {
            var frames = new FrameWriter();
            frames.Int32(infos.Count);
            foreach (var info in infos)
            {
                Write(frames, info);
            }

            return frames.ToArray();
        }
    }
}
