namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// A fact that runs only when <c>AGENT_SOAK_MINUTES</c> is set; otherwise the runner reports it
/// as skipped (not as a passed test that did nothing).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SoakFactAttribute : FactAttribute
{
    public SoakFactAttribute()
    {
        if (Suite.SoakMinutes <= 0)
        {
            Skip = "soak: set AGENT_SOAK_MINUTES (e.g. 30) to run it";
        }
    }
}
