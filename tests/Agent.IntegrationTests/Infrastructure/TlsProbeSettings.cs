namespace Agent.IntegrationTests.Infrastructure;

/// <summary>The settings of one non-critical probe in the TLS tests, with <c>CaFile</c> when one is given.</summary>
internal static class TlsProbeSettings
{
    /// <param name="address">The probe's address key and value: <c>("Url", …)</c> or <c>("ConnectionString", …)</c>.</param>
    public static Dictionary<string, string> For(string name, string kind, (string Key, string Value) address, TimeSpan period, TimeSpan timeout, string? caFile)
    {
        var settings = new Dictionary<string, string>
        {
            [$"Probes:{name}:Kind"] = kind,
            [$"Probes:{name}:{address.Key}"] = address.Value,
            [$"Probes:{name}:Period"] = period.ToString(),
            [$"Probes:{name}:Timeout"] = timeout.ToString(),
            [$"Probes:{name}:Critical"] = "false",
        };
        if (caFile is not null)
        {
            settings[$"Probes:{name}:CaFile"] = caFile;
        }

        return settings;
    }
}
