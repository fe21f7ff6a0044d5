namespace Agent.Diagnostics.Heap;

/// <summary>
/// The heap summary artifact (<c>kind=heap</c>): what is live on a .NET target's GC heap, by type.
/// Sizes are shallow (an object's own bytes), as in dotnet-gcdump's report.
/// </summary>
/// <param name="Target">The target's name.</param>
/// <param name="Pid">Its process id as the agent sees it.</param>
/// <param name="GcNumber">The number of the induced gen2 collection that walked the heap.</param>
/// <param name="Objects">Live objects the walk reported.</param>
/// <param name="Bytes">Their total size.</param>
/// <param name="Types">Distinct types among them.</param>
/// <param name="BySize">The types holding the most bytes, largest first.</param>
/// <param name="ByCount">The types with the most objects, most first.</param>
internal sealed record HeapSummary(
    string Target,
    int Pid,
    int GcNumber,
    long Objects,
    long Bytes,
    int Types,
    IReadOnlyList<HeapTypeSummary> BySize,
    IReadOnlyList<HeapTypeSummary> ByCount);
