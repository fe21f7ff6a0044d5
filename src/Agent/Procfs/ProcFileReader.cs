using Microsoft.Win32.SafeHandles;

namespace Agent.Procfs;

/// <summary>
/// Reads small /proc files into a caller-owned buffer. /proc files have no size, so the
/// file is read until EOF or until the buffer is full; a larger file is truncated and the
/// parsers treat what is missing as absent. No allocation besides the file handle.
/// </summary>
internal static class ProcFileReader
{
    public static ProcReadStatus Read(string path, Span<byte> buffer, out int length)
    {
        length = 0;
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
        }
        catch (UnauthorizedAccessException)
        {
            return ProcReadStatus.Denied;
        }
        catch (IOException)
        {
            // FileNotFoundException and DirectoryNotFoundException included: the process exited.
            return ProcReadStatus.Gone;
        }

        using (handle)
        {
            return Read(handle, buffer, out length);
        }
    }

    /// <summary>
    /// An open file from offset 0 to its end (or the buffer's): the kernel renders a /proc or
    /// cgroup file afresh on a read at 0, so a held handle serves every tick.
    /// </summary>
    public static ProcReadStatus Read(SafeFileHandle handle, Span<byte> buffer, out int length)
    {
        length = 0;
        try
        {
            while (length < buffer.Length)
            {
                // /proc files are generated per read(2); offset-based reads keep one syscall per chunk.
                var n = RandomAccess.Read(handle, buffer[length..], length);
                if (n <= 0)
                {
                    break;
                }

                length += n;
            }
        }
        catch (UnauthorizedAccessException)
        {
            return ProcReadStatus.Denied;
        }
        catch (IOException)
        {
            // ESRCH: the process exited between open and read; ENODEV: the cgroup was removed.
            return ProcReadStatus.Gone;
        }

        return ProcReadStatus.Ok;
    }
}
