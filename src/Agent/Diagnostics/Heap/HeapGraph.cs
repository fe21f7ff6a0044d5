namespace Agent.Diagnostics.Heap;

/// <summary>
/// The heap walk's object graph, kept only as far as a stated memory budget allows, to answer one
/// question afterwards: which types hold references to the objects of the types that grew.
/// Each object costs 16 bytes here (address, type index, reference count) and each reference 12
/// (the referenced address, then its holder's type index), in native memory
/// (<see cref="NativeArray{T}"/>) freed when the capture ends. The arrays start at the previous
/// walk's counts plus a quarter and grow while they fit; a graph that would not fit is never
/// started and one that outgrows the budget is dropped, so the agent's memory for it is bounded
/// by <see cref="BudgetBytes"/> whatever the heap.
/// </summary>
/// <remarks>
/// The runtime writes objects (GCBulkNode) and their references (GCBulkEdge) in separate batches
/// that it flushes independently, so a reference can arrive before the object that holds it:
/// references are kept in arrival order and matched to holders (each object's references follow
/// one another, in object order) only once the walk is over. A missing batch (its index skips)
/// or totals that do not match make the graph unusable, and the result says so.
/// </remarks>
internal sealed class HeapGraph : IDisposable
{
    /// <summary>The most memory the graph may take: ~2 M objects with 1.5 references each.</summary>
    public const long BudgetBytes = 64L * 1024 * 1024;

    public const int BytesPerObject = 16;
    public const int BytesPerReference = 12;

    // Reference storage grows in steps of this many (a remap, not a copy).
    private const long ReferenceStep = 256 * 1024;

    private readonly long _budget;
    private readonly Dictionary<ulong, int> _typeIndex = [];
    private readonly List<ulong> _types = [];
    private NativeArray<ulong>? _addresses;
    private NativeArray<int>? _nodeTypes;
    private NativeArray<uint>? _nodeEdges;
    private NativeArray<ulong>? _edgeTargets;
    private NativeArray<int>? _holderOf;
    private long _nodes;
    private long _edges;
    private long _expectedEdges;
    private uint _nextNodeBatch;
    private uint _nextEdgeBatch;

    private HeapGraph(long objects, long references, long budget)
    {
        _budget = budget;
        _addresses = new NativeArray<ulong>(objects);
        _nodeTypes = new NativeArray<int>(objects);
        _nodeEdges = new NativeArray<uint>(objects);
        _edgeTargets = new NativeArray<ulong>(references);
        PeakBytes = Reserved;
    }

    /// <summary>Why there is no usable graph, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>The most the graph's arrays held at once.</summary>
    public long PeakBytes { get; private set; }

    private long Reserved =>
        (_addresses?.Bytes ?? 0) + (_nodeTypes?.Bytes ?? 0) + (_nodeEdges?.Bytes ?? 0) + (_edgeTargets?.Bytes ?? 0) + (_holderOf?.Bytes ?? 0);

    /// <summary>
    /// A graph for a walk expected to hold about <paramref name="objects"/> objects and
    /// <paramref name="references"/> references (the previous walk's); it grows as the walk needs
    /// while it stays within <paramref name="budget"/>. Null with <paramref name="why"/> when even
    /// the previous walk's heap would not fit.
    /// </summary>
    public static HeapGraph? Plan(long objects, long references, long budget, out string? why)
    {
        var bytes = (objects * BytesPerObject) + (references * BytesPerReference);
        if (bytes > budget || objects > Array.MaxLength)
        {
            why = $"holders omitted: a heap of {objects} objects and {references} references needs ~{bytes / (1024 * 1024)} MiB to trace, over the agent's budget of {budget / (1024 * 1024)} MiB";
            return null;
        }

        why = null;
        var nodes = Math.Min((objects * 5 / 4) + 4096, Math.Max(4096, (budget - (references * BytesPerReference)) / BytesPerObject));
        var edges = Math.Min((references * 5 / 4) + 4096, Math.Max(4096, (budget - (nodes * BytesPerObject)) / 8));
        return new HeapGraph(nodes, edges, budget);
    }

    public void NodeBatch(uint index) => Sequence(ref _nextNodeBatch, index, "object");

    public void EdgeBatch(uint index) => Sequence(ref _nextEdgeBatch, index, "reference");

    public void AddNode(ulong address, ulong type, ulong references)
    {
        if (_addresses is null)
        {
            return;
        }

        if (_nodes == _addresses.Length && !Grow(ref _nodes, _addresses.Length + Math.Max(_addresses.Length / 2, 4096), nodes: true))
        {
            return;
        }

        if (!_typeIndex.TryGetValue(type, out var t))
        {
            t = _typeIndex[type] = _types.Count;
            _types.Add(type);
        }

        _addresses[_nodes] = address;
        _nodeTypes![_nodes] = t;
        _nodeEdges![_nodes] = (uint)Math.Min(references, uint.MaxValue);
        _expectedEdges += (long)Math.Min(references, uint.MaxValue);
        _nodes++;
    }

