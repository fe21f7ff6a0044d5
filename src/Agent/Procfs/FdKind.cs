namespace Agent.Procfs;

/// <summary>What an open file descriptor refers to, from its <c>fd/&lt;n&gt;</c> link target.</summary>
internal enum FdKind
{
    /// <summary>A path: a regular file, a device, a directory, a memfd (<c>/memfd:name (deleted)</c>).</summary>
    File,
    /// <summary><c>socket:[inode]</c>: resolved through <c>net/tcp</c>, <c>net/tcp6</c>.</summary>
    Socket,
    /// <summary><c>pipe:[inode]</c>.</summary>
    Pipe,
    /// <summary><c>anon_inode:[eventpoll]</c>, <c>anon_inode:inotify</c>, eventfd, timerfd, ...</summary>
    AnonInode,
    /// <summary>Anything else (<c>net:[...]</c>, <c>mnt:[...]</c>, a name the kernel adds later).</summary>
    Other,
}
