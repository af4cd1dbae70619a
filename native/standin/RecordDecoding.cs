// TEST STAND-IN, not the vendor library: decodes Marker, Event, Error and RawCANData packets
// into one MarkerData / EventData / ErrorData / CanData sample each, under the identifiers
// "Marker", "Event", "Error" and "CAN", when the buffering configuration includes that kind.

using System;
using System.Collections.Generic;

using Google.Protobuf;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule;
using MA.Streaming.OpenData;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.StandIn
{
    internal static class RecordDecoding
    {
        /// <summary>The included record of a packet, or null; event format ids go through resolveEvent.</summary>
        internal static DecodedSample? Decode(Packet packet, IBufferingConfiguration includes, Func<ulong, string> resolveEvent)
        {
            var content = packet.Content.ToByteArray();
            var reader = new WireReader(content, 0, content.Length);
            switch (packet.Type)
            {
                case "Marker":
                    return includes.IncludeMarkerData ? Sample("Marker", Marker(reader)) : null;
                case "Event":
                    return includes.IncludeEventData ? Sample("Event", Event(reader, resolveEvent)) : null;
                case "Error":
                    return includes.IncludeErrorData ? Sample("Error", Error(reader)) : null;
                case "RawCANData":
                    return includes.IncludeCanData ? Sample("CAN", Can(reader)) : null;
                default:
                    return null;
            }
        }

        private static DecodedSample? Sample(string identifier, KeyValuePair<ulong, object> record)
        {
            return new DecodedSample { Identifier = identifier, Timestamp = record.Key, Value = record.Value, Status = ValueStatus.Valid };
        }

        private static KeyValuePair<ulong, object> Marker(WireReader reader)
        {
            ulong timestamp = 0, endTime = 0;
            string label = string.Empty, type = string.Empty, description = string.Empty, source = string.Empty;
            long value = 0;
            int field, wireType;
            while (reader.Next(out field, out wireType))
            {
                if (field == 1 && wireType == 1) timestamp = reader.Fixed64();
                else if (field == 2 && wireType == 1) endTime = reader.Fixed64();
                else if (field == 3 && wireType == 2) label = reader.String();
                else if (field == 4 && wireType == 2) type = reader.String();
                else if (field == 5 && wireType == 2) description = reader.String();
                else if (field == 6 && wireType == 2) source = reader.String();
                else if (field == 7 && wireType == 0) value = (long)reader.Varint();
                else reader.Skip(wireType);
            }

            return Timed(timestamp, new MarkerData(timestamp, endTime, label, type, description, source, value));
        }

        private static KeyValuePair<ulong, object> Event(WireReader reader, Func<ulong, string> resolveEvent)
        {
            var identifier = string.Empty;
            ulong timestamp = 0;
            var values = new List<double>();
            int field, wireType;
            while (reader.Next(out field, out wireType))
            {
                if (field == 1 && wireType == 2) identifier = EventIdentifier(reader.Bytes(), resolveEvent);
                else if (field == 2 && wireType == 1) timestamp = reader.Fixed64();
                else if (field == 3 && wireType == 1) values.Add(BitConverter.Int64BitsToDouble((long)reader.Fixed64()));
                else if (field == 3 && wireType == 2) Doubles(reader.Bytes(), values);
                else reader.Skip(wireType);
            }

            return Timed(timestamp, new EventData(identifier, timestamp, values));
        }

        private static string EventIdentifier(byte[] format, Func<ulong, string> resolveEvent)
        {
            var reader = new WireReader(format, 0, format.Length);
            var identifier = string.Empty;
            int field, wireType;
            while (reader.Next(out field, out wireType))
            {
                if (field == 1 && wireType == 0) identifier = resolveEvent(reader.Varint()) ?? string.Empty;
                else if (field == 2 && wireType == 2) identifier = reader.String();
                else reader.Skip(wireType);
            }

            return identifier;
        }

        private static void Doubles(byte[] packed, List<double> into)
        {
            var reader = new WireReader(packed, 0, packed.Length);
            while (reader.More)
            {
                into.Add(BitConverter.Int64BitsToDouble((long)reader.Fixed64()));
            }
        }

        private static KeyValuePair<ulong, object> Error(WireReader reader)
        {
            var text = new string[6];
            for (var i = 0; i < text.Length; i++) text[i] = string.Empty;
            ulong timestamp = 0;
            int type = 0, status = 0;
            int field, wireType;
            while (reader.Next(out field, out wireType))
            {
                if (field == 2 && wireType == 1) timestamp = reader.Fixed64();
                else if (field >= 1 && field <= 6 && wireType == 2) text[field - 1] = reader.String();
                else if (field == 7 && wireType == 0) type = (int)reader.Varint();
                else if (field == 8 && wireType == 0) status = (int)reader.Varint();
                else reader.Skip(wireType);
            }

            return Timed(timestamp, new ErrorData(text[0], timestamp, text[2], text[3], text[4], text[5], type, status));
        }

        private static KeyValuePair<ulong, object> Can(WireReader reader)
        {
            ulong timestamp = 0;
            uint bus = 0, canId = 0;
            var payload = new byte[0];
            var type = 0;
            int field, wireType;
            while (reader.Next(out field, out wireType))
            {
                if (field == 1 && wireType == 1) timestamp = reader.Fixed64();
                else if (field == 2 && wireType == 0) bus = (uint)reader.Varint();
                else if (field == 3 && wireType == 0) canId = (uint)reader.Varint();
                else if (field == 4 && wireType == 2) payload = reader.Bytes();
                else if (field == 5 && wireType == 0) type = (int)reader.Varint();
                else reader.Skip(wireType);
            }

            return Timed(timestamp, new CanData(timestamp, bus, canId, payload, type));
        }

        private static KeyValuePair<ulong, object> Timed(ulong timestamp, object record)
        {
            return new KeyValuePair<ulong, object>(timestamp, record);
        }
    }
}
