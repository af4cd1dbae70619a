// MaSupportLib.Bridge: the sample values the facade cannot carry to Python (a value type it does
// not know, or one it could not read). They are skipped, counted, and each distinct problem is
// noted once for the log, so one odd value never stops the rest of the data.

using System;
using System.Collections.Generic;

namespace MaSupportLib.Bridge
{
    public sealed class SkippedValues
    {
        private readonly object gate = new object();
        private readonly HashSet<string> noted = new HashSet<string>();
        private readonly List<string> pending = new List<string>();
        private long count;

        /// <summary>How many values were skipped so far.</summary>
        public long Count
        {
            get
            {
                lock (this.gate)
                {
                    return this.count;
                }
            }
        }

        /// <summary>Counts one skipped value of type (null if even that was unreadable).</summary>
        public void Skip(Type type, string why)
        {
            lock (this.gate)
            {
                this.count++;
            }

            this.Note((type == null ? "a value of unknown type" : "values of type " + type.FullName) + " " + why + "; skipped");
        }

        /// <summary>Keeps message for the log, unless the same message was noted before.</summary>
        public void Note(string message)
        {
            lock (this.gate)
            {
                if (this.noted.Add(message))
                {
                    this.pending.Add(message);
                }
            }
        }

        /// <summary>The messages noted since the last call.</summary>
        public string[] TakeNotes()
        {
            lock (this.gate)
            {
                var notes = this.pending.ToArray();
                this.pending.Clear();
                return notes;
            }
        }
    }
}
