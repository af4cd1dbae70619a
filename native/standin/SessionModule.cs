// TEST STAND-IN, not the vendor library: the session manager module's public surface with
// in-memory behaviour (keys are GUIDs, events are forward-only and raised on a broker thread).

using System;
using System.Collections.Generic;
using System.Linq;

using MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions;
using MA.DataPlatforms.Streaming.Support.Lib.Core.StandIn;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule.Abstractions
{
    public interface ISessionInfo
    {
        string SessionKey { get; }

        string DataSource { get; }

        string Identifier { get; }

        string Type { get; }

        uint Version { get; }

        bool Historical { get; }

        TimeSpan UtcOffset { get; }

        IReadOnlyDictionary<string, string> Details { get; }

        IReadOnlyList<string> AssociateSessionKeys { get; }
    }

    public interface ISessionAssociationInfo
    {
        ISessionInfo MainSessionInfo { get; }

        ISessionInfo AssociateSessionInfo { get; }

        string Group { get; }
    }
}

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Contracts.SessionInfoModule
{
    public class SessionDetailDto
    {
        public readonly string Key;
        public readonly string Value;

        public SessionDetailDto(string key, string value)
        {
            this.Key = key;
            this.Value = value;
        }
    }

    public class SessionCreationDto
    {
        public readonly string DataSource;
        public readonly string Identifier;
        public readonly string Type;
        public readonly uint Version;
        public readonly TimeSpan UtcOffset;
        public readonly IReadOnlyList<SessionDetailDto> Details;
        public readonly IReadOnlyList<string> AssociatedSessionKeys;

        public SessionCreationDto(
            string dataSource = "Default",
            string identifier = "",
            string type = "Session",
            uint version = 1,
            TimeSpan? utcOffset = null,
            IReadOnlyList<SessionDetailDto> details = null,
            IReadOnlyList<string> associatedSessionKeys = null)
        {
            this.DataSource = dataSource;
            this.Identifier = identifier;
            this.Type = type;
            this.Version = version;
            this.UtcOffset = utcOffset ?? TimeZoneInfo.Local.GetUtcOffset(DateTime.Now);
            this.Details = details ?? new SessionDetailDto[0];
            this.AssociatedSessionKeys = associatedSessionKeys ?? new string[0];
        }
    }

    public sealed class SessionAssociationInfo : ISessionAssociationInfo
    {
        public SessionAssociationInfo(ISessionInfo mainSessionInfo, ISessionInfo associateSessionInfo, string group)
        {
            this.MainSessionInfo = mainSessionInfo;
            this.AssociateSessionInfo = associateSessionInfo;
            this.Group = group;
        }

        public ISessionInfo MainSessionInfo { get; private set; }

        public ISessionInfo AssociateSessionInfo { get; private set; }

        public string Group { get; private set; }
    }

    public interface ISessionManagerModuleApi : IModuleApi
    {
        ApiResult<ISessionManagementService> CreateService();
    }

    public interface ISessionManagementService : IModuleApiService
    {
        event EventHandler<ISessionInfo> LiveSessionStateChange;

        event EventHandler<ISessionInfo> LiveSessionStarted;

        event EventHandler<ISessionInfo> LiveSessionEnded;

        event EventHandler<ISessionAssociationInfo> NewAssociationDetected;

        Guid Id { get; }

        ApiResult<IReadOnlyList<ISessionInfo>> GetAllSessions();

        ApiResult<ISessionInfo> CreateNewSession(SessionCreationDto createSessionDto);

        ApiResult<ISessionInfo> UpdateIdentifier(string dataSource, string sessionKey, string newIdentifier);

        ApiResult<ISessionInfo> AddAssociateSession(string dataSource, string sessionKey, string addingAssociateKey);

        ApiResult<ISessionInfo> UpdateSessionDetails(string dataSource, string sessionKey, IReadOnlyList<SessionDetailDto> sessionDetails);

        ApiResult<ISessionInfo> GetSessionInfo(string dataSource, string sessionKey);

        ApiResult<ISessionInfo> EndSession(string dataSource, string sessionKey);
    }

    internal sealed class SessionManagerModuleApi : ISessionManagerModuleApi
    {
        private readonly Func<Broker> broker;

        internal SessionManagerModuleApi(Func<Broker> broker)
        {
            this.broker = broker;
        }

        public ApiResult<ISessionManagementService> CreateService()
        {
            return new ApiResult<ISessionManagementService>(true, string.Empty, new SessionManagementService(this.broker()));
        }
    }

    internal sealed class SessionManagementService : StandInServiceModel, ISessionManagementService
    {
        private readonly Broker broker;

        internal SessionManagementService(Broker broker)
        {
            this.broker = broker;
        }

        public event EventHandler<ISessionInfo> LiveSessionStateChange;

        public event EventHandler<ISessionInfo> LiveSessionStarted;

        public event EventHandler<ISessionInfo> LiveSessionEnded;

        public event EventHandler<ISessionAssociationInfo> NewAssociationDetected;

        public ApiResult<IReadOnlyList<ISessionInfo>> GetAllSessions()
        {
            var refusal = this.Refusal<IReadOnlyList<ISessionInfo>>("GetAllSessions");
            if (refusal != null)
            {
                return refusal;
            }

            lock (this.broker.Gate)
            {
                IReadOnlyList<ISessionInfo> all = this.broker.Sessions.Select(s => s.Snapshot()).ToList();
                return new ApiResult<IReadOnlyList<ISessionInfo>>(true, string.Empty, all);
            }
        }

        public ApiResult<ISessionInfo> CreateNewSession(SessionCreationDto createSessionDto)
        {
            var refusal = this.Refusal<ISessionInfo>("CreateNewSession");
            if (refusal != null)
            {
                return refusal;
            }

            if (createSessionDto == null)
            {
                throw new ArgumentNullException("createSessionDto");
            }

            lock (this.broker.Gate)
            {
                var record = this.broker.Session(Guid.NewGuid().ToString(), true);
                record.DataSource = createSessionDto.DataSource;
                record.Identifier = createSessionDto.Identifier ?? string.Empty;
                record.Type = createSessionDto.Type;
                record.Version = createSessionDto.Version;
                record.UtcOffset = createSessionDto.UtcOffset;
                foreach (var detail in createSessionDto.Details)
                {
                    record.Details[detail.Key] = detail.Value;
                }

                record.Associates.AddRange(createSessionDto.AssociatedSessionKeys);
                record.Registered = true;
                this.broker.Sessions.Add(record);
                var info = record.Snapshot();
                this.broker.Changed(new SessionChange { Kind = SessionChangeKind.Started, Session = info });
                return Ok(info);
            }
        }

        public ApiResult<ISessionInfo> UpdateIdentifier(string dataSource, string sessionKey, string newIdentifier)
        {
            return this.Change("UpdateIdentifier", sessionKey, record =>
            {
                record.Identifier = newIdentifier;
                return new SessionChange { Kind = SessionChangeKind.StateChanged };
            });
        }

        public ApiResult<ISessionInfo> AddAssociateSession(string dataSource, string sessionKey, string addingAssociateKey)
        {
            return this.Change("AddAssociateSession", sessionKey, record =>
            {
                record.Associates.Add(addingAssociateKey);
                var associate = this.broker.Session(addingAssociateKey, false);
                return new SessionChange { Kind = SessionChangeKind.Associated, Associate = associate == null ? null : associate.Snapshot() };
            });
        }

        public ApiResult<ISessionInfo> UpdateSessionDetails(string dataSource, string sessionKey, IReadOnlyList<SessionDetailDto> sessionDetails)
        {
            return this.Change("UpdateSessionDetails", sessionKey, record =>
            {
                foreach (var detail in sessionDetails)
                {
                    record.Details[detail.Key] = detail.Value;
                }

                return new SessionChange { Kind = SessionChangeKind.StateChanged };
            });
        }

        public ApiResult<ISessionInfo> GetSessionInfo(string dataSource, string sessionKey)
        {
            return this.Change("GetSessionInfo", sessionKey, record => null);
        }

        public ApiResult<ISessionInfo> EndSession(string dataSource, string sessionKey)
        {
            return this.Change("EndSession", sessionKey, record =>
            {
                record.Historical = true;
                return new SessionChange { Kind = SessionChangeKind.Ended };
            });
        }

        protected override void OnStart()
        {
            this.broker.AddListener(this.OnChange);
        }

        protected override void OnStop()
        {
            this.broker.RemoveListener(this.OnChange);
        }

        private static ApiResult<ISessionInfo> Ok(ISessionInfo info)
        {
            return new ApiResult<ISessionInfo>(true, string.Empty, info);
        }

        private ApiResult<ISessionInfo> Change(string action, string sessionKey, Func<SessionRecord, SessionChange> change)
        {
            var refusal = this.Refusal<ISessionInfo>(action);
            if (refusal != null)
            {
                return refusal;
            }

            lock (this.broker.Gate)
            {
                var record = sessionKey == null ? null : this.broker.Session(sessionKey, false);
                if (record == null || !record.Registered)
                {
                    return new ApiResult<ISessionInfo>(false, "unknown session key '" + sessionKey + "'", null);
                }

                var happened = change(record);
                var info = record.Snapshot();
                if (happened != null)
                {
                    record.Revision++;
                    happened.Session = info;
                    this.broker.Changed(happened);
                }

                return Ok(info);
            }
        }

        private void OnChange(SessionChange change)
        {
            EventHandler<ISessionInfo> handler = null;
            switch (change.Kind)
            {
                case SessionChangeKind.Started: handler = this.LiveSessionStarted; break;
                case SessionChangeKind.StateChanged: handler = change.Session.Historical ? null : this.LiveSessionStateChange; break;
                case SessionChangeKind.Ended: handler = this.LiveSessionEnded; break;
                case SessionChangeKind.Associated:
                    // The associate keys are part of the session's state, so it changed too.
                    if (!change.Session.Historical && this.LiveSessionStateChange != null)
                    {
                        this.LiveSessionStateChange(this, change.Session);
                    }

                    var associated = this.NewAssociationDetected;
                    if (associated != null)
                    {
                        associated(this, new SessionAssociationInfo(change.Session, change.Associate, string.Empty));
                    }

                    return;
            }

            if (handler != null)
            {
                handler(this, change.Session);
            }
        }
    }
}
