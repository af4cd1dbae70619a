// TEST STAND-IN, not the vendor library and not Google.Protobuf.
// The few members of Google.Protobuf and of the Open Data Packet class that the Support Library
// surface and our bridge facade use, with a small protobuf wire reader/writer, so the facade
// compiles and runs against the stand-in on Mono.

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Google.Protobuf
{
    /// <summary>Stand-in: a message that can write itself in protobuf wire format.</summary>
    public interface IMessage
    {
        void WriteTo(Stream output);
    }

    /// <summary>Stand-in: immutable bytes.</summary>
    public sealed class ByteString
    {
        private readonly byte[] bytes;

        private ByteString(byte[] bytes)
        {
            this.bytes = bytes;
        }

        public static ByteString Empty { get { return new ByteString(new byte[0]); } }

        public int Length { get { return this.bytes.Length; } }

        public static ByteString CopyFrom(byte[] bytes)
        {
            return new ByteString((byte[])bytes.Clone());
        }

        public static ByteString CopyFrom(byte[] bytes, int offset, int count)
        {
            var copy = new byte[count];
            Buffer.BlockCopy(bytes, offset, copy, 0, count);
            return new ByteString(copy);
        }

        public byte[] ToByteArray()
        {
            return (byte[])this.bytes.Clone();
        }

        internal byte[] Unsafe { get { return this.bytes; } }
    }

    /// <summary>Stand-in: parses messages of one type.</summary>
    public sealed class MessageParser<T> where T : IMessage
    {
        private readonly Func<byte[], int, int, T> parse;

        public MessageParser(Func<byte[], int, int, T> parse)
        {
            this.parse = parse;
        }

        public T ParseFrom(byte[] data)
        {
            return this.parse(data, 0, data.Length);
        }

        public T ParseFrom(byte[] data, int offset, int length)
        {
            return this.parse(data, offset, length);
        }
    }

    /// <summary>Stand-in: raised for bytes that are not a valid message.</summary>
    public sealed class InvalidProtocolBufferException : IOException
    {
        public InvalidProtocolBufferException(string message) : base(message)
        {
        }
    }

    public static class MessageExtensions
    {
        public static byte[] ToByteArray(this IMessage message)
        {
            using (var stream = new MemoryStream())
            {
                message.WriteTo(stream);
                return stream.ToArray();
            }
        }
    }

    /// <summary>Stand-in helper: one protobuf field at a time.</summary>
    internal sealed class WireReader
    {
        private readonly byte[] data;
        private readonly int end;
        private int position;

        internal WireReader(byte[] data, int offset, int length)
        {
            if (offset < 0 || length < 0 || offset + length > data.Length)
            {
                throw new ArgumentOutOfRangeException("length", "the range lies outside the buffer");
            }

            this.data = data;
            this.position = offset;
            this.end = offset + length;
        }

        internal bool More { get { return this.position < this.end; } }

        internal bool Next(out int field, out int wireType)
        {
            field = 0;
            wireType = 0;
            if (this.position >= this.end)
            {
                return false;
            }

            var key = this.Varint();
            field = (int)(key >> 3);
            wireType = (int)(key & 7);
            if (field == 0)
            {
                throw new InvalidProtocolBufferException("field number 0");
            }

            return true;
        }

        internal ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (this.position >= this.end)
                {
                    throw new InvalidProtocolBufferException("truncated varint");
                }

                var b = this.data[this.position++];
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidProtocolBufferException("malformed varint");
        }

        internal ulong Fixed64()
        {
            this.Need(8);
            var value = BitConverter.ToUInt64(this.data, this.position);
            this.position += 8;
            return value;
        }

        internal byte[] Bytes()
        {
            var length = (int)this.Varint();
            this.Need(length);
            var copy = new byte[length];
            Buffer.BlockCopy(this.data, this.position, copy, 0, length);
            this.position += length;
            return copy;
        }

        internal string String()
        {
            return Encoding.UTF8.GetString(this.Bytes());
        }

        internal void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0: this.Varint(); break;
                case 1: this.Need(8); this.position += 8; break;
                case 2: this.Bytes(); break;
                case 5: this.Need(4); this.position += 4; break;
                default: throw new InvalidProtocolBufferException("unsupported wire type " + wireType);
            }
        }

        private void Need(int count)
        {
            if (count < 0 || this.position + count > this.end)
            {
                throw new InvalidProtocolBufferException("truncated message");
            }
        }
    }

    /// <summary>Stand-in helper: writes protobuf fields.</summary>
    internal static class WireWriter
    {
        internal static void Varint(Stream output, ulong value)
        {
            while (value >= 0x80)
            {
                output.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            output.WriteByte((byte)value);
        }

        internal static void Bytes(Stream output, int field, byte[] value)
        {
            if (value.Length == 0)
            {
                return;
            }

            Varint(output, (ulong)((field << 3) | 2));
            Varint(output, (ulong)value.Length);
            output.Write(value, 0, value.Length);
        }

        internal static void VarintField(Stream output, int field, ulong value)
        {
            if (value == 0)
            {
                return;
            }

            Varint(output, (ulong)(field << 3));
            Varint(output, value);
        }
    }
}

namespace MA.Streaming.OpenData
{
    using Google.Protobuf;

    /// <summary>Stand-in of the Open Data Packet envelope (fields 1-5 of open_data.proto).</summary>
    public sealed class Packet : IMessage
    {
        private static readonly MessageParser<Packet> ParserInstance = new MessageParser<Packet>(Parse);

        public Packet()
        {
            this.Type = string.Empty;
            this.SessionKey = string.Empty;
            this.Content = ByteString.Empty;
        }

        public static MessageParser<Packet> Parser { get { return ParserInstance; } }

        public string Type { get; set; }

        public string SessionKey { get; set; }

        public bool IsEssential { get; set; }

        public ByteString Content { get; set; }

        public ulong Id { get; set; }

        public void WriteTo(Stream output)
        {
            WireWriter.Bytes(output, 1, System.Text.Encoding.UTF8.GetBytes(this.Type));
            WireWriter.Bytes(output, 2, System.Text.Encoding.UTF8.GetBytes(this.SessionKey));
            WireWriter.VarintField(output, 3, this.IsEssential ? 1UL : 0UL);
            WireWriter.Bytes(output, 4, this.Content.Unsafe);
            WireWriter.VarintField(output, 5, this.Id);
        }

        private static Packet Parse(byte[] data, int offset, int length)
        {
            var packet = new Packet();
            var reader = new WireReader(data, offset, length);
            int field, wireType;
            while (reader.Next(out field, out wireType))
            {
                if (field == 1 && wireType == 2) packet.Type = reader.String();
                else if (field == 2 && wireType == 2) packet.SessionKey = reader.String();
                else if (field == 3 && wireType == 0) packet.IsEssential = reader.Varint() != 0;
                else if (field == 4 && wireType == 2) packet.Content = ByteString.CopyFrom(reader.Bytes());
                else if (field == 5 && wireType == 0) packet.Id = reader.Varint();
                else reader.Skip(wireType);
            }

            return packet;
        }
    }
}
