// MaSupportLib.Bridge: the sample reader's events and data handlers, and a data reader
// subscription's batch handler, recorded into an EventQueue for a Python thread to deliver.

using System;
using System.Collections.Generic;
using System.Linq;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.BufferingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.InterpolationModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;

namespace MaSupportLib.Bridge
{
    /// <summary>Records the merging events and notes the identifiers of the SampleData it sees;
    /// WantTimestamps registers it as the service's TimestampData handler (once) and
    /// WantSamples has it encode SampleData, so only what Python handles is encoded.</summary>
    public sealed class SampleReaderRecorder : EventRecorder, IHandler<ITimestampData>, IHandler<ISampleData>
    {
        private readonly ISampleReaderService service;
        private readonly EventHandler<ISessionInfo> started;
        private readonly EventHandler<ISessionInfo> completed;
        private readonly HashSet<string> known = new HashSet<string>();
        private bool timestamps;
        private volatile bool samples;

        public SampleReaderRecorder(ISampleReaderService service, EventQueue queue) : base(queue)
        {
            this.service = service;
            this.started = this.SessionEvent("SessionDataMergingStarted");
            this.completed = this.SessionEvent("SessionDataMergingCompleted");
            service.SessionDataMergingStarted += this.started;
            service.SessionDataMergingCompleted += this.completed;
            service.AddHandler((IHandler<ISampleData>)this);
        }

        /// <summary>Every parameter identifier that had values in a SampleData so far.</summary>
        public string[] Known()
        {
            lock (this.known)
            {
                return this.known.ToArray();
            }
        }

        public void WantTimestamps()
        {
            lock (this.service)
            {
                if (!this.timestamps)
                {
                    this.timestamps = true;
                    this.service.AddHandler((IHandler<ITimestampData>)this);
                }
            }
        }

        public void WantSamples()
        {
            this.samples = true;
        }

        public void Handle(ITimestampData obj)
        {
            this.Queue.Append(frames => SampleCodec.Write(frames, obj));
        }

        public void Handle(ISampleData obj)
        {
            if (obj.Values != null && obj.Values.Count > 0)
            {
                lock (this.known)
                {
                    this.known.Add(obj.Identifier);
                }
            }

            if (this.samples)
            {
                this.Queue.Append(frames => SampleCodec.Write(frames, obj));
            }
        }

        public override void Detach()
        {
            this.service.SessionDataMergingStarted -= this.started;
            this.service.SessionDataMergingCompleted -= this.completed;
            this.service.RemoveHandler((IHandler<ITimestampData>)this);
            this.service.RemoveHandler((IHandler<ISampleData>)this);
        }
    }

    /// <summary>A subscription's IBatchResultHandler: each batch becomes one record.</summary>
    public sealed class BatchRecorder : IBatchResultHandler
    {
        public BatchRecorder(EventQueue queue)
        {
            this.Queue = queue;
        }

        /// <summary>Settable, so batches can join the queue of the sample reader they come from.</summary>
        public EventQueue Queue { get; set; }

        public void Handle(BatchResult batchResult)
        {
            this.Queue.Append(frames => SampleCodec.Write(frames, batchResult));
        }
    }
}
