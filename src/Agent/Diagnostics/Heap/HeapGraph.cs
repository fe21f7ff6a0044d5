namespace Agent.Diagnostics.Heap;

/// <summary>
/// The heap walk's object graph, kept only as far as a stated memory budget allows, to answer one
/// question afterwards: which types hold references to the objects of the types that grew.
/// Each object costs 16 bytes here (address, type index, reference count) and each reference 12
/// (the referenced address, then its holder's type index). The object arrays start at the
/// previous walk's count plus a quarter and grow while they fit; a graph that would not fit is
/// never started and one that outgrows the budget is dropped, so the agent's memory for it is
/// bounded by <see cref="BudgetBytes"/> whatever the heap.
/// </summary>
/// <remarks>
/// The runtime writes objects (GCBulkNode) and their references (GCBulkEdge) in separate batches
/// that it flushes independently, so a reference can arrive before the object that holds it:
/// references are kept in arrival order and matched to holders (each object's references follow
/// one another, in object order) only once the walk is over. A missing batch (its index skips)
/// or totals that do not match make the graph unusable, and the result says so.
/// </remarks>
internal sealed class HeapGraph
{
    /// <summary>The most memory the graph may take: ~2 M objects with 1.5 references each.</summary>
    public const long BudgetBytes = 64L * 1024 * 1024;

    public const int BytesPerObject = 16;
    public const int BytesPerReference = 12;

    // References are only ever read in order: fixed chunks, never copied.
    private const int ChunkLength = 64 * 1024;

    private readonly long _budget;
    private readonly Dictionary<ulong, int> _typeIndex = [];
    private readonly List<ulong> _types = [];
    private readonly List<ulong[]> _edgeChunks = [];
    private ulong[]? _addresses;
    private int[]? _nodeTypes;
    private uint[]? _nodeEdges;
    private int _nodes;
    private long _edges;
    private long _expectedEdges;
    private uint _nextNodeBatch;
    private uint _nextEdgeBatch;

    private HeapGraph(int objects, long budget)
    {
        _budget = budget;
        _addresses = new ulong[objects];
        _nodeTypes = new int[objects];
        _nodeEdges = new uint[objects];
    }

    /// <summary>Why there is no usable graph, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>The most the graph's arrays held at once.</summary>
    public long PeakBytes { get; private set; }

    private long NodeBytes => (_addresses?.LongLength ?? 0) * BytesPerObject;

    private long EdgeBytes => (long)_edgeChunks.Count * ChunkLength * BytesPerReference;

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
        return new HeapGraph((int)Math.Min((objects * 5 / 4) + 4096, Math.Max(4096, (budget - (references * BytesPerReference)) / BytesPerObject)), budget);
    }

    public void NodeBatch(uint index) => Sequence(ref _nextNodeBatch, index, "object");

    public void EdgeBatch(uint index) => Sequence(ref _nextEdgeBatch, index, "reference");

    public void AddNode(ulong address, ulong type, ulong references)
    {
        if (_addresses is null)
        {
            return;
        }

        if (_nodes == _addresses.Length && !GrowNodes())
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
        if (_addresses is null)
        {
            return;
        }

        var within = (int)(_edges % ChunkLength);
        if (within == 0 && _edges / ChunkLength == _edgeChunks.Count)
        {
            if (!Fits(NodeBytes + EdgeBytes + ((long)ChunkLength * BytesPerReference)))
            {
                return;
            }

            _edgeChunks.Add(new ulong[ChunkLength]);
        }

        _edgeChunks[(int)(_edges / ChunkLength)][within] = target;
        _edges++;
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

        // The holder of each reference, in arrival order (an object's references follow one another),
        // kept as its type index in chunks beside the references: the other 4 of each reference's 12 bytes.
        var holderChunks = new List<int[]>(_edgeChunks.Count);
        long e = 0;
        for (var n = 0; n < _nodes; n++)
        {
            for (var k = 0u; k < _nodeEdges![n]; k++, e++)
            {
                if (e % ChunkLength == 0)
                {
                    holderChunks.Add(new int[ChunkLength]);
                }

                holderChunks[^1][(int)(e % ChunkLength)] = _nodeTypes![n];
            }
        }

        PeakBytes = Math.Max(PeakBytes, NodeBytes + EdgeBytes + ((long)holderChunks.Count * ChunkLength * 4));
        _nodeEdges = null;
        Array.Sort(_addresses, _nodeTypes, 0, _nodes);
        var wanted = new HashSet<int>(grown.Where(_typeIndex.ContainsKey).Select(id => _typeIndex[id]));
        var counts = new Dictionary<(int Target, int Holder), long>();
        for (long i = 0; i < _edges; i++)
        {
            var at = Array.BinarySearch(_addresses, 0, _nodes, _edgeChunks[(int)(i / ChunkLength)][i % ChunkLength]);
            if (at >= 0 && wanted.Contains(_nodeTypes![at]))
            {
                var key = (_nodeTypes[at], holderChunks[(int)(i / ChunkLength)][i % ChunkLength]);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return counts
            .GroupBy(c => _types[c.Key.Target])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.Value).Take(top).Select(c => (_types[c.Key.Holder], c.Value)).ToList());
    }

    // The object arrays grow by half while the old and new copies together fit the budget.
    private bool GrowNodes()
    {
        var length = _addresses!.Length;
        var grown = (int)Math.Min(Array.MaxLength, length + Math.Max(length / 2, 4096));
        if (grown == length || !Fits(NodeBytes + ((long)grown * BytesPerObject) + EdgeBytes))
        {
            return false;
        }

        Array.Resize(ref _addresses, grown);
        Array.Resize(ref _nodeTypes, grown);
        Array.Resize(ref _nodeEdges, grown);
        return true;
    }

    private bool Fits(long bytes)
    {
        if (bytes > _budget)
        {
            Drop($"holders omitted: tracing this heap's objects and references would take more than the agent's budget of {_budget / (1024 * 1024)} MiB (stopped at {_nodes} objects and {_edges} references)");
            return false;
        }

        PeakBytes = Math.Max(PeakBytes, bytes);
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
        _addresses = null;
        _nodeTypes = null;
        _nodeEdges = null;
        _edgeChunks.Clear();
    }
}
