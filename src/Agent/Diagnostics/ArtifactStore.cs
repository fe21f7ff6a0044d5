using System.Security.Cryptography;
using System.Text.Json;
using Agent.Configuration;

namespace Agent.Diagnostics;

/// <summary>
/// The artifacts in <c>Diagnostics:Directory</c>: an immutable list swapped under a small lock,
/// each entry persisted beside its file (<c>&lt;id&gt;.entry.json</c>) so a restarted agent lists
/// what an emptyDir still holds. Enforces, at reservation time: one running capture per target,
/// <c>Retention</c>, <c>MaxBytes</c> (oldest finished artifacts deleted first to make room; a
/// running capture counts with its estimate) and <c>MinFreeBytes</c>.
/// </summary>
internal sealed class ArtifactStore
{
    private const string EntrySuffix = ".entry.json";
    private const string TempSuffix = ".tmp";

    private readonly DiagnosticsSettings _settings;
    private readonly TimeProvider _time;
    private readonly Func<string, long> _freeBytes;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _reserved = new(StringComparer.Ordinal);
    private IReadOnlyList<ArtifactEntry> _entries = [];

    public ArtifactStore(DiagnosticsSettings settings, TimeProvider time, Func<string, long>? freeBytes = null)
    {
        _settings = settings;
        _time = time;
        _freeBytes = freeBytes ?? FreeBytes;
        Directory = settings.Directory;
    }

    public string Directory { get; }

    public IReadOnlyList<ArtifactEntry> Entries => Volatile.Read(ref _entries);

    /// <summary>Bytes on disk of every artifact (finished and running).</summary>
    public long TotalBytes => Entries.Sum(e => e.Bytes);

    /// <summary>
    /// Creates the directory and loads the entries a previous run left: a capture that was running
    /// then has failed, a done artifact whose file is gone is missing, a data file without a readable
    /// entry (corrupt, or its write failed) is listed as an orphan — counted against MaxBytes and
    /// deleted by Retention like any artifact — and temp files of interrupted writes are swept.
    /// </summary>
    public void Open()
    {
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var temp in System.IO.Directory.EnumerateFiles(Directory, ".*" + TempSuffix))
        {
            TryDelete(temp);
        }

        var loaded = new List<ArtifactEntry>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*" + EntrySuffix))
        {
            try
            {
                var entry = JsonSerializer.Deserialize(File.ReadAllBytes(file), DiagnosticsJsonContext.Default.ArtifactEntry);
                if (entry is null || !ArtifactId.IsValid(entry.Id) || Path.GetFileName(file) != entry.Id + EntrySuffix)
                {
                    continue;
                }

                if (entry.State == ArtifactState.Running)
                {
                    entry = entry with { State = ArtifactState.Failed, Error = "the agent stopped during the capture" };
                    Persist(entry);
                }

                var path = PathOf(entry);
                var exists = File.Exists(path);
                if (entry.State == ArtifactState.Done && !exists)
                {
                    entry = entry with { State = ArtifactState.Missing };
                    Persist(entry);
                }

                loaded.Add(entry with { Bytes = exists ? new FileInfo(path).Length : 0 });
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                // an unreadable entry is left alone, never a reason not to start; its data file is an orphan below
            }
        }

