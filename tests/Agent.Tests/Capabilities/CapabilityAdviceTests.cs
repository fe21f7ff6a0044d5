using Agent.Capabilities;
using Agent.Procfs;

namespace Agent.Tests.Capabilities;

public class CapabilityAdviceTests
{
    private const ulong Ptrace = 1UL << 19;

    private static ProcCredentials As(int uid, ulong caps = 0) => new(uid, uid, caps);

    [Fact]
    public void Another_users_file_names_both_uids_and_both_fixes()
    {
        var c = CapabilityAdvice.ForProcFile("io", ProcReadStatus.Denied, 7, As(65534), As(0), "io metrics", "n/a");

        Assert.Equal(CapabilityStatus.Unavailable, c.Status);
        Assert.Contains("target runs as uid 0, the agent as uid 65534 without CAP_SYS_PTRACE", c.Detail, StringComparison.Ordinal);
        Assert.Contains("run the agent as uid 0", c.Fix, StringComparison.Ordinal);
        Assert.Contains("runAsUser: 0", c.Fix, StringComparison.Ordinal);
        Assert.Contains("CAP_SYS_PTRACE", c.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_uid_but_denied_means_a_non_dumpable_target_and_only_ptrace_helps()
    {
        var c = CapabilityAdvice.ForProcFile("fd", ProcReadStatus.Denied, 7, As(1000), As(1000), "fds", "n/a");

        Assert.Contains("not dumpable", c.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("run the agent as uid", c.Fix, StringComparison.Ordinal);
        Assert.Contains("CAP_SYS_PTRACE", c.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Denied_with_ptrace_held_points_at_a_security_module()
    {
        var c = CapabilityAdvice.ForProcFile("smaps_rollup", ProcReadStatus.Denied, 7, As(0, Ptrace), As(1000), "memory", "n/a");

        Assert.Contains("security module", c.Detail, StringComparison.Ordinal);
        Assert.Contains("security profile", c.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_readable_file_has_no_fix_and_an_absent_one_does_not_apply()
    {
        var ok = CapabilityAdvice.ForProcFile("io", ProcReadStatus.Ok, 7, As(0), As(0), "io", "old kernel");
        var absent = CapabilityAdvice.ForProcFile("io", ProcReadStatus.Gone, 7, As(0), As(0), "io", "old kernel");

        Assert.Equal((CapabilityStatus.Available, (string?)null), (ok.Status, ok.Fix));
        Assert.Equal(CapabilityStatus.NotApplicable, absent.Status);
        Assert.Contains("old kernel", absent.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_owner_only_socket_asks_for_the_same_uid_not_ptrace()
    {
        var c = CapabilityAdvice.SocketDenied("/tmp/dotnet-diagnostic-7-1-socket", As(65534), As(1654));

        Assert.Equal(CapabilityStatus.Unavailable, c.Status);
        Assert.Contains("run the agent as uid 1654", c.Fix, StringComparison.Ordinal);
        Assert.Contains("does not help", c.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false, "NotApplicable")]  // looked everywhere, not dotnet: not a .NET process
    [InlineData(true, true, "Unavailable")]     // dotnet without a socket
    [InlineData(false, false, "Unavailable")]   // could not look: cannot tell
    public void A_missing_socket_is_only_not_applicable_when_the_agent_could_look(bool reachable, bool dotnet, string status)
    {
        var expected = Enum.Parse<CapabilityStatus>(status);
        var c = CapabilityAdvice.SocketNotFound(7, "/tmp", reachable, dotnet, As(1000));

        Assert.Equal(expected, c.Status);
        if (expected == CapabilityStatus.Unavailable)
        {
            Assert.Contains("DOTNET_DiagnosticPorts=", c.Fix, StringComparison.Ordinal);
            Assert.Contains("emptyDir mounted at /tmp", c.Fix, StringComparison.Ordinal);
            Assert.Equal(!reachable, c.Fix!.Contains("run the agent as uid 1000", StringComparison.Ordinal));
        }
    }
}
