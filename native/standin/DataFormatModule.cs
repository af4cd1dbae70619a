// TEST STAND-IN, not the vendor library: the data format manager module's public surface with
// in-memory behaviour (get-or-create ids per data source, independent of the input order;
// DataFormatInfoUpdated fires the first time a service meets a format).

using System;
using System.Collections.Generic;
using System.Linq;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.StandIn;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.DataFormatInfoModule
{
    public enum DataFormatInfoType
    {
        Parameters,
        Event,
    }

    public class DataFormatInfo
    {
        public DataFormatInfo(string dataSource, string key, IReadOnlyList<ulong> dataFormats, IReadOnlyList<string> identifiers, DataFormatInfoType dataFormatInfoType)
        {
            this.DataSource = dataSource;
            this.Key = key;
            this.DataFormats = dataFormats;
            this.Identifiers = identifiers;
            this.DataFormatInfoType = dataFormatInfoType;
        }

        public string DataSource { get; private set; }

        public string Key { get; private set; }

        public IReadOnlyList<ulong> DataFormats { get; private set; }

        public IReadOnlyList<string> Identifiers { get; private set; }

        public DataFormatInfoType DataFormatInfoType { get; private set; }
    }

    public class ParameterDataFormatInfo
    {
        public readonly string DataSource;
        public IReadOnlyList<string> ParameterList;
        public readonly ulong DataFormatId;

        public ParameterDataFormatInfo(string dataSource, IReadOnlyList<string> parameterList, ulong dataFormatId)
        {
            this.DataSource = dataSource;
            this.ParameterList = parameterList;
            this.DataFormatId = dataFormatId;
        }
    }

    public class EventDataFormatInfo
    {
        public readonly string DataSource;
        public ulong DataFormatId;
        public string EventName;

        public EventDataFormatInfo(string dataSource, ulong dataFormatId, string eventName)
        {
            this.DataSource = dataSource;
            this.DataFormatId = dataFormatId;
            this.EventName = eventName;
        }
    }

    public interface IDataFormatManagerModuleApi : IModuleApi
    {
        ApiResult<IDataFormatManagementService> CreateService();
    }

    public interface IDataFormatManagementService : IModuleApiService
    {
        event EventHandler<DataFormatInfo> DataFormatInfoUpdated;

        ApiResult<EventDataFormatInfo> GetEventDataFormatId(string dataSource, string eventName);

        ApiResult<EventDataFormatInfo> GetEvent(string dataSource, ulong dataFormatId);

        ApiResult<ParameterDataFormatInfo> GetParameterDataFormatId(string dataSource, IReadOnlyList<string> parameterList);

        ApiResult<ParameterDataFormatInfo> GetParametersList(string dataSource, ulong dataFormatId);

        ApiResult<IReadOnlyList<DataFormatInfo>> GetDataSourceDataFormatInfo(string dataSource);
    }

    internal sealed class DataFormatManagerModuleApi : IDataFormatManagerModuleApi
    {
        private readonly Func<Broker> broker;

        internal DataFormatManagerModuleApi(Func<Broker> broker)
        {
            this.broker = broker;
        }

        public ApiResult<IDataFormatManagementService> CreateService()
        {
            return new ApiResult<IDataFormatManagementService>(true, string.Empty, new DataFormatManagementService(this.broker()));
        }
    }

    internal sealed class DataFormatManagementService : StandInServiceModel, IDataFormatManagementService
    {
        private readonly Broker broker;
        private readonly HashSet<ulong> seen = new HashSet<ulong>();

        internal DataFormatManagementService(Broker broker)
        {
            this.broker = broker;
        }

        public event EventHandler<DataFormatInfo> DataFormatInfoUpdated;

        public ApiResult<EventDataFormatInfo> GetEventDataFormatId(string dataSource, string eventName)
        {
            return this.Find<EventDataFormatInfo>("GetEventDataFormatId", dataSource, DataFormatInfoType.Event, new List<string> { eventName }, 0, Event);
        }

        public ApiResult<EventDataFormatInfo> GetEvent(string dataSource, ulong dataFormatId)
        {
            return this.Find<EventDataFormatInfo>("GetEvent", dataSource, DataFormatInfoType.Event, null, dataFormatId, Event);
        }

        public ApiResult<ParameterDataFormatInfo> GetParameterDataFormatId(string dataSource, IReadOnlyList<string> parameterList)
        {
            if (parameterList == null || parameterList.Count == 0)
            {
                throw new ArgumentException("the parameter list is empty", "parameterList");
            }

            var canonical = parameterList.Distinct().OrderBy(name => name, StringComparer.Ordinal).ToList();
            return this.Find<ParameterDataFormatInfo>("GetParameterDataFormatId", dataSource, DataFormatInfoType.Parameters, canonical, 0, Parameters);
        }

        public ApiResult<ParameterDataFormatInfo> GetParametersList(string dataSource, ulong dataFormatId)
        {
            return this.Find<ParameterDataFormatInfo>("GetParametersList", dataSource, DataFormatInfoType.Parameters, null, dataFormatId, Parameters);
        }

        public ApiResult<IReadOnlyList<DataFormatInfo>> GetDataSourceDataFormatInfo(string dataSource)
        {
            var refusal = this.Refusal<IReadOnlyList<DataFormatInfo>>("GetDataSourceDataFormatInfo");
            if (refusal != null)
            {
                return refusal;
            }

            List<FormatRecord> formats;
            lock (this.broker.Gate)
            {
                formats = this.broker.Formats.TryGetValue(dataSource, out formats) ? formats.ToList() : new List<FormatRecord>();
            }

            foreach (var format in formats)
            {
                this.Meet(dataSource, format);
            }

            IReadOnlyList<DataFormatInfo> infos = formats.Select(f => f.Info(dataSource)).ToList();
            return new ApiResult<IReadOnlyList<DataFormatInfo>>(true, string.Empty, infos);
        }

        private static EventDataFormatInfo Event(string dataSource, FormatRecord format)
        {
            return new EventDataFormatInfo(dataSource, format.Id, format.Identifiers[0]);
        }

        private static ParameterDataFormatInfo Parameters(string dataSource, FormatRecord format)
        {
            return new ParameterDataFormatInfo(dataSource, format.Identifiers.ToList(), format.Id);
        }

        /// <summary>By identifiers (get-or-create) when given, else by id.</summary>
        private ApiResult<T> Find<T>(string action, string dataSource, DataFormatInfoType kind, List<string> identifiers, ulong id, Func<string, FormatRecord, T> result)
            where T : class
        {
            var refusal = this.Refusal<T>(action);
            if (refusal != null)
            {
                return refusal;
            }

            FormatRecord format;
            lock (this.broker.Gate)
            {
                format = identifiers != null ? this.broker.Format(dataSource, kind, identifiers, true) : this.broker.Format(dataSource, id);
            }

            if (format == null || format.Kind != kind)
            {
                return new ApiResult<T>(false, "no " + kind + " data format " + id + " in data source '" + dataSource + "'", null);
            }

            this.Meet(dataSource, format);
            return new ApiResult<T>(true, string.Empty, result(dataSource, format));
        }

        private void Meet(string dataSource, FormatRecord format)
        {
            lock (this.seen)
            {
                if (!this.seen.Add(format.Id))
                {
                    return;
                }
            }

            var handler = this.DataFormatInfoUpdated;
            if (handler != null)
            {
                handler(this, format.Info(dataSource));
            }
        }
    }
}
