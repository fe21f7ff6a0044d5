using System.Net;
using System.Net.Sockets;
using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

public class ProcFdsTests
{
    [Theory]
    [InlineData("/etc/hostname", "File", 0UL)]
    [InlineData("/memfd:doublemapper (deleted)", "File", 0UL)]
    [InlineData("socket:[4026532]", "Socket", 4026532UL)]
    [InlineData("pipe:[17]", "Pipe", 17UL)]
    [InlineData("anon_inode:[eventpoll]", "AnonInode", 0UL)]
    [InlineData("anon_inode:inotify", "AnonInode", 0UL)]
    [InlineData("net:[4026531840]", "Other", 0UL)]
    [InlineData("socket:[]", "Other", 0UL)]
    [InlineData("socket:[12x]", "Other", 0UL)]
    [InlineData("socket:[99999999999999999999999]", "Other", 0UL)]
    [InlineData("pipe:17", "Other", 0UL)]
    [InlineData("", "Other", 0UL)]
    public void Link_targets_are_classified(string target, string kind, ulong inode)
    {
        Assert.Equal(new ProcFdLink(Enum.Parse<FdKind>(kind), inode), ProcFdLink.Classify(Encoding.UTF8.GetBytes(target)));
    }

    [Fact]
    public void Open_files_sockets_and_pipes_of_this_process_are_listed_with_their_targets()
    {
        var path = Path.Combine(Path.GetTempPath(), $"evidence-fd-{Guid.NewGuid():N}");
        using var file = File.Create(path);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        try
        {
            var dir = $"/proc/{Environment.ProcessId}";
            var fds = new List<ProcFd>();

            Assert.Equal(ProcReadStatus.Ok, ProcFds.Read(dir, fds, 100_000, out var truncated));

            Assert.False(truncated);
            // Independent: the kernel's links read through the BCL, one by one.
            var fileFd = Assert.Single(fds, f => f.Target == path);
            Assert.Equal(FdKind.File, fileFd.Kind);
            var socketLink = new FileInfo($"{dir}/fd/{(int)listener.Handle}").LinkTarget!;
            var socketFd = Assert.Single(fds, f => f.Fd == (int)listener.Handle);
            Assert.Equal(FdKind.Socket, socketFd.Kind);
            Assert.Equal(socketLink, socketFd.Target);
            Assert.Equal(ulong.Parse(socketLink["socket:[".Length..^1]), socketFd.Inode);
        }
        finally
        {
            file.Close();
            File.Delete(path);
        }
    }

    [Fact]
    public void The_limit_bounds_the_list_and_says_so()
    {
        var fds = new List<ProcFd>();

        Assert.Equal(ProcReadStatus.Ok, ProcFds.Read($"/proc/{Environment.ProcessId}", fds, 3, out var truncated));

        Assert.Equal(3, fds.Count);
        Assert.True(truncated);
    }

    [Fact]
    public void A_missing_process_is_gone()
    {
        Assert.Equal(ProcReadStatus.Gone, ProcFds.Read("/proc/999999999", [], 10, out _));
    }

    [Fact]
    public void A_fake_fd_directory_is_read_in_fd_order_skipping_names_that_are_not_numbers()
    {
        // A pid directory of our own whose fd/ holds symbolic links as the kernel's does.
        var pid = Directory.CreateTempSubdirectory("fakepid-").FullName;
        try
        {
            var fd = Directory.CreateDirectory(Path.Combine(pid, "fd")).FullName;
            File.CreateSymbolicLink(Path.Combine(fd, "10"), "pipe:[77]");
            File.CreateSymbolicLink(Path.Combine(fd, "2"), "socket:[4242]");
            File.CreateSymbolicLink(Path.Combine(fd, "0"), "/dev/null");
            File.CreateSymbolicLink(Path.Combine(fd, "x"), "/ignored");
            File.CreateSymbolicLink(Path.Combine(fd, "-1"), "/ignored-too");
            var all = new List<ProcFd>();

            Assert.Equal(ProcReadStatus.Ok, ProcFds.Read(pid, all, 10, out var truncated));

            Assert.False(truncated);
            Assert.Equal([0, 2, 10], all.Select(f => f.Fd));
            Assert.Equal([FdKind.File, FdKind.Socket, FdKind.Pipe], all.Select(f => f.Kind));
            Assert.Equal([0UL, 4242UL, 77UL], all.Select(f => f.Inode));
            Assert.Equal(["/dev/null", "socket:[4242]", "pipe:[77]"], all.Select(f => f.Target));

            var two = new List<ProcFd>();
            Assert.Equal(ProcReadStatus.Ok, ProcFds.Read(pid, two, 2, out truncated));
            Assert.True(truncated);
            Assert.Equal([0, 2], two.Select(f => f.Fd));

            var three = new List<ProcFd>();
            Assert.Equal(ProcReadStatus.Ok, ProcFds.Read(pid, three, 3, out truncated));
            Assert.False(truncated); // exactly at the limit: nothing left out

            // A link that is not a link (closed and replaced meanwhile) is skipped, not an error.
            File.WriteAllText(Path.Combine(fd, "5"), "plain file");
            var skipped = new List<ProcFd>();
            Assert.Equal(ProcReadStatus.Ok, ProcFds.Read(pid, skipped, 10, out _));
            Assert.Equal([0, 2, 10], skipped.Select(f => f.Fd));
        }
        finally
        {
            Directory.Delete(pid, recursive: true);
        }
    }

    [Fact]
    public void A_pid_directory_without_fd_is_gone()
    {
        var pid = Directory.CreateTempSubdirectory("fakepid-").FullName;
        try
        {
            Assert.Equal(ProcReadStatus.Gone, ProcFds.Read(pid, [], 10, out var truncated));
            Assert.False(truncated);
        }
        finally
        {
            Directory.Delete(pid);
        }
    }
}
