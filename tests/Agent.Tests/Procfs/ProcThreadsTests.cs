using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

public class ProcThreadsTests
{
    [Fact]
    public void A_thread_name_with_spaces_and_parentheses_is_kept_whole()
    {
        var text = Fixtures.ProcText("task-stat-name-with-parens");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');

        Assert.True(ProcThreads.TryParse(Fixtures.Proc("task-stat-name-with-parens"), out var thread));

        Assert.Equal("w (1) x)", thread.Name);
        Assert.Equal(int.Parse(text[..text.IndexOf(' ')]), thread.Tid);
        Assert.Equal(fields[0][0], thread.State);
        Assert.Equal(ulong.Parse(fields[11]), thread.UserTicks);   // (14) utime
        Assert.Equal(ulong.Parse(fields[12]), thread.SystemTicks); // (15) stime
    }

    [Theory]
    [InlineData("")]
    [InlineData("12 (x")]
    [InlineData("12 (x) S 1")]
    public void Malformed_lines_are_rejected(string text)
    {
        Assert.False(ProcThreads.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void Every_thread_of_this_process_is_read_with_the_name_its_comm_file_gives()
    {
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var named = new Thread(() =>
        {
            started.Set();
            release.Wait();
        }) { Name = "evidence-test", IsBackground = true };
        named.Start();
        started.Wait();
        try
        {
            var dir = $"/proc/{Environment.ProcessId}";
            var threads = new List<ProcThread>();

            Assert.Equal(ProcReadStatus.Ok, ProcThreads.Read(dir, threads, 100_000, out var truncated));
            var listed = Directory.GetDirectories($"{dir}/task").Select(d => int.Parse(Path.GetFileName(d))).ToHashSet();

            Assert.False(truncated);
            // The test host starts and ends threads on its own: most, not all, must agree.
            Assert.True(threads.Count(t => listed.Contains(t.Tid)) >= listed.Count - 3);
            var comms = threads.Where(t => File.Exists($"{dir}/task/{t.Tid}/comm"))
                .Select(t => (t.Name, Comm: File.ReadAllText($"{dir}/task/{t.Tid}/comm").TrimEnd('\n'))).ToList();
            Assert.All(comms, c => Assert.Equal(c.Comm, c.Name));
            Assert.Contains(threads, t => t.Name == "evidence-test"); // .NET sets the OS name (15 bytes max)
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public void The_limit_bounds_the_list_and_says_so()
    {
        var threads = new List<ProcThread>();

        Assert.Equal(ProcReadStatus.Ok, ProcThreads.Read($"/proc/{Environment.ProcessId}", threads, 2, out var truncated));

        Assert.Equal(2, threads.Count);
        Assert.True(truncated);
    }

    [Fact]
    public void A_missing_process_is_gone()
    {
        Assert.Equal(ProcReadStatus.Gone, ProcThreads.Read("/proc/999999999", [], 10, out _));
    }
}
