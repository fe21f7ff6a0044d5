using Agent.Configuration;
using Agent.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Tests.Diagnostics;

public sealed class ArtifactStoreTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"artifact-store-{Guid.NewGuid():N}");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 7, 0, 0, TimeSpan.Zero));
    private long _free = 100 * MiB;

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private ArtifactStore Store(long maxBytes = 10 * MiB, long minFree = 0, TimeSpan? retention = null)
    {
        var settings = DiagnosticsSettings.Disabled with { Enabled = true, Directory = _dir, MaxBytes = maxBytes, MinFreeBytes = minFree, Retention = retention ?? TimeSpan.FromHours(1) };
        var store = new ArtifactStore(settings, _time, _ => _free);
        store.Open();
        return store;
    }

    private ArtifactEntry Finish(ArtifactStore store, string target, long bytes)
    {
        var entry = store.Reserve(target, ArtifactKind.Snapshot, ArtifactFormat.Json, "manual", bytes).Entry!;
        File.WriteAllBytes(store.PathOf(entry), new byte[bytes]);
        _time.Advance(TimeSpan.FromSeconds(1));
        return store.Complete(entry.Id);
    }

    [Fact]
    public void One_running_capture_per_target()
    {
        var store = Store();
        Assert.NotNull(store.Reserve("app", ArtifactKind.Trace, ArtifactFormat.Nettrace, "manual", MiB).Entry);

        var second = store.Reserve("app", ArtifactKind.Dump, ArtifactFormat.ElfCore, "manual", MiB);
        var other = store.Reserve("worker", ArtifactKind.Dump, ArtifactFormat.ElfCore, "manual", MiB);

        Assert.Equal(CaptureRefusalReason.Busy, second.Refusal?.Reason);
        Assert.Contains("trace", second.Refusal!.Message, StringComparison.Ordinal);
        Assert.NotNull(other.Entry);
    }

    [Fact]
    public void The_oldest_finished_artifacts_make_room_first()
    {
        var store = Store(maxBytes: 10 * MiB);
        var oldest = Finish(store, "app", 4 * MiB);
        var middle = Finish(store, "app", 4 * MiB);

        var third = store.Reserve("app", ArtifactKind.Snapshot, ArtifactFormat.Json, "manual", 4 * MiB);

        Assert.NotNull(third.Entry);
        Assert.DoesNotContain(store.Entries, e => e.Id == oldest.Id);
        Assert.Contains(store.Entries, e => e.Id == middle.Id);
        Assert.False(File.Exists(store.PathOf(oldest)));
        Assert.True(File.Exists(store.PathOf(middle)));
    }

    [Fact]
    public void What_cannot_fit_even_after_deleting_everything_is_refused_and_nothing_is_deleted()
    {
        var store = Store(maxBytes: 10 * MiB);
        var kept = Finish(store, "app", 4 * MiB);
        Assert.NotNull(store.Reserve("worker", ArtifactKind.Trace, ArtifactFormat.Nettrace, "manual", 5 * MiB).Entry); // running: not deletable

        var refused = store.Reserve("app", ArtifactKind.Dump, ArtifactFormat.ElfCore, "manual", 6 * MiB);

        Assert.Equal(CaptureRefusalReason.OverBudget, refused.Refusal?.Reason);
        Assert.Contains(store.Entries, e => e.Id == kept.Id);
    }

    [Fact]
    public void Low_free_space_is_refused_with_the_numbers()
    {
        _free = 50 * MiB;
        var store = Store(minFree: 48 * MiB);

        var refused = store.Reserve("app", ArtifactKind.Snapshot, ArtifactFormat.Json, "manual", 4 * MiB);

        Assert.Equal(CaptureRefusalReason.LowDiskSpace, refused.Refusal?.Reason);
        Assert.Contains("Diagnostics:MinFreeBytes", refused.Refusal!.Message, StringComparison.Ordinal);
        _free = 60 * MiB;
        Assert.NotNull(store.Reserve("app", ArtifactKind.Snapshot, ArtifactFormat.Json, "manual", 4 * MiB).Entry);
    }

    [Fact]
    public void Artifacts_past_retention_are_deleted_at_the_next_reservation()
    {
        var store = Store(retention: TimeSpan.FromMinutes(10));
        var old = Finish(store, "app", MiB);
        _time.Advance(TimeSpan.FromMinutes(11));

        _ = store.Reserve("app", ArtifactKind.Snapshot, ArtifactFormat.Json, "manual", MiB);

        Assert.DoesNotContain(store.Entries, e => e.Id == old.Id);
        Assert.False(File.Exists(store.PathOf(old)));
    }

    [Fact]
    public void A_capture_larger_than_the_budget_is_failed_and_its_file_deleted()
    {
        var store = Store(maxBytes: 2 * MiB);
        var entry = store.Reserve("app", ArtifactKind.Dump, ArtifactFormat.ElfCore, "manual", MiB).Entry!;
        File.WriteAllBytes(store.PathOf(entry), new byte[3 * MiB]);

        var done = store.Complete(entry.Id);

        Assert.Equal(ArtifactState.Failed, done.State);
        Assert.Contains("Diagnostics:MaxBytes", done.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(store.PathOf(entry)));
    }

    [Fact]
    public void A_restarted_store_lists_what_the_directory_holds_and_fails_what_was_running()
    {
        var store = Store();
        var done = Finish(store, "app", MiB);
        var running = store.Reserve("app", ArtifactKind.Trace, ArtifactFormat.Nettrace, "manual", MiB).Entry!;

        var reopened = Store();

        Assert.Equal(ArtifactState.Done, reopened.Find(done.Id)!.State);
        Assert.Equal(MiB, reopened.Find(done.Id)!.Bytes);
        Assert.Equal(ArtifactState.Failed, reopened.Find(running.Id)!.State);
    }

    [Fact]
    public void Running_captures_cannot_be_deleted_and_unknown_ids_are_not_found()
    {
        var store = Store();
        var running = store.Reserve("app", ArtifactKind.Trace, ArtifactFormat.Nettrace, "manual", MiB).Entry!;

        Assert.False(store.Delete(running.Id, out var isRunning));
        Assert.True(isRunning);
        Assert.False(store.Delete("nope", out isRunning));
        Assert.False(isRunning);
    }

    [Theory]
    [InlineData("../etc/passwd", false)]
    [InlineData("20261127-070909-snapshot-26b284", true)]
    [InlineData("", false)]
    [InlineData("-x", false)]
    [InlineData("A", false)]
    public void Ids_are_checked_before_touching_the_filesystem(string id, bool valid)
    {
        Assert.Equal(valid, ArtifactId.IsValid(id));
    }
}
