using Agent.Procfs;
using Agent.Runtimes;

namespace Agent.Tests.Runtimes;

/// <summary>Finding a .NET target's diagnostic socket on the fixture trees.</summary>
public sealed class DiagnosticSocketTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("diag-tmp-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [Fact]
    public void A_containerised_target_is_found_in_its_own_tmp_under_its_namespace_pid()
    {
        // Host pid 4242 is pid 1 in its container (NSpid "4242 1"), started at tick 3000: the
        // runtime named the socket after 1 and keyed it with its start time.
        var expected = Path.Combine(Fixtures.TreePath("proc"), "4242", "root", "tmp", "dotnet-diagnostic-1-3000-socket");

        Assert.Equal(expected, DiagnosticSocket.Find(Fixtures.Host().Process(4242), _tmp));
    }

    [Fact]
    public void The_exact_names_are_computed_once_per_process_and_then_only_checked()
    {
        // A follower keeps these for its process (identity 4242@3000): both places, both pids.
        var names = DiagnosticSocket.Candidates(Fixtures.Host().Process(4242), 3000, _tmp);
        var container = Path.Combine(Fixtures.TreePath("proc"), "4242", "root", "tmp", "dotnet-diagnostic-1-3000-socket");

        Assert.Equal(4, names.Length);
        Assert.Contains(Path.Combine(_tmp, "dotnet-diagnostic-4242-3000-socket"), names);
        Assert.Equal(container, DiagnosticSocket.FirstExisting(names));
        Assert.Null(DiagnosticSocket.FirstExisting(DiagnosticSocket.Candidates(Fixtures.Host().Process(4242), 77, _tmp))); // another process's key
    }

    [Fact]
    public void A_socket_in_the_shared_tmp_wins_and_a_process_without_one_has_none()
    {
        var shared = Path.Combine(_tmp, "dotnet-diagnostic-4242-3000-socket");
        File.WriteAllText(shared, string.Empty);

        Assert.Equal(shared, DiagnosticSocket.Find(Fixtures.Host().Process(4242), _tmp));
        Assert.Null(DiagnosticSocket.Find(Fixtures.Host().Process(100), _tmp));
        Assert.Null(DiagnosticSocket.Find(Fixtures.Host().Process(999), _tmp));
    }

    [Fact]
    public void A_socket_left_by_an_earlier_process_with_the_same_pid_is_not_taken()
    {
        // A killed runtime leaves its socket; the pid is reused. The key tells them apart, however new the file.
        var fs = Fixtures.Host();
        var container = Path.Combine(Fixtures.TreePath("proc"), "4242", "root", "tmp", "dotnet-diagnostic-1-3000-socket");
        var stale = Path.Combine(_tmp, "dotnet-diagnostic-4242-77-socket");
        File.WriteAllText(stale, string.Empty);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddMinutes(1)); // newer than the right one: a listing would pick it

        Assert.Equal(container, DiagnosticSocket.Find(fs.Process(4242), _tmp));
        var staleOnly = Path.Combine(_tmp, "dotnet-diagnostic-100-77-socket"); // pid 100 is not .NET now
        File.WriteAllText(staleOnly, string.Empty);
        Assert.Null(DiagnosticSocket.Find(fs.Process(100), _tmp));
    }

    [Fact]
    public void A_live_dotnet_process_names_its_socket_with_its_start_time()
    {
        // Oracle: the runtime itself. This test process is .NET: its socket is in /tmp (or $TMPDIR)
        // under the key its own stat gives.
        var tmp = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } t ? t : "/tmp";
        var found = DiagnosticSocket.Find(new ProcFs("/proc").Process(Environment.ProcessId), tmp);

        Assert.NotNull(found);
        Assert.True(File.Exists(found));
        Assert.StartsWith($"dotnet-diagnostic-{Environment.ProcessId}-", Path.GetFileName(found), StringComparison.Ordinal);
    }

    [Fact]
    public void A_socket_left_by_a_dead_process_with_the_same_pid_is_not_this_process_s()
    {
        // The fixture's 4242 started at tick 3000 (stat field 22); the runtime names its socket after that.
        var stale = Path.Combine(_tmp, "dotnet-diagnostic-4242-2999-socket");
        File.WriteAllText(stale, string.Empty);
        var own = Path.Combine(_tmp, "dotnet-diagnostic-4242-3000-socket");

        Assert.NotEqual(stale, DiagnosticSocket.Find(Fixtures.Host().Process(4242), _tmp));
        File.WriteAllText(own, string.Empty);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddMinutes(1)); // newer, still stale
        Assert.Equal(own, DiagnosticSocket.Find(Fixtures.Host().Process(4242), _tmp));
    }
}
