namespace Agent.Profiling;

/// <summary>One frame of a flame graph: its function, the samples in it and below it, its callees.</summary>
internal sealed record FlameNode(string Name, long Value, IReadOnlyList<FlameNode> Children);

/// <summary>
/// A profile's stacks as one call tree, root first, for the status page: callees sorted by name
/// (a flame graph's x axis is not time), frames under <see cref="MinShare"/> of the samples folded
/// into their caller, at most <see cref="MaxDepth"/> levels — so a page holds a bounded number of
/// boxes however many stacks a profile has.
/// </summary>
internal static class FlameGraph
{
    /// <summary>A frame narrower than this share of the whole is left out (its samples stay in its caller's width).</summary>
    public const double MinShare = 0.005;

    public const int MaxDepth = 32;

    public static FlameNode Build(CpuProfile profile)
    {
        var root = new Mutable("all");
        foreach (var sample in profile.Samples)
        {
            root.Value += sample.Count;
            var node = root;
            // Frames are leaf first: the tree grows from the outermost caller.
            for (var i = sample.Frames.Count - 1; i >= 0 && sample.Frames.Count - i <= MaxDepth; i--)
            {
                node = node.Child(sample.Frames[i].Function);
                node.Value += sample.Count;
            }
        }

        var min = (long)Math.Ceiling(root.Value * MinShare);
        return root.Freeze(Math.Max(1, min));
    }

    private sealed class Mutable(string name)
    {
        private readonly Dictionary<string, Mutable> _children = new(StringComparer.Ordinal);

        public string Name { get; } = name;

        public long Value { get; set; }

        public Mutable Child(string function)
        {
            if (!_children.TryGetValue(function, out var child))
            {
                _children[function] = child = new Mutable(function);
            }

            return child;
        }

        public FlameNode Freeze(long min) =>
            new(Name, Value, [.. _children.Values.Where(c => c.Value >= min).OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => c.Freeze(min))]);
    }
}