    public void AddEdge(ulong target)
    {
        if (_edgeTargets is null)
        {
            return;
        }

        if (_edges == _edgeTargets.Length && !Grow(ref _edges, _edgeTargets.Length + ReferenceStep, nodes: false))
        {
            return;
        }

        _edgeTargets[_edges++] = target;
    }

    /// <summary>
    /// For each of <paramref name="grown"/>'s type ids, the types whose objects reference objects
    /// of it, with the number of such references, most first (at most <paramref name="top"/>).
    /// Null with <see cref="Problem"/> set when the graph is unusable.
    /// </summary>
    public Dictionary<ulong, List<(ulong Holder, long References)>>? Holders(IReadOnlySet<ulong> grown, int top)
    {
        if (Problem is not null || _addresses is null)
        {
            return null;
        }

        if (_edges != _expectedEdges)
        {
            Drop($"holders omitted: the walk announced {_expectedEdges} references and delivered {_edges} (events lost?)");
            return null;
        }

        // The holder of each reference, in arrival order (an object's references follow one another):
        // the other 4 of each reference's 12 bytes.
        if (!Fits(Reserved + (_edges * sizeof(int))))
        {
            return null;
        }

        _holderOf = new NativeArray<int>(_edges);
        PeakBytes = Math.Max(PeakBytes, Reserved);
        long e = 0;
        for (long n = 0; n < _nodes; n++)
        {
            for (var k = 0u; k < _nodeEdges![n]; k++)
            {
                _holderOf[e++] = _nodeTypes![n];
            }
        }

        var addresses = _addresses.Span(_nodes);
        var types = _nodeTypes!.Span(_nodes);
        addresses.Sort(types);
        var wanted = new HashSet<int>();
        foreach (var id in grown)
        {
            if (_typeIndex.TryGetValue(id, out var index))
            {
                wanted.Add(index);
            }
        }

        // (grower's type index << 32 | holder's type index) -> references
        var counts = new Dictionary<long, long>();
        for (long i = 0; i < _edges; i++)
        {
            var at = addresses.BinarySearch(_edgeTargets![i]);
            if (at >= 0 && wanted.Contains(types[at]))
            {
                var key = ((long)types[at] << 32) | (uint)_holderOf[i];
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        var result = new Dictionary<ulong, List<(ulong Holder, long References)>>();
        foreach (var (key, references) in counts)
        {
            var grower = _types[(int)(key >> 32)];
            if (!result.TryGetValue(grower, out var list))
            {
                result[grower] = list = [];
            }

            list.Add((_types[(int)(key & 0xFFFF_FFFF)], references));
        }

        foreach (var list in result.Values)
        {
            list.Sort((a, b) => b.References.CompareTo(a.References));
            if (list.Count > top)
            {
                list.RemoveRange(top, list.Count - top);
            }
        }

        return result;
    }

    public void Dispose() => Release();

    // Grows the object arrays (by half) or the references (by a step) while the total fits the budget.
    private bool Grow(ref long used, long length, bool nodes)
    {
        length = Math.Min(length, Array.MaxLength);
        var more = (length - used) * (nodes ? BytesPerObject : 8);
        if (length == used || !Fits(Reserved + more))
        {
            if (length == used)
            {
                Drop("holders omitted: more objects than one array holds");
            }

            return false;
        }

        if (nodes)
        {
            _addresses!.Resize(length);
            _nodeTypes!.Resize(length);
            _nodeEdges!.Resize(length);
        }
        else
        {
            _edgeTargets!.Resize(length);
        }

        PeakBytes = Math.Max(PeakBytes, Reserved);
        return true;
    }

    private bool Fits(long bytes)
    {
        if (bytes > _budget)
        {
            Drop($"holders omitted: tracing this heap's objects and references would take more than the agent's budget of {_budget / (1024 * 1024)} MiB (stopped at {_nodes} objects and {_edges} references)");
            return false;
        }

        return true;
    }

    private void Sequence(ref uint next, uint index, string what)
    {
        if (index != next && Problem is null)
        {
            Drop($"holders omitted: {what} batch {index} arrived where {next} was expected (events lost)");
        }

        next = index + 1;
    }

    private void Drop(string why)
    {
        Problem ??= why;
        Release();
    }

    private void Release()
    {
        _addresses?.Dispose();
        _nodeTypes?.Dispose();
        _nodeEdges?.Dispose();
        _edgeTargets?.Dispose();
        _holderOf?.Dispose();
        _addresses = null;
        _nodeTypes = null;
        _nodeEdges = null;
        _edgeTargets = null;
        _holderOf = null;
    }
}
