namespace Agent.Cli;

/// <summary>How <c>agent check</c> prints its report.</summary>
internal enum OutputFormat
{
    Text,
    Json,
}
