// MaSupportLib.Bridge: one sample value (IGenericValue) as a kind and its encoding (format in
// ma_support_lib/backends/dotnet/sample_values.py). Parameter values are float64, int32, bool
// or strings (other numbers become float64); markers, events, errors and CAN frames are records
// read by member name, since the reference names those types but not their members. Reading
// never throws: what cannot be read is counted in SkippedValues and has the kind Unknown.

using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule;

namespace MaSupportLib.Bridge
{
    /// <summary>A value read out of the library: Number for float64 / int32 / bool (0 or 1),
    /// Other for a string or a record's fields (long, string, double[] or byte[] each).</summary>
    public struct CodedValue
    {
        public byte Kind;
        public double Number;
        public object Other;
    }

    public static class ValueCodec
    {
        public const byte Float64 = 0;
        public const byte Int32 = 1;
        public const byte Bool = 2;
        public const byte Text = 3;
        /// <summary>A column whose values have different kinds: each value starts with its kind.</summary>
        public const byte Tagged = 4;
        public const byte Marker = 5;
        public const byte Event = 6;
        public const byte Error = 7;
        public const byte Can = 8;
        public const byte Unknown = 255;

        private static readonly Type[] OtherNumbers =
        {
            typeof(float), typeof(long), typeof(uint), typeof(ulong), typeof(short), typeof(ushort),
            typeof(byte), typeof(sbyte), typeof(decimal),
        };

        /// <summary>Record kinds by type name; each field lists its member names, in the order
        /// of the Python contract class's fields.</summary>
        private static readonly Dictionary<string, KeyValuePair<byte, RecordField[]>> Records = new Dictionary<string, KeyValuePair<byte, RecordField[]>>
        {
            { "MarkerData", Schema(Marker, "Timestamp:i", "EndTime:i", "Label:s", "Type:s", "Description:s", "Source:s", "Value:i") },
            { "EventData", Schema(Event, "Identifier|EventIdentifier|Name:s", "Timestamp:i", "RawValues|Values:d") },
            { "ErrorData", Schema(Error, "Identifier|ErrorIdentifier:s", "Timestamp:i", "ApplicationName:s", "Group:s", "Name:s", "Description:s", "Type:i", "Status:i") },
            { "CanData", Schema(Can, "Timestamp:i", "Bus:i", "CanId|Id:i", "Payload|Data:b", "Type:i") },
        };

        private static readonly MethodInfo Cast = typeof(IGenericValue).GetMethod("Cast");
        private static readonly ConcurrentDictionary<Type, MethodInfo> Casts = new ConcurrentDictionary<Type, MethodInfo>();
        private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Members = new ConcurrentDictionary<Type, PropertyInfo[]>();

        /// <summary>Whether values of type are parameter samples (not markers etc., not unknown).</summary>
        public static bool IsParameter(Type type)
        {
            return type == typeof(double) || type == typeof(int) || type == typeof(bool) || type == typeof(string) || OtherNumbers.Contains(type);
        }

        public static CodedValue Read(IGenericValue value, SkippedValues skipped)
        {
            Type type = null;
            try
            {
                type = value.ValueType;
                if (type == typeof(double)) return Number(Float64, value.Cast<double>());
                if (type == typeof(int)) return Number(Int32, value.Cast<int>());
                if (type == typeof(bool)) return Number(Bool, value.Cast<bool>() ? 1 : 0);
                if (type == typeof(string)) return new CodedValue { Kind = Text, Other = value.Cast<string>() ?? string.Empty };
                if (OtherNumbers.Contains(type)) return Number(Float64, value.Cast<double>());
                KeyValuePair<byte, RecordField[]> schema;
                if (type != null && Records.TryGetValue(type.Name, out schema))
                {
                    return new CodedValue { Kind = schema.Key, Other = Fields(Unwrap(value, type), type, schema.Value, skipped) };
                }
            }
            catch (Exception exc)
            {
                var inner = exc is TargetInvocationException && exc.InnerException != null ? exc.InnerException : exc;
                skipped.Skip(type, "could not be read (" + inner.GetType().Name + ": " + inner.Message + ")");
                return new CodedValue { Kind = Unknown };
            }

            skipped.Skip(type, "are of a kind the bridge does not know");
            return new CodedValue { Kind = Unknown };
        }

        /// <summary>The value's encoding; preceded by its kind in a Tagged column.</summary>
        public static void Write(FrameWriter frames, CodedValue value, bool tagged)
        {
            if (tagged)
            {
                frames.Byte(value.Kind);
            }

            switch (value.Kind)
            {
                case Float64: frames.Double(value.Number); break;
                case Int32: frames.Int32((int)value.Number); break;
                case Bool: frames.Byte(value.Number != 0 ? (byte)1 : (byte)0); break;
                case Text: frames.String((string)value.Other); break;
                default:
                    foreach (var field in (object[])value.Other)
                    {
                        WriteField(frames, field);
                    }

                    break;
            }
        }

        private static CodedValue Number(byte kind, double number)
        {
            return new CodedValue { Kind = kind, Number = number };
        }

        private static object Unwrap(IGenericValue value, Type type)
        {
            return Casts.GetOrAdd(type, t => Cast.MakeGenericMethod(t)).Invoke(value, null);
        }

        private static object[] Fields(object record, Type type, RecordField[] schema, SkippedValues skipped)
        {
            var members = Members.GetOrAdd(type, t => schema.Select(f => f.Names.Select(n => t.GetProperty(n)).FirstOrDefault(p => p != null)).ToArray());
            var fields = new object[schema.Length];
            for (var i = 0; i < schema.Length; i++)
            {
                if (members[i] == null)
                {
                    skipped.Note(type.FullName + " has no member " + string.Join(" or ", schema[i].Names) + "; it is sent as empty");
                }

                fields[i] = schema[i].Convert(members[i] == null || record == null ? null : members[i].GetValue(record, null));
            }

            return fields;
        }

        private static void WriteField(FrameWriter frames, object field)
        {
            var text = field as string;
            var numbers = field as double[];
            var bytes = field as byte[];
            if (text != null)
            {
                frames.String(text);
            }
            else if (numbers != null)
            {
                frames.Int32(numbers.Length);
                foreach (var number in numbers)
                {
                    frames.Double(number);
                }
            }
            else if (bytes != null)
            {
                frames.Bytes(bytes);
            }
            else
            {
                frames.Int64((long)field);
            }
        }

        private static KeyValuePair<byte, RecordField[]> Schema(byte kind, params string[] fields)
        {
            return new KeyValuePair<byte, RecordField[]>(kind, fields.Select(f => new RecordField(f)).ToArray());
        }

        /// <summary>"Name|Alias:t": a member and how it travels (i int64, s string, d doubles, b bytes).</summary>
        private sealed class RecordField
        {
            private readonly char type;

            internal RecordField(string spec)
            {
                var parts = spec.Split(':');
                this.Names = parts[0].Split('|');
                this.type = parts[1][0];
            }

            internal string[] Names { get; private set; }

            internal object Convert(object value)
            {
                switch (this.type)
                {
                    case 's': return value == null ? string.Empty : value.ToString();
                    case 'd': return value == null ? new double[0] : ((IEnumerable)value).Cast<object>().Select(v => System.Convert.ToDouble(v)).ToArray();
                    case 'b': return value == null ? new byte[0] : value as byte[] ?? ((IEnumerable)value).Cast<object>().Select(v => System.Convert.ToByte(v)).ToArray();
                    default: return value == null ? 0L : value is ulong ? unchecked((long)(ulong)value) : System.Convert.ToInt64(value);
                }
            }
        }
    }
}
