namespace Agent.Diagnostics.Heap;

/// <summary>One type's live objects after the heap walk's full collection.</summary>
/// <param name="Type">The runtime's type name (generic arguments and array ranks spelled out).</param>
/// <param name="Count">Objects of this type.</param>
/// <param name="Bytes">Their total size as the GC counts it (the object itself, not what it references).</param>
internal sealed record HeapTypeSummary(string Type, long Count, long Bytes);
