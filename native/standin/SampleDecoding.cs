// TEST STAND-IN, not the vendor library: decodes the samples of PeriodicData, RowData and
// SynchroData packets (double, int32, bool and string lists with their statuses).

using System;
using System.Collections.Generic;

using Google.Protobuf;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule;
using MA.Streaming.OpenData;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.StandIn
{
    internal struct DecodedSample
    {
        internal string Identifier;
        internal ulong Timestamp;
        internal object Value;
        internal ValueStatus Status;
    }

    internal static class SampleDecoding
    {
        /// <summary>The samples of a data packet (none for other types); format ids go through resolve.</summary>
        internal static List<DecodedSample> Decode(Packet packet, Func<ulong, IList<string>> resolve)
        {
            var found = new List<DecodedSample>();
            var content = packet.Content.ToByteArray();
            switch (packet.Type)
            {
                case "PeriodicData":
                case "SynchroData":
                    Columns(content, packet.Type == "SynchroData", resolve, found);
                    break;
                case "RowData":
                    Rows(content, resolve, found);
                    break;
            }

            return found;
        }

        private static WireReader Nested(WireReader reader)
        {
            var bytes = reader.Bytes();
            return new WireReader(bytes, 0, bytes.Length);
        }

        private static IList<string> Format(WireReader reader, Func<ulong, IList<string>> resolve)
        {
            var names = new List<string>();
            int field, wireType;
            while (reader.Next(out field, out wireType))
            {
                if (field == 1 && wireType == 0)
                {
                    return resolve(reader.Varint()) ?? names;
                }

                if (field == 2 && wireType == 2)
                {
                    var list = Nested(reader);
                    while (list.Next(out field, out wireType))
                    {
                        if (field == 1 && wireType == 2) names.Add(list.String());
                        else list.Skip(wireType);
                    }
                }
                else
                {
                    reader.Skip(wireType);
                }
            }

            return names;
        }

        private static void Columns(byte[] content, bool synchro, Func<ulong, IList<string>> resolve, List<DecodedSample> found)
        {
            var reader = new WireReader(content, 0, content.Length);
            IList<string> names = new List<string>();
            ulong start = 0, interval = 0;
            var intervals = new List<ulong>();
            var columns = new List<List<KeyValuePair<object, ValueStatus>>>();
            int field, wireType;
            while (reader.Next(out field, out wireType))
            {
                if (field == 1 && wireType == 2) names = Format(Nested(reader), resolve);
                else if (field == 2 && wireType == 1) start = reader.Fixed64();
                else if (field == 3 && !synchro && wireType == 0) interval = reader.Varint();
                else if (field == 3 && synchro) Repeated(reader, wireType, false, intervals);
                else if (field == 4 && wireType == 2) columns.Add(Values(Nested(reader)));
                else reader.Skip(wireType);
            }

            for (var c = 0; c < columns.Count && c < names.Count; c++)
            {
                var time = start;
                for (var j = 0; j < columns[c].Count; j++)
                {
                    if (j > 0)
                    {
                        time += synchro ? (j - 1 < intervals.Count ? intervals[j - 1] : 0) : interval;
                    }

                    found.Add(new DecodedSample { Identifier = names[c], Timestamp = time, Value = columns[c][j].Key, Status = columns[c][j].Value });
                }
            }
        }

        private static void Rows(byte[] content, Func<ulong, IList<string>> resolve, List<DecodedSample> found)
        {
            var reader = new WireReader(content, 0, content.Length);
            IList<string> names = new List<string>();
            var times = new List<ulong>();
            var rows = new List<List<KeyValuePair<object, ValueStatus>>>();
            int field, wireType;
            while (reader.Next(out field, out wireType))
            {
                if (field == 1 && wireType == 2) names = Format(Nested(reader), resolve);
                else if (field == 2) Repeated(reader, wireType, true, times);
                else if (field == 3 && wireType == 2) rows.Add(Values(Nested(reader)));
                else reader.Skip(wireType);
            }

            for (var r = 0; r < rows.Count && r < times.Count; r++)
            {
                for (var k = 0; k < rows[r].Count && k < names.Count; k++)
                {
                    found.Add(new DecodedSample { Identifier = names[k], Timestamp = times[r], Value = rows[r][k].Key, Status = rows[r][k].Value });
                }
            }
        }

        /// <summary>A repeated fixed64 or varint field, packed or not.</summary>
        private static void Repeated(WireReader reader, int wireType, bool fixed64, List<ulong> into)
        {
            if (wireType != 2)
            {
                into.Add(fixed64 ? reader.Fixed64() : reader.Varint());
                return;
            }

            var packed = Nested(reader);
            while (packed.More)
            {
                into.Add(fixed64 ? packed.Fixed64() : packed.Varint());
            }
        }

        /// <summary>A SampleColumn or SampleRow: one of four typed lists of (value, status).</summary>
        private static List<KeyValuePair<object, ValueStatus>> Values(WireReader column)
        {
            var values = new List<KeyValuePair<object, ValueStatus>>();
            int field, wireType;
            while (column.Next(out field, out wireType))
            {
                if (wireType != 2 || field < 1 || field > 4)
                {
                    column.Skip(wireType);
                    continue;
                }

                var list = Nested(column);
                int f, w;
                while (list.Next(out f, out w))
                {
                    if (f == 1 && w == 2) values.Add(Sample(Nested(list), field));
                    else list.Skip(w);
                }
            }

            return values;
        }

        private static KeyValuePair<object, ValueStatus> Sample(WireReader sample, int kind)
        {
            object value = kind == 1 ? 0.0 : kind == 2 ? 0 : kind == 3 ? (object)false : string.Empty;
            var status = ValueStatus.Unspecified;
            int field, wireType;
            while (sample.Next(out field, out wireType))
            {
                if (field == 1 && kind == 1 && wireType == 1) value = BitConverter.Int64BitsToDouble((long)sample.Fixed64());
                else if (field == 1 && kind == 2 && wireType == 0) value = (int)(long)sample.Varint();
                else if (field == 1 && kind == 3 && wireType == 0) value = sample.Varint() != 0;
                else if (field == 1 && kind == 4 && wireType == 2) value = sample.String();
                else if (field == 2 && wireType == 0) status = (ValueStatus)(int)sample.Varint();
                else sample.Skip(wireType);
            }

            return new KeyValuePair<object, ValueStatus>(value, status);
        }
    }
}
