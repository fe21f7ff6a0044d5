namespace Agent.Diagnostics;

/// <summary>A capture failed for a reason worth showing in the artifact's <c>error</c> (no target memory in the message).</summary>
internal sealed class CaptureFailedException : Exception
{
    public CaptureFailedException(string message)
        : base(message)
    {
    }

    public CaptureFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CaptureFailedException()
    {
    }
}
