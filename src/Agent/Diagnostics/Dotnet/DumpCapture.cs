using Microsoft.Diagnostics.NETCore.Client;

namespace Agent.Diagnostics.Dotnet;

/// <summary>
/// A core dump written by the target's own runtime (createdump, through
/// <c>DiagnosticsClient.WriteDump</c>): the runtime suspends the process while it writes and
/// resumes it after; the agent never suspends it. The target writes the file, so
/// Diagnostics:Directory must be the same path in the target's container and writable by its user.
/// </summary>
internal sealed class DumpCapture(DotnetChannel channel) : ICapture
{
    private const long MiB = 1024 * 1024;

    public ArtifactKind Kind => ArtifactKind.Dump;

    public ArtifactFormat Format(DiagnosticTarget target) => ArtifactFormat.ElfCore;

    public string? Unsupported(DiagnosticTarget target, CaptureRequest request) => channel.Socket(target) is null ? DotnetChannel.NoSocketFix : null;

    // Measured here (docs/benchmarks.md): a heap dump of a small .NET 10 app is ~10x its RSS (the
    // GC's committed regions and the runtime's own mappings), a full dump larger still.
    public long EstimateBytes(DiagnosticTarget target, CaptureRequest request)
    {
        var rss = Math.Max(channel.ResidentBytes(target), 32 * MiB);
        return request.DumpType switch
        {
            "mini" => 64 * MiB,
            "full" => 16 * rss,
            _ => 8 * rss,
        };
    }

    public async Task RunAsync(DiagnosticTarget target, CaptureRequest request, string path, long maxBytes, CancellationToken cancellationToken)
    {
        var type = request.DumpType switch
        {
            "mini" => DumpType.Normal,
            "full" => DumpType.Full,
            _ => DumpType.WithHeap,
        };
        await using var connector = await channel.ConnectAsync(target, cancellationToken);
        try
        {
            await connector.Instance.WriteDumpAsync(type, path, WriteDumpFlags.None, cancellationToken);
        }
        catch (ServerErrorException e)
        {
            throw new CaptureFailedException($"the runtime could not write the dump ({e.Message}); the target writes it itself, so {Path.GetDirectoryName(path)} must exist at the same path in its container and be writable by its user", e);
        }

        if (!File.Exists(path))
        {
            throw new CaptureFailedException($"the runtime reported success but {path} is not visible to the agent: mount Diagnostics:Directory at the same path in both containers");
        }
    }
}
