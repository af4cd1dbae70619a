// MaSupportLib.Bridge: where .NET threads leave packets, events and log lines for Python.
// .NET threads never call into Python: they append records here, and a Python thread takes
// them in batches (one call per batch, read through the buffer protocol).

using System;
using System.Threading;

namespace MaSupportLib.Bridge
{
    public sealed class EventQueue
    {
        /// <summary>Appending waits while this many bytes are pending (back-pressure on .NET threads).</summary>
        public const int MaxPendingBytes = 64 * 1024 * 1024;

        private readonly object gate = new object();
        private readonly FrameWriter pending = new FrameWriter();
        private bool closed;

        public bool IsClosed
        {
            get
            {
                lock (this.gate)
                {
                    return this.closed;
                }
            }
        }

        /// <summary>Appends one record; dropped once the queue is closed.</summary>
        public void Append(Action<FrameWriter> write)
        {
            lock (this.gate)
            {
                while (this.pending.Length >= MaxPendingBytes && !this.closed)
                {
                    Monitor.Wait(this.gate);
                }

                if (this.closed)
                {
                    return;
                }

                write(this.pending);
                Monitor.PulseAll(this.gate);
            }
        }

        /// <summary>Waits up to timeoutMs for records; true if some are pending.</summary>
        public bool Wait(int timeoutMs)
        {
            lock (this.gate)
            {
                if (this.pending.Length == 0 && !this.closed && timeoutMs > 0)
                {
                    Monitor.Wait(this.gate, timeoutMs);
                }

                return this.pending.Length > 0;
            }
        }

        /// <summary>Every pending record (possibly none), removed from the queue.</summary>
        public byte[] Take()
        {
            lock (this.gate)
            {
                var records = this.pending.ToArray();
                this.pending.Reset();
                Monitor.PulseAll(this.gate);
                return records;
            }
        }

        public void Close()
        {
            lock (this.gate)
            {
                this.closed = true;
                this.pending.Reset();
                Monitor.PulseAll(this.gate);
            }
        }
    }
}
