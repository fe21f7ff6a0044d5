using System.Runtime.InteropServices;
using Agent.Procfs;

namespace Agent.Containers;

/// <summary>
/// Wakes up the moment the kernel signals an OOM in a watched cgroup, so that a kill between two
/// ticks is counted even when the cgroup is removed before the next tick (Kubernetes deletes an
/// OOM-killed container's cgroup within milliseconds and starts the new container in a fresh one).
/// v2: inotify on <c>memory.events</c>, which the kernel notifies on every change
/// (cgroup_file_notify); v1: an eventfd registered on <c>memory.oom_control</c> through
/// <c>cgroup.event_control</c> (needs write access to it: root, or a writable cgroup mount). One
/// thread polls every descriptor (poll(2): the pollfd layout is the same on every architecture);
/// it exists only once something is watched and sleeps in the kernel until a signal comes.
/// </summary>
internal sealed partial class OomWatcher : IDisposable
{
    private const uint InModify = 0x00000002, InIgnored = 0x00008000;
    private const int InNonBlock = 0x800, InCloExec = 0x80000, EfdNonBlock = 0x800, EfdCloExec = 0x80000;
    private const short PollIn = 0x1;

    private readonly Lock _lock = new();
    private readonly Dictionary<int, Registration> _byInotify = [];
    private readonly List<Registration> _eventfds = [];
    private int _inotify = -1;
    private int _wake = -1;
    private Thread? _thread;
    private volatile bool _stopping;

    /// <summary>
    /// Calls <paramref name="signalled"/> (on the watcher's thread) whenever the kernel reports a
    /// memory event of the cgroup's memory controller. Returns null with the reason when it cannot
    /// watch (no memory directory, no write access on v1, no inotify); the tick still reads the
    /// counters then, which misses only a kill whose cgroup is gone by the next tick.
    /// </summary>
    public IDisposable? Watch(CgroupPaths paths, Action signalled, out string? why)
    {
        why = null;
        if (paths.Memory is not { } dir || paths.File(CgroupFile.MemoryEvents) is not { } events)
        {
            why = "no memory cgroup";
            return null;
        }

        lock (_lock)
        {
            if (_stopping)
            {
                why = "stopping";
                return null;
            }

            var watch = dir.Version == 2 ? WatchInotify(events, signalled, out why) : WatchEventfd(dir.Path, events, signalled, out why);
            if (watch is null)
            {
                return null;
            }

            StartThread();
            Wake();
            return watch;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
            Wake();
        }

        _thread?.Join(TimeSpan.FromSeconds(1));
        lock (_lock)
        {
            foreach (var w in _eventfds)
            {
                w.CloseDescriptors();
            }

            _eventfds.Clear();
            _byInotify.Clear();
            Close(ref _inotify);
            Close(ref _wake);
        }
    }

    private Registration? WatchInotify(string eventsFile, Action signalled, out string? why)
    {
        why = null;
        if (_inotify < 0)
        {
            _inotify = Native.InotifyInit1(InNonBlock | InCloExec);
            if (_inotify < 0)
            {
                why = $"inotify_init1 failed (errno {Marshal.GetLastPInvokeError()})";
                return null;
            }
        }

        var wd = Native.InotifyAddWatch(_inotify, eventsFile, InModify);
        if (wd < 0)
        {
            why = $"inotify on {eventsFile} failed (errno {Marshal.GetLastPInvokeError()})";
            return null;
        }

        var watch = new Registration(this, signalled) { Descriptor = wd, Inotify = true };
        _byInotify[wd] = watch;
        return watch;
    }

