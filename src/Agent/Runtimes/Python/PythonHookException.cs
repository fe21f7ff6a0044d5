namespace Agent.Runtimes.Python;

/// <summary>Why a request to a Python hook got no usable answer.</summary>
internal enum PythonHookFailure
{
    /// <summary>No socket, or one nobody listens on (left by an exited process).</summary>
    Gone,

    /// <summary>The socket's permissions refuse the agent's user.</summary>
    Denied,

    /// <summary>The socket is served by another process than the target.</summary>
    WrongProcess,

    /// <summary>No answer within the deadline.</summary>
    Timeout,

    /// <summary>The connection ended before an answer.</summary>
    Closed,

    /// <summary>The answer is not what the protocol says.</summary>
    Malformed,

    /// <summary>The hook answered with an error (busy, an argument out of range, another uid).</summary>
    Refused,
}

/// <summary>A request to a Python hook failed; the message says why in words a user can act on (never the target's data).</summary>
internal sealed class PythonHookException : Exception
{
    public PythonHookException(PythonHookFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    public PythonHookException()
    {
    }

    public PythonHookException(string message)
        : base(message)
    {
    }

    public PythonHookException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PythonHookFailure Failure { get; }
}
