// TEST STAND-IN, not the vendor library: the non-parameter values the sample reader carries
// when the include flags ask for them. The reference names the types (MarkerData, EventData,
// ErrorData, CanData) but not their members; the stand-in's members mirror the Open Data
// packets (enums as their numbers).

using System.Collections.Generic;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule
{
    public sealed class MarkerData
    {
        public MarkerData(ulong timestamp, ulong endTime, string label, string type, string description, string source, long value)
        {
            this.Timestamp = timestamp;
            this.EndTime = endTime;
            this.Label = label;
            this.Type = type;
            this.Description = description;
            this.Source = source;
            this.Value = value;
        }

        public ulong Timestamp { get; private set; }

        public ulong EndTime { get; private set; }

        public string Label { get; private set; }

        public string Type { get; private set; }

        public string Description { get; private set; }

        public string Source { get; private set; }

        public long Value { get; private set; }
    }

    public sealed class EventData
    {
        public EventData(string identifier, ulong timestamp, IReadOnlyList<double> rawValues)
        {
            this.Identifier = identifier;
            this.Timestamp = timestamp;
            this.RawValues = rawValues;
        }

        public string Identifier { get; private set; }

        public ulong Timestamp { get; private set; }

        public IReadOnlyList<double> RawValues { get; private set; }
    }

    public sealed class ErrorData
    {
        public ErrorData(string identifier, ulong timestamp, string applicationName, string group, string name, string description, int type, int status)
        {
            this.Identifier = identifier;
            this.Timestamp = timestamp;
            this.ApplicationName = applicationName;
            this.Group = group;
            this.Name = name;
            this.Description = description;
            this.Type = type;
            this.Status = status;
        }

        public string Identifier { get; private set; }

        public ulong Timestamp { get; private set; }

        public string ApplicationName { get; private set; }

        public string Group { get; private set; }

        public string Name { get; private set; }

        public string Description { get; private set; }

        public int Type { get; private set; }

        public int Status { get; private set; }
    }

    public sealed class CanData
    {
        public CanData(ulong timestamp, uint bus, uint canId, byte[] payload, int type)
        {
            this.Timestamp = timestamp;
            this.Bus = bus;
            this.CanId = canId;
            this.Payload = payload;
            this.Type = type;
        }

        public ulong Timestamp { get; private set; }

        public uint Bus { get; private set; }

        public uint CanId { get; private set; }

        public byte[] Payload { get; private set; }

        public int Type { get; private set; }
    }
}
