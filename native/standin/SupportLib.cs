// TEST STAND-IN, not the vendor library: the root object and its factory. Initialise attaches
// to the in-memory broker named by BrokerUrl; a BrokerUrl starting "unreachable://" fails the
// way an unavailable broker does (a TimeoutException), for the bridge's error-mapping tests.

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.DataFormatInfoModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.InterpolationModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.ReadingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.WritingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.StandIn;
using MA.Streaming.Abstraction;
using MA.Streaming.Core.Configs;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Abstractions
{
    public interface ISupportLibApi : IServiceModel
    {
        ISessionManagerModuleApi GetSessionManagerApi();

        IDataFormatManagerModuleApi GetDataFormatManagerApi();

        IPacketWritingModuleApi GetWritingPacketApi();

        IPacketReadingModuleApi GetReadingPacketApi();

        ISampleReaderModuleApi GetSampleReaderApi();

        IDataReaderModuleApi GetDataReaderApi();
    }

    public interface ISupportLibApiFactory
    {
        ISupportLibApi Create(ILogger logger, StreamingApiConfiguration streamingApiConfiguration, RetryPolicy retryPolicy = null);
    }

    public class SupportLibApiFactory : ISupportLibApiFactory
    {
        public ISupportLibApi Create(ILogger logger, StreamingApiConfiguration streamingApiConfiguration, RetryPolicy retryPolicy = null)
        {
            if (streamingApiConfiguration == null)
            {
                throw new ArgumentNullException("streamingApiConfiguration");
            }

            return new SupportLibApi(logger, streamingApiConfiguration);
        }
    }

    internal sealed class SupportLibApi : StandInServiceModel, ISupportLibApi
    {
        private readonly ILogger logger;
        private readonly StreamingApiConfiguration configuration;
        private Broker broker;

        internal SupportLibApi(ILogger logger, StreamingApiConfiguration configuration)
        {
            this.logger = logger;
            this.configuration = configuration;
        }

        public ISessionManagerModuleApi GetSessionManagerApi()
        {
            return this.broker == null ? null : new SessionManagerModuleApi(this.CurrentBroker);
        }

        public IDataFormatManagerModuleApi GetDataFormatManagerApi()
        {
            return this.broker == null ? null : new DataFormatManagerModuleApi(this.CurrentBroker);
        }

        public IPacketWritingModuleApi GetWritingPacketApi()
        {
            return this.broker == null ? null : new PacketWritingModuleApi(this.CurrentBroker);
        }

        public IPacketReadingModuleApi GetReadingPacketApi()
        {
            return this.broker == null ? null : new PacketReadingModuleApi(this.CurrentBroker);
        }

        public ISampleReaderModuleApi GetSampleReaderApi()
        {
            return this.broker == null ? null : new SampleReaderModuleApi(this.CurrentBroker);
        }

        public IDataReaderModuleApi GetDataReaderApi()
        {
            return this.broker == null ? null : new DataReaderModuleApi();
        }

        protected override void OnInitialise()
        {
            var url = this.configuration.BrokerUrl;
            if (url.StartsWith("unreachable://", StringComparison.Ordinal))
            {
                throw new TimeoutException("no broker answered at " + url + " within " + this.configuration.InitialisationTimeoutSeconds + " s");
            }

            this.broker = StandIn.Broker.For(url);
            if (this.logger != null)
            {
                this.logger.Info("test stand-in support library attached to in-memory broker " + url);
            }
        }

        private Broker CurrentBroker()
        {
            return this.broker;
        }
    }
}