    private Registration? WatchEventfd(string directory, string oomControl, Action signalled, out string? why)
    {
        why = null;
        var control = Path.Join(directory, "cgroup.event_control");
        var efd = Native.EventFd(0, EfdNonBlock | EfdCloExec);
        if (efd < 0)
        {
            why = $"eventfd failed (errno {Marshal.GetLastPInvokeError()})";
            return null;
        }

        var ofd = Native.Open(oomControl, 0x80000 /* O_RDONLY | O_CLOEXEC */);
        if (ofd < 0)
        {
            why = $"cannot open {oomControl} (errno {Marshal.GetLastPInvokeError()})";
            _ = Native.Close(efd);
            return null;
        }

        try
        {
            // "<event_fd> <fd of memory.oom_control>" (cgroup-v1/memory.rst, "10. OOM Control").
            File.WriteAllText(control, $"{efd} {ofd}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = $"cannot register with {control} ({e.Message.TrimEnd('.')}): v1 OOM notifications need write access to it (root, or a writable cgroup mount)";
            _ = Native.Close(ofd);
            _ = Native.Close(efd);
            return null;
        }

        var watch = new Registration(this, signalled) { Descriptor = efd, OomControl = ofd };
        _eventfds.Add(watch);
        return watch;
    }

    private void StartThread()
    {
        if (_wake < 0)
        {
            _wake = Native.EventFd(0, EfdNonBlock | EfdCloExec);
        }

        if (_thread is null)
        {
            // A small stack: the loop holds a pollfd array and a 4 KiB event buffer, nothing deep.
            _thread = new Thread(Loop, 256 * 1024) { IsBackground = true, Name = "agent-oom-watch" };
            _thread.Start();
        }
    }

    private void Wake()
    {
        if (_wake >= 0)
        {
            Span<byte> one = stackalloc byte[8];
            one[0] = 1;
            _ = Native.Write(_wake, ref MemoryMarshal.GetReference(one), 8);
        }
    }

    private void Remove(Registration watch)
    {
        lock (_lock)
        {
            if (watch.Inotify)
            {
                if (_byInotify.Remove(watch.Descriptor) && _inotify >= 0)
                {
                    _ = Native.InotifyRmWatch(_inotify, watch.Descriptor);
                }
            }
            else if (_eventfds.Remove(watch))
            {
                watch.CloseDescriptors();
            }

            Wake();
        }
    }

    private unsafe void Loop()
    {
        var buffer = new byte[4096];
        var fds = new PollFd[8];
        var owners = new Registration?[8];
        while (true)
        {
            int count;
            lock (_lock)
            {
                if (_stopping)
                {
                    return;
                }

                count = 2 + _eventfds.Count;
                if (fds.Length < count)
                {
                    fds = new PollFd[count * 2];
                    owners = new Registration?[count * 2];
                }

                fds[0] = new PollFd { Fd = _wake, Events = PollIn };
                fds[1] = new PollFd { Fd = _inotify, Events = PollIn };
                for (var i = 0; i < _eventfds.Count; i++)
                {
                    fds[2 + i] = new PollFd { Fd = _eventfds[i].Descriptor, Events = PollIn };
                    owners[2 + i] = _eventfds[i];
                }
            }

            int ready;
            fixed (PollFd* p = fds)
            {
                ready = Native.Poll(p, (ulong)count, -1);
            }

            if (ready < 0)
            {
                continue; // EINTR
            }

            var signalled = new List<Registration>();
            lock (_lock)
            {
                if (_stopping)
                {
                    return;
                }

                if ((fds[0].Revents & PollIn) != 0)
                {
                    Drain(_wake, buffer);
                }

                if (fds[1].Fd >= 0 && (fds[1].Revents & PollIn) != 0)
                {
                    ReadInotify(buffer, signalled);
                }

                for (var i = 2; i < count; i++)
                {
                    if (fds[i].Revents != 0 && owners[i] is { } w && _eventfds.Contains(w))
                    {
                        Drain(w.Descriptor, buffer);
                        signalled.Add(w);
                    }
                }
            }

            foreach (var w in signalled)
            {
                try
                {
                    w.Signalled();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    // The cgroup went away while being read: the tick settles what is left.
                }
            }
        }
    }

    private void ReadInotify(byte[] buffer, List<Registration> signalled)
    {
        while (true)
        {
            var n = (int)Native.Read(_inotify, ref buffer[0], (nuint)buffer.Length);
            if (n <= 0)
            {
                return;
            }

            // struct inotify_event { int wd; uint32 mask, cookie, len; char name[len]; }
            for (var off = 0; off + 16 <= n;)
            {
                var wd = BitConverter.ToInt32(buffer, off);
                var mask = BitConverter.ToUInt32(buffer, off + 4);
                var len = BitConverter.ToInt32(buffer, off + 12);
                if (_byInotify.TryGetValue(wd, out var w))
                {
                    if ((mask & InIgnored) != 0)
                    {
                        _byInotify.Remove(wd); // the cgroup was removed: the kernel dropped the watch
                    }

                    if (!signalled.Contains(w))
                    {
                        signalled.Add(w);
                    }
                }

                off += 16 + len;
            }
        }
    }

    private static void Drain(int fd, byte[] buffer)
    {
        while (Native.Read(fd, ref buffer[0], 8) > 0)
        {
        }
    }

    private static void Close(ref int fd)
    {
        if (fd >= 0)
        {
            _ = Native.Close(fd);
            fd = -1;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>One watched cgroup; disposing it stops the watch (and closes its descriptors).</summary>
    private sealed class Registration(OomWatcher owner, Action signalled) : IDisposable
    {
        public int Descriptor { get; init; }

        public bool Inotify { get; init; }

        public int OomControl { get; init; } = -1;

        public void Signalled() => signalled();

        public void CloseDescriptors()
        {
            _ = Native.Close(Descriptor);
            if (OomControl >= 0)
            {
                _ = Native.Close(OomControl);
            }
        }

        public void Dispose() => owner.Remove(this);
    }

    private static unsafe partial class Native
    {
        [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
        public static partial int InotifyInit1(int flags);

        [LibraryImport("libc", EntryPoint = "inotify_add_watch", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int InotifyAddWatch(int fd, string path, uint mask);

        [LibraryImport("libc", EntryPoint = "inotify_rm_watch", SetLastError = true)]
        public static partial int InotifyRmWatch(int fd, int wd);

        [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
        public static partial int EventFd(uint initval, int flags);

        [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);

        [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
        public static partial nint Read(int fd, ref byte buffer, nuint count);

        [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
        public static partial nint Write(int fd, ref byte buffer, nuint count);

        [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
        public static partial int Poll(PollFd* fds, ulong count, int timeout);
    }
}
