// MaSupportLib.Bridge: the ILogger handed to the library; lines go to an EventQueue and a
// Python thread passes them to the Python logger.

using MA.Streaming.Abstraction;

namespace MaSupportLib.Bridge
{
    public sealed class QueueLogger : ILogger
    {
        public const byte DebugLevel = 0;
        public const byte InfoLevel = 1;
        public const byte WarningLevel = 2;
        public const byte ErrorLevel = 3;

        private readonly EventQueue queue;

        public QueueLogger(EventQueue queue)
        {
            this.queue = queue;
        }

        public void Debug(string message)
        {
            this.Log(DebugLevel, message);
        }

        public void Info(string message)
        {
            this.Log(InfoLevel, message);
        }

        public void Warning(string message)
        {
            this.Log(WarningLevel, message);
        }

        public void Error(string message)
        {
            this.Log(ErrorLevel, message);
        }

        private void Log(byte level, string message)
        {
            this.queue.Append(frames =>
            {
                frames.Byte(RecordKind.Log);
                frames.Byte(level);
                frames.String(message);
            });
        }
    }
}
