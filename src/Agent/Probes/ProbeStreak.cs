namespace Agent.Probes;

/// <summary>
/// A probe's run of equal results and the verdict /ready uses, as the kubelet debounces its
/// probes: a passing probe fails only after <c>FailureThreshold</c> consecutive failures, a
/// failing one passes again only after <c>SuccessThreshold</c> consecutive successes. The first
/// result sets the verdict directly, so start-up is not delayed by the thresholds.
/// </summary>
/// <param name="ConsecutiveFailures">Failed results in a row, up to and including the latest (0 after a success).</param>
/// <param name="ConsecutiveSuccesses">Successful results in a row (0 after a failure).</param>
/// <param name="Passing">The debounced verdict.</param>
/// <param name="LastFailure">The failure that made (or keeps) the verdict failing; null while passing.</param>
internal sealed record ProbeStreak(int ConsecutiveFailures, int ConsecutiveSuccesses, bool Passing, ProbeOutcome? LastFailure)
{
    public static ProbeStreak Start(ProbeOutcome first) =>
        first.Healthy ? new(0, 1, true, null) : new(1, 0, false, first);

    public ProbeStreak Next(ProbeOutcome outcome, int failureThreshold, int successThreshold)
    {
        if (outcome.Healthy)
        {
            var successes = ConsecutiveSuccesses + 1;
            var passing = Passing || successes >= successThreshold;
            return new(0, successes, passing, passing ? null : LastFailure);
        }

        var failures = ConsecutiveFailures + 1;
        var stillPassing = Passing && failures < failureThreshold;
        return new(failures, 0, stillPassing, stillPassing ? null : outcome);
    }
}
