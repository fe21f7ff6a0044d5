using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

public class ProcIoAndLimitsTests
{
    [Fact]
    public void Io_fields_match_the_file()
    {
        var io = ProcIo.Parse(Fixtures.Proc("io-sleep"));
        var values = Fixtures.ProcText("io-sleep").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')).ToDictionary(p => p[0], p => ulong.Parse(p[1].Trim()));

        Assert.Equal(values["rchar"], io.ReadChars);
        Assert.Equal(values["wchar"], io.WriteChars);
        Assert.Equal(values["read_bytes"], io.ReadBytes);
        Assert.Equal(values["write_bytes"], io.WriteBytes);
    }

    [Fact]
    public void Io_with_missing_lines_leaves_them_null()
    {
        var io = ProcIo.Parse("rchar: 5\nread_bytes: x\n"u8);

        Assert.Equal(5UL, io.ReadChars);
        Assert.Null(io.ReadBytes);
        Assert.Null(io.WriteBytes);
    }

    [Fact]
    public void Limits_soft_and_hard_open_files()
    {
        var line = Fixtures.ProcText("limits-default").Split('\n').Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var columns = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var limits = ProcLimits.Parse(Fixtures.Proc("limits-default"));

        Assert.Equal(double.Parse(columns[0]), limits.MaxOpenFilesSoft);
        Assert.Equal(double.Parse(columns[1]), limits.MaxOpenFilesHard);
    }

    [Fact]
    public void Unlimited_is_infinity()
    {
        var limits = ProcLimits.Parse(Fixtures.Proc("limits-unlimited"));

        Assert.Equal(double.PositiveInfinity, limits.MaxOpenFilesSoft);
        Assert.Equal(double.PositiveInfinity, limits.MaxOpenFilesHard);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Max open files")]
    [InlineData("Max open files            12abc   x  files")]
    [InlineData("Limit Soft Hard\n")]
    public void Malformed_limits_give_null(string text)
    {
        Assert.Null(ProcLimits.Parse(Encoding.ASCII.GetBytes(text)).MaxOpenFilesSoft);
    }

    [Fact]
    public void Boot_time_is_read_from_btime()
    {
        var expected = long.Parse(Fixtures.ProcText("proc-stat").Split('\n').Single(l => l.StartsWith("btime", StringComparison.Ordinal)).Split(' ')[1]);

        Assert.Equal(expected, ProcSystem.ParseBootTime(Fixtures.Proc("proc-stat")));
        Assert.Equal(0, ProcSystem.ParseBootTime("cpu 1 2\n"u8));
    }

    [Fact]
    public void Fd_count_agrees_with_a_directory_listing_of_this_process()
    {
        // Open a few files so the count is not trivially small, then compare with an independent
        // enumeration. Other test classes open and close files meanwhile (a slack of 3 was not
        // enough at load 15): the count is taken between two equal listings, tried until there are.
        using var a = File.OpenRead("/proc/self/stat");
        using var b = File.OpenRead("/proc/self/status");
        var dir = $"/proc/{Environment.ProcessId}/fd";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int before, after;
        long count;
        do
        {
            before = Directory.GetFileSystemEntries(dir).Length;
            Assert.Equal(ProcReadStatus.Ok, ProcFdCount.Count(dir, sizeIsCount: true, out count));
            after = Directory.GetFileSystemEntries(dir).Length;
        }
        while ((before != after || count != before) && DateTime.UtcNow < deadline);

        // Each listing holds the descriptor it reads the directory through; the count does not.
        Assert.True(before == after, $"the listings never agreed: {before} then {after}");
        Assert.InRange(count, before - 1, before + 1);
    }

    [Fact]
    public void Fd_count_of_a_missing_process_is_gone()
    {
        Assert.Equal(ProcReadStatus.Gone, ProcFdCount.Count("/proc/999999999/fd", sizeIsCount: true, out _));
    }

    [Fact]
    public void Reading_a_missing_file_reports_gone()
    {
        Assert.Equal(ProcReadStatus.Gone, ProcFileReader.Read("/proc/999999999/stat", new byte[64], out _));
    }
}
