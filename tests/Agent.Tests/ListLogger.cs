using Microsoft.Extensions.Logging;

namespace Agent.Tests;

/// <summary>Keeps every formatted message with its event id, for tests that count log lines.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly Lock _lock = new();
    private readonly List<(int EventId, string Message)> _entries = [];

    public IReadOnlyList<(int EventId, string Message)> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock)
        {
            _entries.Add((eventId.Id, formatter(state, exception)));
        }
    }
}
