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
}
