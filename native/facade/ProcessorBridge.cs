// MaSupportLib.Bridge: a Python subscription processor seen from .NET. Process queues the
// context as a record and waits until a Python thread answers with Reply or Fail, so .NET
// threads never call into Python. The result is a PythonProcessResult naming a handle to the
// Python result object; batches carry the handle back to Python.

using System;
using System.Collections.Generic;
using System.Threading;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.InterpolationModule;

namespace MaSupportLib.Bridge
{
    public sealed class PythonProcessResult : ProcessResult
    {
        public PythonProcessResult(string identifier, ulong intervalStartTimeNano, ulong intervalEndTimeNano, long handle)
            : base(identifier, intervalStartTimeNano, intervalEndTimeNano)
        {
            this.Handle = handle;
        }

        public long Handle { get; private set; }
    }

    public sealed class ProcessorBridge : ISubscriptionProcessor
    {
        private readonly object gate = new object();
        private readonly Dictionary<long, IProcessResult> results = new Dictionary<long, IProcessResult>();
        private readonly Dictionary<long, string> failures = new Dictionary<long, string>();
        private long next;
        private bool closed;

        public ProcessorBridge(EventQueue requests)
        {
            this.Requests = requests;
        }

        public EventQueue Requests { get; private set; }

        public IProcessResult Process(ProcessContext context)
        {
            long id;
            lock (this.gate)
            {
                if (this.closed)
                {
                    throw new InvalidOperationException("the Python processor is closed");
                }

                id = ++this.next;
            }

            this.Requests.Append(frames => SampleCodec.Write(frames, id, context));
            lock (this.gate)
            {
                while (!this.closed && !this.results.ContainsKey(id) && !this.failures.ContainsKey(id))
                {
                    Monitor.Wait(this.gate);
                }

                IProcessResult result;
                string failure;
                if (this.results.TryGetValue(id, out result))
                {
                    this.results.Remove(id);
                    return result;
                }

                if (this.failures.TryGetValue(id, out failure))
                {
                    this.failures.Remove(id);
                    throw new InvalidOperationException("the Python processor raised " + failure);
                }

                throw new InvalidOperationException("the Python processor was closed while processing");
            }
        }

        public void Reply(long id, string identifier, long start, long end, long handle)
        {
            lock (this.gate)
            {
                this.results[id] = new PythonProcessResult(identifier, (ulong)start, (ulong)end, handle);
                Monitor.PulseAll(this.gate);
            }
        }

        public void Fail(long id, string message)
        {
            lock (this.gate)
            {
                this.failures[id] = message;
                Monitor.PulseAll(this.gate);
            }
        }

        /// <summary>Waiting and later Process calls throw; the request queue is closed.</summary>
        public void Close()
        {
            lock (this.gate)
            {
                this.closed = true;
                Monitor.PulseAll(this.gate);
            }

            this.Requests.Close();
        }
    }
}
