// Test helper: TimestampData and SampleData holding values of a type the facade does not know
// (System.Guid) next to ones it does, handed to a sample reader recorder as the library would.

using System;
using System.Collections.Generic;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule;
using MaSupportLib.Bridge;

namespace BridgeTests
{
    public static class UnknownValues
    {
        /// <summary>At t0: speed 1.5, odd Guid, mixed 1.0; at t0 + 1: speed 2.5, odd Guid,
        /// mixed Guid; at t0 + 2: mixed "x" and a marker. Then SampleData of the same: odd
        /// (only Guids), mixed (1.0, Guid, "x") and speed (1.5, 2.5).</summary>
        public static void Deliver(SampleReaderRecorder recorder, string dataSource, string sessionKey, ulong t0)
        {
            var odd = new GenericValue(Guid.NewGuid());
            var marker = new GenericValue(new MarkerData(t0 + 2, t0 + 3, "Lap 1", "Lap Trigger", "d", "s", 1));
            var columns = new List<ITimestampColumn>
            {
                Column(t0, Value("speed", 1.5), Value("odd", odd), Value("mixed", 1.0)),
                Column(t0 + 1, Value("speed", 2.5), Value("odd", odd), Value("mixed", odd)),
                Column(t0 + 2, Value("mixed", "x"), Value("Marker", marker)),
            };
            recorder.Handle(new TimestampData(dataSource, sessionKey, t0, t0 + 3, columns));
            recorder.Handle(Sample(dataSource, sessionKey, t0, "odd", odd, odd));
            recorder.Handle(Sample(dataSource, sessionKey, t0, "mixed", 1.0, odd, "x"));
            recorder.Handle(Sample(dataSource, sessionKey, t0, "speed", 1.5, 2.5));
        }

        private static ISampleValue Value(string identifier, object value)
        {
            return new SampleValue(identifier, value as IGenericValue ?? new GenericValue(value), ValueStatus.Valid);
        }

        private static ITimestampColumn Column(ulong timestamp, params ISampleValue[] values)
        {
            return new TimestampColumn(timestamp, values);
        }

        private static ISampleData Sample(string dataSource, string sessionKey, ulong t0, string identifier, params object[] values)
        {
            var timed = new List<ITimestampValue>();
            for (var i = 0; i < values.Length; i++)
            {
                timed.Add(new TimestampValue(t0 + (ulong)i, values[i] as IGenericValue ?? new GenericValue(values[i]), ValueStatus.Valid));
            }

            return new SampleData(dataSource, sessionKey, t0, t0 + (ulong)values.Length, identifier, timed);
        }
    }
}
