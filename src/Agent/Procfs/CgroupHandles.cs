using Microsoft.Win32.SafeHandles;

namespace Agent.Procfs;

/// <summary>
/// The located cgroup files held open: each tick reads them with pread at offset 0, which makes
/// the kernel render the file afresh (kernfs seq files restart at 0), without the open and close
/// that cost 3–5 times the read itself (measured here: ~25 µs to open, read and close
/// <c>memory.usage_in_bytes</c>, ~5 µs to pread it). A removed cgroup does not wait for these:
/// rmdir succeeds and later reads fail with ENODEV, which counts as missing. A file that did not
/// open (no such controller) is tried again by <see cref="Reopen"/>.
/// </summary>
internal sealed class CgroupHandles : IDisposable
{
    private readonly SafeFileHandle?[] _handles;
    private readonly SafeFileHandle? _periodV1;

    public CgroupHandles(CgroupPaths paths)
    {
        Paths = paths;
        _handles = new SafeFileHandle?[CgroupFileNames.All.Length];
        Reopen();
        _periodV1 = paths.CpuPeriodV1 is { } period ? Open(period) : null;
    }

    public CgroupPaths Paths { get; }

    /// <summary>Opens the files that are not open (a controller enabled since, or a first attempt).</summary>
    public void Reopen()
    {
        for (var i = 0; i < CgroupFileNames.All.Length; i++)
        {
            if (_handles[i] is null && Paths.File(CgroupFileNames.All[i]) is { } path)
            {
                _handles[i] = Open(path);
            }
        }
    }

    /// <summary>One file into the buffer; false when it is not open or not readable now.</summary>
    public bool Read(CgroupFile file, Span<byte> buffer, out int length) =>
        Read(_handles[System.Numerics.BitOperations.TrailingZeroCount((int)file)], buffer, out length);

    /// <summary>v1's <c>cpu.cfs_period_us</c>.</summary>
    public bool ReadPeriodV1(Span<byte> buffer, out int length) => Read(_periodV1, buffer, out length);

    public void Dispose()
    {
        foreach (var h in _handles)
        {
            h?.Dispose();
        }

        _periodV1?.Dispose();
    }

    private static bool Read(SafeFileHandle? handle, Span<byte> buffer, out int length)
    {
        length = 0;
        return handle is not null && ProcFileReader.Read(handle, buffer, out length) == ProcReadStatus.Ok;
    }

    private static SafeFileHandle? Open(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
