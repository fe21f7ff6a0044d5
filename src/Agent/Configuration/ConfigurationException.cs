namespace Agent.Configuration;

/// <summary>A configuration problem, always naming the offending key (e.g. <c>Target:Pid</c>).</summary>
internal sealed class ConfigurationException(string key, string problem)
    : Exception($"{key}: {problem}")
{
    public string Key { get; } = key;
}
