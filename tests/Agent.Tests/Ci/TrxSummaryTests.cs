using System.Diagnostics;

namespace Agent.Tests.Ci;

/// <summary>
/// .ci/run's counting step (.ci/trx-summary) fed TRX files with every outcome. The two fixtures are
/// real vstest output (xUnit 2.9.3, trimmed stack traces): a run with a pass, a failure, a skip and a
/// theory, and a run whose test host crashed (Environment.FailFast). xUnit never writes the
/// Error, Timeout, Aborted or Inconclusive outcomes other runners do; those cases change one
/// result's outcome in the real file.
/// </summary>
public sealed class TrxSummaryTests : IDisposable
{
    private static readonly string Trx = Agent.Tests.Fixtures.TreePath("trx");
    private readonly string _dir = Directory.CreateTempSubdirectory("trx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_real_xunit_run_counts_passed_failed_and_skipped_with_the_skip_reason()
    {
        var (code, output) = Summary("--details", Path.Combine(Trx, "xunit-mixed.trx"));

        Assert.Equal(1, code);
        Assert.Equal("4 passed, 1 failed, 1 skipped", output[^1]);
        Assert.Contains("failed: A.Fails: Assert.Equal() Failure: Values differ", output);
        Assert.Contains("skipped: A.Skipped (a reason to skip)", output);
    }

    [Theory]
    [InlineData("Error")]
    [InlineData("Timeout")]
    [InlineData("Aborted")]
    [InlineData("Inconclusive")]
    [InlineData("Disconnected")]
    public void Every_outcome_that_is_not_a_pass_or_a_skip_is_a_failure(string outcome)
    {
        // A.Passes becomes the given outcome: one pass fewer, one failure more.
        var text = File.ReadAllText(Path.Combine(Trx, "xunit-mixed.trx"));
        var passes = text.IndexOf("testName=\"A.Passes\"", StringComparison.Ordinal);
        var at = text.IndexOf("outcome=\"Passed\"", passes, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dir, "run.trx"), string.Concat(text.AsSpan(0, at), $"outcome=\"{outcome}\"", text.AsSpan(at + "outcome=\"Passed\"".Length)));

        var (code, output) = Summary("--details", _dir);

        Assert.Equal(1, code);
        Assert.Equal("3 passed, 2 failed, 1 skipped", output[^1]);
        Assert.Contains($"{outcome.ToLowerInvariant()}: A.Passes", output);
    }

    [Fact]
    public void A_crashed_test_host_is_a_failure_not_a_row_of_skipped_tests()
    {
        var (code, output) = Summary("--details", Path.Combine(Trx, "crashed-host.trx"));

        Assert.Equal(1, code);
        Assert.Equal("0 passed, 1 failed", output[^1]);
        Assert.Contains(output, l => l.Contains("Test host process crashed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_directory_counts_every_trx_below_it_and_an_empty_one_is_a_failure()
    {
        var nested = Directory.CreateDirectory(Path.Combine(_dir, "unit")).FullName;
        File.Copy(Path.Combine(Trx, "xunit-mixed.trx"), Path.Combine(nested, "a.trx"));
        File.Copy(Path.Combine(Trx, "crashed-host.trx"), Path.Combine(_dir, "b.trx"));
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "..", Path.GetFileName(_dir) + "-empty")).FullName;
        try
        {
            Assert.Equal((1, "4 passed, 2 failed, 1 skipped"), Last(Summary(_dir)));
            Assert.Equal((1, "0 passed, 1 failed"), Last(Summary(empty)));
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void Only_passes_and_skips_exit_0()
    {
        var text = File.ReadAllText(Path.Combine(Trx, "xunit-mixed.trx"))
            .Replace("outcome=\"Failed\" testListId", "outcome=\"Passed\" testListId", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dir, "green.trx"), text);

        Assert.Equal((0, "5 passed, 0 failed, 1 skipped"), Last(Summary(_dir)));
    }

    private static (int, string) Last((int Code, string[] Output) r) => (r.Code, r.Output[^1]);

    private static (int Code, string[] Output) Summary(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(Agent.Tests.Fixtures.RepoRoot, ".ci", "trx-summary"), args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.TrimEnd('\n').Split('\n'));
    }
}
