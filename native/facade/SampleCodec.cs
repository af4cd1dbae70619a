// MaSupportLib.Bridge: encodes the buffering and interpolation types into records (format in
// ma_support_lib/backends/dotnet/sample_frames.py): an identifier's values travel as one column
// (int64 timestamps, status bytes, then the values as ValueCodec writes them), so Python reads
// a numeric column with one numpy call.

using System;
using System.Collections.Generic;
using System.Linq;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.InterpolationModule;

namespace MaSupportLib.Bridge
{
    public static class SampleCodec
    {
        public const byte Data = 0;
        public const byte Start = 1;
        public const byte End = 2;

        public const byte DefaultResultTag = 0;
        public const byte PythonResultTag = 1;
        public const byte OtherResultTag = 2;

        /// <summary>The TimestampData as one column per identifier (in order of first appearance;
        /// values that cannot be carried are skipped, and a column left empty is left out).</summary>
        public static void Write(FrameWriter frames, ITimestampData data, SkippedValues skipped)
        {
            frames.Byte(RecordKind.TimestampData);
            frames.Byte(data is StartTimestampData ? Start : data is EndTimestampData ? End : Data);
            Range(frames, data.DataSource, data.SessionKey, data.StartTime, data.EndTime);
            var columns = new Dictionary<string, List<Entry>>();
            var order = new List<string>();
            foreach (var column in data.TimeColumns ?? new ITimestampColumn[0])
            {
                foreach (var value in column.SampleValues)
                {
                    var coded = ValueCodec.Read(value, skipped);
                    if (coded.Kind == ValueCodec.Unknown)
                    {
                        continue;
                    }

                    List<Entry> entries;
                    if (!columns.TryGetValue(value.Identifier, out entries))
                    {
                        entries = new List<Entry>();
                        columns[value.Identifier] = entries;
                        order.Add(value.Identifier);
                    }

                    entries.Add(new Entry(column.Timestamp, value.Status, coded));
                }
            }

            frames.Int32(order.Count);
            foreach (var identifier in order)
            {
                Column(frames, identifier, columns[identifier]);
            }
        }

        /// <summary>The SampleData as one column; false (nothing written) when it had values
        /// and none of them can be carried.</summary>
        public static bool Write(FrameWriter frames, ISampleData data, SkippedValues skipped)
        {
            var values = data.Values ?? new ITimestampValue[0];
            var entries = values.Select(v => new Entry(v.Timestamp, v.Status, ValueCodec.Read(v, skipped))).Where(e => e.Value.Kind != ValueCodec.Unknown).ToList();
            if (values.Count > 0 && entries.Count == 0)
            {
                return false;
            }

            frames.Byte(RecordKind.SampleData);
            frames.Byte(data is StartSampleData ? Start : data is EndSampleData ? End : Data);
            Range(frames, data.DataSource, data.SessionKey, data.StartTime, data.EndTime);
            Column(frames, data.Identifier, entries);
            return true;
        }

        public static void Write(FrameWriter frames, BatchResult batch)
        {
            frames.Byte(RecordKind.Batch);
            frames.String(batch.DataSource);
            frames.String(batch.SessionKey);
            frames.String(batch.SubscriptionKey);
            frames.Int64((long)batch.DeliveryIntervalStartTimeNano);
            frames.Int64((long)batch.DeliveryIntervalEndTimeNano);
            frames.Int32(batch.Results.Count);
            foreach (var result in batch.Results)
            {
                var statistics = result as DefaultResult;
                var python = result as PythonProcessResult;
                frames.Byte(statistics != null ? DefaultResultTag : python != null ? PythonResultTag : OtherResultTag);
                frames.String(result.Identifier);
                frames.Int64((long)result.IntervalStartTimeNano);
                frames.Int64((long)result.IntervalEndTimeNano);
                if (statistics != null)
                {
                    foreach (var value in new[] { statistics.First, statistics.Last, statistics.Min, statistics.Max, statistics.Mean })
                    {
                        frames.Double(value ?? double.NaN);
                    }

                    frames.Int32(statistics.Count);
                    frames.Byte(statistics.IsSuperSampled ? (byte)1 : (byte)0);
                }
                else if (python != null)
                {
                    frames.Int64(python.Handle);
                }
                else
                {
                    frames.String(result.GetType().FullName);
                }
            }
        }

        public static void Write(FrameWriter frames, long requestId, ProcessContext context)
        {
            frames.Byte(RecordKind.ProcessRequest);
            frames.Int64(requestId);
            frames.String(context.ParameterId);
            frames.Int64((long)context.IntervalStartTimeNano);
            frames.Int64((long)context.IntervalEndTimeNano);
            var points = context.IntervalDataPoints;
            frames.Int32(points.Count);
            foreach (var point in points)
            {
                frames.Int64((long)point.TimestampNanoseconds);
            }

            foreach (var point in points)
            {
                frames.Double(point.Value);
            }
        }

        /// <summary>GetLastTimeInfo's items as (stream, int64 ns) pairs.</summary>
        public static byte[] LastTimes(IReadOnlyList<StreamTimeInfo> infos)
        {
            var frames = new FrameWriter();
            frames.Int32(infos.Count);
            foreach (var info in infos)
            {
                frames.String(info.Stream);
                frames.Int64((long)info.LastTimestamp);
            }

            return frames.ToArray();
        }

        private static void Range(FrameWriter frames, string dataSource, string sessionKey, ulong start, ulong end)
        {
            frames.String(dataSource);
            frames.String(sessionKey);
            frames.Int64((long)start);
            frames.Int64((long)end);
        }

        /// <summary>Identifier, the values' common kind (else Tagged), count, int64 timestamps,
        /// status bytes, then the values.</summary>
        private static void Column(FrameWriter frames, string identifier, List<Entry> entries)
        {
            var kind = entries.Count == 0 ? ValueCodec.Float64 : entries[0].Value.Kind;
            if (entries.Any(e => e.Value.Kind != kind))
            {
                kind = ValueCodec.Tagged;
            }

            frames.String(identifier);
            frames.Byte(kind);
            frames.Int32(entries.Count);
            foreach (var entry in entries)
            {
                frames.Int64((long)entry.Time);
            }

            foreach (var entry in entries)
            {
                frames.Byte((byte)entry.Status);
            }

            foreach (var entry in entries)
            {
                ValueCodec.Write(frames, entry.Value, kind == ValueCodec.Tagged);
            }
        }

        private struct Entry
        {
            internal readonly ulong Time;
            internal readonly ValueStatus Status;
            internal readonly CodedValue Value;

            internal Entry(ulong time, ValueStatus status, CodedValue value)
            {
                this.Time = time;
                this.Status = status;
                this.Value = value;
            }
        }
    }
}
