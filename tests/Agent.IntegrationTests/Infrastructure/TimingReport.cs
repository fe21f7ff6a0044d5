using Xunit.Abstractions;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// One line per measured duration that a test bounds, in a fixed form (`timing | what | N ms | bound N ms`),
/// so repeated runs under load can be searched for their worst case (docs/reliability.md, "Timing bounds").
/// </summary>
public static class TimingReport
{
    public static void Write(ITestOutputHelper output, string what, TimeSpan measured, TimeSpan bound) =>
        output.WriteLine($"timing | {what} | {measured.TotalMilliseconds:F0} ms | bound {bound.TotalMilliseconds:F0} ms");
}
