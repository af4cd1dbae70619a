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
    /// <summary>Records the merging events and notes the parameters of the SampleData it sees;
    /// WantTimestamps registers it as the service's TimestampData handler (once) and
    /// WantSamples has it encode SampleData, so only what Python handles is encoded. A record is
    /// encoded before it joins the queue; values it cannot carry are skipped and counted
    /// (Skipped), each kind of problem logged once through the queue.</summary>
    public sealed class SampleReaderRecorder : EventRecorder, IHandler<ITimestampData>, IHandler<ISampleData>
    {
        private readonly ISampleReaderService service;
        private readonly EventHandler<ISessionInfo> started;
        private readonly EventHandler<ISessionInfo> completed;
        private readonly HashSet<string> known = new HashSet<string>();
        private readonly SkippedValues skipped = new SkippedValues();
        private readonly QueueLogger log;
        private bool timestamps;
        private volatile bool samples;

        public SampleReaderRecorder(ISampleReaderService service, EventQueue queue) : base(queue)
        {
            this.service = service;
            this.started = this.SessionEvent("SessionDataMergingStarted");
            this.completed = this.SessionEvent("SessionDataMergingCompleted");
            this.log = new QueueLogger(queue);
            service.SessionDataMergingStarted += this.started;
            service.SessionDataMergingCompleted += this.completed;
            service.AddHandler((IHandler<ISampleData>)this);
        }

        /// <summary>How many values were skipped because they cannot be carried to Python.</summary>
        public long Skipped
        {
            get { return this.skipped.Count; }
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
            var record = new FrameWriter();
            SampleCodec.Write(record, obj, this.skipped);
            this.Append(record, true);
        }

        public void Handle(ISampleData obj)
        {
            if (obj.Values != null && obj.Values.Count > 0 && IsParameter(obj.Values[0]))
            {
                lock (this.known)
                {
                    this.known.Add(obj.Identifier);
                }
            }

            if (this.samples)
            {
                var record = new FrameWriter();
                this.Append(record, SampleCodec.Write(record, obj, this.skipped));
            }
        }

        public override void Detach()
        {
            this.service.SessionDataMergingStarted -= this.started;
            this.service.SessionDataMergingCompleted -= this.completed;
            this.service.RemoveHandler((IHandler<ITimestampData>)this);
            this.service.RemoveHandler((IHandler<ISampleData>)this);
        }

        private static bool IsParameter(ITimestampValue value)
        {
            try
            {
                return ValueCodec.IsParameter(value.ValueType);
            }
            catch (Exception)
            {
                return false;
            }
        }

        private void Append(FrameWriter record, bool written)
        {
            foreach (var note in this.skipped.TakeNotes())
            {
                this.log.Warning("sample reader: " + note);
            }

            if (written)
            {
                this.Queue.Append(frames => frames.Append(record));
            }
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