        loaded.AddRange(Orphans(loaded));
        lock (_lock)
        {
            _entries = [.. loaded.OrderBy(e => e.CreatedUtc)];
        }
    }

    /// <summary>Data files in the directory that no loaded entry owns, as failed entries dated by the file.</summary>
    private IEnumerable<ArtifactEntry> Orphans(List<ArtifactEntry> owned)
    {
        var known = owned.Select(e => e.FileName).ToHashSet(StringComparer.Ordinal);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(file);
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || known.Contains(name) || name.EndsWith(EntrySuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var id = name[..dot];
            var format = name[dot..] switch
            {
                ".dmp" => ArtifactFormat.ElfCore,
                ".nettrace" => ArtifactFormat.Nettrace,
                ".txt" => ArtifactFormat.Text,
                ".json" => ArtifactFormat.Json,
                _ => (ArtifactFormat?)null,
            };
            var kind = Enum.GetValues<ArtifactKind>().Cast<ArtifactKind?>().FirstOrDefault(k => id.Contains($"-{Name(k!.Value)}-", StringComparison.Ordinal));
            if (format is null || kind is null || !ArtifactId.IsValid(id))
            {
                continue; // not an artifact's file: never touched
            }

            var info = new FileInfo(file);
            yield return new ArtifactEntry(id, "unknown", kind.Value, "unknown", ArtifactState.Failed, info.Length, info.LastWriteTimeUtc, info.LastWriteTimeUtc,
                $"orphan: a data file without a readable entry ({id}{EntrySuffix} is corrupt or was never written); listed and counted against Diagnostics:MaxBytes until Diagnostics:Retention deletes it", format.Value);
        }
    }

    /// <summary>Data files whose entry is unreadable (see <see cref="Open"/>), still on disk.</summary>
    public int Orphaned => Entries.Count(e => e.Error?.StartsWith("orphan:", StringComparison.Ordinal) == true);

    /// <summary>Marks a done artifact whose file is gone; returns the new entry (null if unknown or not done).</summary>
    public ArtifactEntry? MarkMissing(string id)
    {
        ArtifactEntry? missing = null;
        lock (_lock)
        {
            if (_entries.FirstOrDefault(e => e.Id == id) is { State: ArtifactState.Done } entry)
            {
                missing = entry with { State = ArtifactState.Missing, Bytes = 0 };
                _entries = _entries.Select(e => e.Id == id ? missing : e).ToList();
            }
        }

        if (missing is not null)
        {
            Persist(missing);
        }

        return missing;
    }

    public ArtifactEntry? Find(string id) => ArtifactId.IsValid(id) ? Entries.FirstOrDefault(e => e.Id == id) : null;

    public string PathOf(ArtifactEntry entry) => Path.Join(Directory, entry.FileName);

    /// <summary>
    /// Registers a running capture, or says why not. <paramref name="estimateBytes"/> is what the
    /// capture is expected to write; it counts against both limits until the capture ends.
    /// </summary>
    public CaptureResult Reserve(string target, ArtifactKind kind, ArtifactFormat format, string trigger, long estimateBytes)
    {
        var now = _time.GetUtcNow();
        var deleted = new List<ArtifactEntry>();
        CaptureResult result;
        lock (_lock)
        {
            var entries = _entries.ToList();
            entries.RemoveAll(e =>
            {
                var expired = e.State != ArtifactState.Running && now - e.CreatedUtc > _settings.Retention;
                if (expired)
                {
                    deleted.Add(e);
                }

                return expired;
            });

            if (entries.FirstOrDefault(e => e.Target == target && e.State == ArtifactState.Running) is { } running)
            {
                result = CaptureResult.Refused(CaptureRefusalReason.Busy, $"a {Name(running.Kind)} capture of target '{target}' is running ({running.Id}); one capture at a time per target");
            }
            else if (WhyUnusable() is { } why)
            {
                result = CaptureResult.Refused(CaptureRefusalReason.DirectoryUnusable, $"Diagnostics:Directory {Directory} cannot be used by the agent: {why}");
            }
            else
            {
                result = MakeRoom(entries, estimateBytes, deleted);
                if (result.Refusal is null)
                {
                    var free = _freeBytes(Directory);
                    if (free - estimateBytes < _settings.MinFreeBytes)
                    {
                        result = CaptureResult.Refused(CaptureRefusalReason.LowDiskSpace, $"free space on {Directory} ({free} bytes) would drop below Diagnostics:MinFreeBytes ({_settings.MinFreeBytes}) with a capture of about {estimateBytes} bytes");
                    }
                }

                if (result.Refusal is null)
                {
                    var entry = new ArtifactEntry(ArtifactId.New(now, kind), target, kind, trigger, ArtifactState.Running, 0, now, null, null, format);
                    entries.Add(entry);
                    _reserved[entry.Id] = estimateBytes;
                    result = CaptureResult.Started(entry);
                }
            }

            _entries = entries;
        }

        DeleteFiles(deleted);
        if (result.Entry is { } started)
        {
            Persist(started);
        }

        return result;
    }

    /// <summary>Marks a capture done with the size of its file; enforces MaxBytes once more with the real size.</summary>
    public ArtifactEntry Complete(string id)
    {
        var entry = Find(id) ?? throw new InvalidOperationException($"unknown artifact {id}");
        var path = PathOf(entry);
        var exists = File.Exists(path);
        var bytes = exists ? new FileInfo(path).Length : 0;
        var finished = entry with { State = ArtifactState.Done, Bytes = bytes, FinishedUtc = _time.GetUtcNow() };
        if (!exists)
        {
            finished = finished with { State = ArtifactState.Failed, Error = $"the capture ended without a file at {path}" };
        }
        else if (bytes > _settings.MaxBytes)
        {
            DeleteFiles([finished]);
            finished = finished with { State = ArtifactState.Failed, Bytes = 0, Error = $"the capture wrote {bytes} bytes, more than Diagnostics:MaxBytes ({_settings.MaxBytes}); deleted" };
        }

        var deleted = new List<ArtifactEntry>();
        lock (_lock)
        {
            _reserved.Remove(id);
            var entries = _entries.Select(e => e.Id == id ? finished : e).ToList();
            _ = MakeRoom(entries, 0, deleted, keep: id);
            _entries = entries;
        }

        DeleteFiles(deleted);
        Persist(finished);
        return finished;
    }

    /// <summary>Marks a capture failed; a partial file is deleted (it would only mislead).</summary>
    public ArtifactEntry Fail(string id, string error)
    {
        var entry = Find(id) ?? throw new InvalidOperationException($"unknown artifact {id}");
        var failed = entry with { State = ArtifactState.Failed, Bytes = 0, FinishedUtc = _time.GetUtcNow(), Error = error };
        TryDelete(PathOf(entry));
        lock (_lock)
        {
            _reserved.Remove(id);
            _entries = _entries.Select(e => e.Id == id ? failed : e).ToList();
        }

        Persist(failed);
        return failed;
    }

    /// <summary>Deletes a finished artifact. False if unknown; a running capture cannot be deleted.</summary>
    public bool Delete(string id, out bool running)
    {
        running = false;
        ArtifactEntry? removed = null;
        lock (_lock)
        {
            if (_entries.FirstOrDefault(e => e.Id == id) is { } entry)
            {
                running = entry.State == ArtifactState.Running;
                if (!running)
                {
                    removed = entry;
                    _entries = _entries.Where(e => e.Id != id).ToList();
                }
            }
        }

        if (removed is not null)
        {
            DeleteFiles([removed]);
        }

        return removed is not null;
    }

    /// <summary>Deletes the oldest finished artifacts until the total plus <paramref name="extra"/> fits MaxBytes.</summary>
    private CaptureResult MakeRoom(List<ArtifactEntry> entries, long extra, List<ArtifactEntry> deleted, string? keep = null)
    {
        long Used() => entries.Sum(e => e.State == ArtifactState.Running && _reserved.TryGetValue(e.Id, out var r) ? Math.Max(r, e.Bytes) : e.Bytes);
        var candidates = entries.Where(e => e.State != ArtifactState.Running && e.Id != keep).OrderBy(e => e.CreatedUtc).ToList();
        if (Used() + extra > _settings.MaxBytes && Used() - candidates.Sum(e => e.Bytes) + extra > _settings.MaxBytes)
        {
            return CaptureResult.Refused(CaptureRefusalReason.OverBudget, $"a capture of about {extra} bytes does not fit Diagnostics:MaxBytes ({_settings.MaxBytes}) even after deleting every finished artifact");
        }

        foreach (var oldest in candidates)
        {
            if (Used() + extra <= _settings.MaxBytes)
            {
                break;
            }

            entries.Remove(oldest);
            deleted.Add(oldest);
        }

        return default;
    }

    private void DeleteFiles(IEnumerable<ArtifactEntry> entries)
    {
        foreach (var e in entries)
        {
            TryDelete(PathOf(e));
            TryDelete(Path.Join(Directory, e.Id + EntrySuffix));
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a file we cannot delete stays; the listing no longer counts it
        }
    }

    /// <summary>
    /// Writes the entry beside its file: to a temp file renamed over the old entry (never a torn
    /// entry), and when that fails (a full disk) by overwriting the old entry in place, which needs
    /// no new inode and reuses the old entry's block: a failed capture's real error must not stay
    /// "running" on disk, to be read after a restart as "the agent stopped during the capture". A
    /// temp file whose write failed is deleted at once (and any left by a crash at the next start).
    /// </summary>
    private void Persist(ArtifactEntry entry)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(entry, DiagnosticsJsonContext.Default.ArtifactEntry);
        var target = Path.Join(Directory, entry.Id + EntrySuffix);
        var temp = Path.Join(Directory, $".{entry.Id}.{RandomNumberGenerator.GetHexString(6, lowercase: true)}{TempSuffix}");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, target, overwrite: true);
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
        }

        try
        {
            if (File.Exists(target))
            {
                File.WriteAllBytes(target, bytes);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the in-memory list stays right; only a restart would see the older entry
        }
    }

    /// <summary>Null if the agent can create files in the directory (creating it if need be); else why not, as the kernel says it.</summary>
    private string? WhyUnusable()
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Directory)) ?? "/";
            return $"it cannot be created in {parent} ({Common.Posix.WhyNotWritable(parent) ?? e.Message})";
        }

        return Common.Posix.WhyNotWritable(Directory) is { } error ? $"it is not writable ({error})" : null;
    }

    private static long FreeBytes(string directory)
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }

    internal static string Name(ArtifactKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());
}
