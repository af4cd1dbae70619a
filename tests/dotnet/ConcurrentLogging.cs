// Test helper: many .NET threads (no Python code on them) writing through a logger at once.

using System.Threading;

using MA.Streaming.Abstraction;

namespace BridgeTests
{
    public static class ConcurrentLogging
    {
        /// <summary>Logs "thread:line" from each of threads new threads; returns when all are done.</summary>
        public static void Run(ILogger logger, int threads, int lines)
        {
            var workers = new Thread[threads];
            for (var t = 0; t < threads; t++)
            {
                var worker = t;
                workers[t] = new Thread(() =>
                {
                    for (var line = 0; line < lines; line++)
                    {
                        logger.Info(worker + ":" + line);
                    }
                });
                workers[t].Start();
            }

            foreach (var thread in workers)
            {
                thread.Join();
            }
        }
    }
}
