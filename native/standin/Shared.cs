// TEST STAND-IN, not the vendor library: the shared contracts (results, handlers, the service
// lifecycle) and the lifecycle base class of the stand-in's services.

using System;
using System.Threading;
using System.Threading.Tasks;

namespace MA.DataPlatforms.Streaming.Support.Lib.Core.Shared.Abstractions
{
    public class ApiResult<T>
    {
        public ApiResult(bool success, string message, T data)
        {
            this.Success = success;
            this.Message = message ?? string.Empty;
            this.Data = data;
        }

        public bool Success { get; private set; }

        public string Message { get; private set; }

        public T Data { get; private set; }
    }

    public interface IHandler<in T>
    {
        void Handle(T obj);
    }

    public interface IServiceModel : IDisposable
    {
        event EventHandler<DateTime> Initialised;

        event EventHandler<DateTime> Started;

        event EventHandler<DateTime> Stopped;

        bool IsInitialised { get; }

        bool IsStarted { get; }

        void Initialise();

        Task InitialiseAsync(CancellationToken cancellationToken);

        void Start();

        void Stop();
    }

    /// <summary>The vendor's module APIs have internal lifecycle members; they are not public surface.</summary>
    public interface IModuleApi
    {
    }

    public interface IModuleApiService : IServiceModel
    {
    }

    /// <summary>Stand-in lifecycle: Initialise, Start, Stop with their events; Start before
    /// Initialise throws InvalidOperationException.</summary>
    public abstract class StandInServiceModel : IModuleApiService
    {
        private readonly object gate = new object();

        protected StandInServiceModel()
        {
            this.Id = Guid.NewGuid();
        }

        public event EventHandler<DateTime> Initialised;

        public event EventHandler<DateTime> Started;

        public event EventHandler<DateTime> Stopped;

        public Guid Id { get; private set; }

        public bool IsInitialised { get; private set; }

        public bool IsStarted { get; private set; }

        public void Initialise()
        {
            lock (this.gate)
            {
                if (this.IsInitialised)
                {
                    return;
                }

                this.OnInitialise();
                this.IsInitialised = true;
            }

            Raise(this.Initialised);
        }

        public Task InitialiseAsync(CancellationToken cancellationToken)
        {
            return Task.Run(() => this.Initialise(), cancellationToken);
        }

        public void Start()
        {
            lock (this.gate)
            {
                if (!this.IsInitialised)
                {
                    throw new InvalidOperationException(this.GetType().Name + ".Start() called before Initialise()");
                }

                if (this.IsStarted)
                {
                    return;
                }

                this.OnStart();
                this.IsStarted = true;
            }

            Raise(this.Started);
        }

        public void Stop()
        {
            lock (this.gate)
            {
                if (!this.IsStarted)
                {
                    return;
                }

                this.IsStarted = false;
                this.OnStop();
            }

            Raise(this.Stopped);
        }

        public void Dispose()
        {
            this.Stop();
        }

        protected virtual void OnInitialise()
        {
        }

        protected virtual void OnStart()
        {
        }

        protected virtual void OnStop()
        {
        }

        protected ApiResult<T> Refusal<T>(string action)
        {
            return this.IsStarted ? null : new ApiResult<T>(false, action + ": the service is not started", default(T));
        }

        private void Raise(EventHandler<DateTime> handler)
        {
            if (handler != null)
            {
                handler(this, DateTime.UtcNow);
            }
        }
    }
}
