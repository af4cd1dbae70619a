// MaSupportLib.Bridge: C# events and packet handlers of the services, recorded into an
// EventQueue as records named after the C# event, for a Python thread to deliver.

using System;

using Google.Protobuf;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.DataFormatInfoModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.ReadingModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;

namespace MaSupportLib.Bridge
{
    /// <summary>Records of one service's events; Detach stops recording.</summary>
    public abstract class EventRecorder
    {
        protected EventRecorder(EventQueue queue)
        {
            this.Queue = queue;
        }

        public EventQueue Queue { get; private set; }

        public abstract void Detach();

        protected EventHandler<ISessionInfo> SessionEvent(string name)
        {
            return (sender, info) => this.Queue.Append(frames =>
            {
                frames.Byte(RecordKind.SessionInfo);
                frames.String(name);
                Codec.Write(frames, info);
            });
        }

        protected EventHandler<ISessionAssociationInfo> AssociationEvent(string name)
        {
            return (sender, association) => this.Queue.Append(frames =>
            {
                frames.Byte(RecordKind.Association);
                frames.String(name);
                frames.String(association.Group);
                Codec.Write(frames, association.MainSessionInfo);
                var associate = association.AssociateSessionInfo;
                frames.Byte(associate == null ? (byte)0 : (byte)1);
                if (associate != null)
                {
                    Codec.Write(frames, associate);
                }
            });
        }
    }

    public sealed class SessionEventRecorder : EventRecorder
    {
        private readonly ISessionManagementService service;
        private readonly EventHandler<ISessionInfo> started;
        private readonly EventHandler<ISessionInfo> changed;
        private readonly EventHandler<ISessionInfo> ended;
        private readonly EventHandler<ISessionAssociationInfo> associated;

        public SessionEventRecorder(ISessionManagementService service, EventQueue queue) : base(queue)
        {
            this.service = service;
            this.started = this.SessionEvent("LiveSessionStarted");
            this.changed = this.SessionEvent("LiveSessionStateChange");
            this.ended = this.SessionEvent("LiveSessionEnded");
            this.associated = this.AssociationEvent("NewAssociationDetected");
            service.LiveSessionStarted += this.started;
            service.LiveSessionStateChange += this.changed;
            service.LiveSessionEnded += this.ended;
            service.NewAssociationDetected += this.associated;
        }

        public override void Detach()
        {
            this.service.LiveSessionStarted -= this.started;
            this.service.LiveSessionStateChange -= this.changed;
            this.service.LiveSessionEnded -= this.ended;
            this.service.NewAssociationDetected -= this.associated;
        }
    }

    public sealed class DataFormatEventRecorder : EventRecorder
    {
        private readonly IDataFormatManagementService service;

        public DataFormatEventRecorder(IDataFormatManagementService service, EventQueue queue) : base(queue)
        {
            this.service = service;
            service.DataFormatInfoUpdated += this.OnUpdated;
        }

        public override void Detach()
        {
            this.service.DataFormatInfoUpdated -= this.OnUpdated;
        }

        private void OnUpdated(object sender, DataFormatInfo info)
        {
            this.Queue.Append(frames =>
            {
                frames.Byte(RecordKind.DataFormatInfo);
                frames.String("DataFormatInfoUpdated");
                Codec.Write(frames, info);
            });
        }
    }

    /// <summary>A packet reader's handler and events: packets are serialized and recorded in
    /// order with the events, on the thread that raised them.</summary>
    public sealed class ReaderEventRecorder : EventRecorder, IHandler<IReceivedPacketDto>
    {
        private readonly IPacketReaderService reader;
        private readonly EventHandler<ISessionInfo> sessionStarted;
        private readonly EventHandler<ISessionInfo> sessionCompleted;
        private readonly EventHandler<ISessionInfo> infoUpdated;
        private readonly EventHandler<ISessionAssociationInfo> associationUpdated;

        public ReaderEventRecorder(IPacketReaderService reader, EventQueue queue) : base(queue)
        {
            this.reader = reader;
            this.sessionStarted = this.SessionEvent("SessionReadingStarted");
            this.sessionCompleted = this.SessionEvent("SessionReadingCompleted");
            this.infoUpdated = this.SessionEvent("SessionInfoUpdated");
            this.associationUpdated = this.AssociationEvent("SessionAssociationInfoUpdated");
            reader.SessionReadingStarted += this.sessionStarted;
            reader.SessionReadingCompleted += this.sessionCompleted;
            reader.SessionInfoUpdated += this.infoUpdated;
            reader.SessionAssociationInfoUpdated += this.associationUpdated;
            reader.StreamReadingStarted += this.OnStreamStarted;
            reader.StreamReadingCompleted += this.OnStreamCompleted;
            reader.CoverageCursorReceived += this.OnCoverageCursor;
            reader.AddHandler(this);
        }

        public void Handle(IReceivedPacketDto obj)
        {
            var bytes = obj.Packet.ToByteArray();
            this.Queue.Append(frames =>
            {
                frames.Byte(RecordKind.Packet);
                frames.String(obj.DataSource);
                frames.String(obj.SessionKey);
                frames.String(obj.Stream);
                frames.String(obj.Packet.Type);
                frames.Int64(Codec.UnixNanoseconds(obj.SubmitTime));
                frames.Bytes(bytes);
            });
        }

        public override void Detach()
        {
            this.reader.RemoveHandler(this);
            this.reader.SessionReadingStarted -= this.sessionStarted;
            this.reader.SessionReadingCompleted -= this.sessionCompleted;
            this.reader.SessionInfoUpdated -= this.infoUpdated;
            this.reader.SessionAssociationInfoUpdated -= this.associationUpdated;
            this.reader.StreamReadingStarted -= this.OnStreamStarted;
            this.reader.StreamReadingCompleted -= this.OnStreamCompleted;
            this.reader.CoverageCursorReceived -= this.OnCoverageCursor;
        }

        private void OnStreamStarted(object sender, IStreamInfo info)
        {
            this.Stream("StreamReadingStarted", info);
        }

        private void OnStreamCompleted(object sender, IStreamInfo info)
        {
            this.Stream("StreamReadingCompleted", info);
        }

        private void Stream(string name, IStreamInfo info)
        {
            this.Queue.Append(frames =>
            {
                frames.Byte(RecordKind.StreamInfo);
                frames.String(name);
                frames.String(info.Stream);
                frames.String(info.SessionKey);
                frames.String(info.DataSource);
            });
        }

        private void OnCoverageCursor(object sender, ICoverageCursorInfo info)
        {
            this.Queue.Append(frames =>
            {
                frames.Byte(RecordKind.CoverageCursor);
                frames.String("CoverageCursorReceived");
                frames.String(info.DataSource);
                frames.String(info.SessionKey);
                frames.Int64((long)info.CoverageCursorTime);
            });
        }
    }
}
