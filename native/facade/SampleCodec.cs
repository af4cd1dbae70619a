// MaSupportLib.Bridge: encodes the buffering and interpolation types into records (format in
// ma_support_lib/backends/dotnet/sample_frames.py): a parameter's values travel as one column
// (int64 timestamps, status bytes, then the values as float64, int32, bytes or strings), so
// Python reads a whole column with one numpy call.

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

        public const byte Float64 = 0;
        public const byte Int32 = 1;
        public const byte Bool = 2;
        public const byte Text = 3;

        public const byte DefaultResultTag = 0;
        public const byte PythonResultTag = 1;
        public const byte OtherResultTag = 2;

        public static void Write(FrameWriter frames, ITimestampData data)
        {
            frames.Byte(RecordKind.TimestampData);
            frames.Byte(data is StartTimestampData ? Start : data is EndTimestampData ? End : Data);
            Range(frames, data.DataSource, data.SessionKey, data.StartTime, data.EndTime);
            var columns = new Dictionary<string, List<KeyValuePair<ulong, ISampleValue>>>();
            var order = new List<string>();
            foreach (var column in data.TimeColumns ?? new ITimestampColumn[0])
            {
                foreach (var value in column.SampleValues)
                {
                    List<KeyValuePair<ulong, ISampleValue>> values;
                    if (!columns.TryGetValue(value.Identifier, out values))
                    {
                        values = new List<KeyValuePair<ulong, ISampleValue>>();
                        columns[value.Identifier] = values;
                        order.Add(value.Identifier);
                    }

                    values.Add(new KeyValuePair<ulong, ISampleValue>(column.Timestamp, value));
                }
            }

            frames.Int32(order.Count);
            foreach (var identifier in order)
            {
                var values = columns[identifier];
                Column(frames, identifier, values.Select(v => v.Key).ToList(), values.Select(v => (IGenericValue)v.Value).ToList(), values.Select(v => v.Value.Status).ToList());
            }
        }

        public static void Write(FrameWriter frames, ISampleData data)
        {
            frames.Byte(RecordKind.SampleData);
            frames.Byte(data is StartSampleData ? Start : data is EndSampleData ? End : Data);
            Range(frames, data.DataSource, data.SessionKey, data.StartTime, data.EndTime);
            var values = data.Values ?? new ITimestampValue[0];
            Column(frames, data.Identifier, values.Select(v => v.Timestamp).ToList(), values.Select(v => (IGenericValue)v).ToList(), values.Select(v => v.Status).ToList());
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

        private static byte TypeCode(Type type)
        {
            if (type == typeof(int)) return Int32;
            if (type == typeof(bool)) return Bool;
            if (type == typeof(string)) return Text;
            return Float64;
        }

        private static void Column(FrameWriter frames, string identifier, IList<ulong> times, IList<IGenericValue> values, IList<ValueStatus> statuses)
        {
            var type = values.Count == 0 ? Float64 : TypeCode(values[0].ValueType);
            frames.String(identifier);
            frames.Byte(type);
            frames.Int32(times.Count);
            foreach (var time in times)
            {
                frames.Int64((long)time);
            }

            foreach (var status in statuses)
            {
                frames.Byte((byte)status);
            }

            foreach (var value in values)
            {
                switch (type)
                {
                    case Int32: frames.Int32(value.Cast<int>()); break;
                    case Bool: frames.Byte(value.Cast<bool>() ? (byte)1 : (byte)0); break;
                    case Text: frames.String(value.Cast<string>()); break;
                    default: frames.Double(value.Cast<double>()); break;
                }
            }
        }
    }
}
