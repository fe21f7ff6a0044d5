using Agent.Diagnostics.Heap;

namespace Agent.Tests.Diagnostics;

/// <summary>
/// Holders from the heap walk's references: objects and references fed in the order the runtime
/// may send them (references before the objects that hold them), the memory budget enforced, lost
/// or inconsistent batches refused with the reason.
/// </summary>
public sealed class HeapGraphTests
{
    private const ulong Widget = 0x10, Entries = 0x20, Dict = 0x30, Other = 0x40;

    [Fact]
    public void Each_grower_gets_the_types_that_reference_it_even_when_references_arrive_first()
    {
        var graph = HeapGraph.Plan(objects: 4, references: 4, HeapGraph.BudgetBytes, out var why)!;
        Assert.Null(why);

        // The runtime flushes reference batches apart from object batches: here the references first.
        graph.EdgeBatch(0);
        foreach (var target in new ulong[] { 0x2000, 0x3000, 0x4000, 0x3000, 0x1000, 0x2000 })
        {
            graph.AddEdge(target);
        }

        graph.NodeBatch(0);
        graph.AddNode(0x1000, Dict, references: 1);      // the dictionary -> its entries array
        graph.AddNode(0x2000, Entries, references: 3);   // the entries -> three widgets
        graph.AddNode(0x3000, Widget, references: 0);
        graph.AddNode(0x4000, Widget, references: 0);
        graph.AddNode(0x5000, Other, references: 2);     // something else -> the dictionary, the entries
        graph.AddNode(0x6000, Widget, references: 0);

        var holders = graph.Holders(new HashSet<ulong> { Widget, Entries }, top: 5)!;

        Assert.Equal([(Entries, 3L)], holders[Widget]);
        Assert.Equal([(Dict, 1L), (Other, 1L)], holders[Entries].OrderBy(h => h.Holder));
        Assert.False(holders.ContainsKey(Dict));
        Assert.Null(graph.Problem);
        Assert.InRange(graph.PeakBytes, 1, HeapGraph.BudgetBytes);
    }

    [Fact]
    public void A_heap_over_the_budget_is_never_traced_and_one_that_outgrows_it_is_dropped()
    {
        Assert.Null(HeapGraph.Plan(objects: 10_000_000, references: 10_000_000, HeapGraph.BudgetBytes, out var why));
        Assert.Contains("budget of 64 MiB", why, StringComparison.Ordinal);

        var graph = HeapGraph.Plan(objects: 10, references: 10, budget: 200_000, out _)!;
        graph.NodeBatch(0);
        for (ulong i = 0; i < 20_000; i++)
        {
            graph.AddNode(i * 16, Widget, references: 0);
        }

        Assert.Contains("more than the agent's budget", graph.Problem, StringComparison.Ordinal);
        Assert.InRange(graph.PeakBytes, 1, 200_000);
        Assert.Null(graph.Holders(new HashSet<ulong> { Widget }, 5));
    }

    [Fact]
    public void A_lost_batch_or_missing_references_give_no_holders_and_say_why()
    {
        var skipped = HeapGraph.Plan(10, 10, HeapGraph.BudgetBytes, out _)!;
        skipped.NodeBatch(0);
        skipped.NodeBatch(2);
        Assert.Contains("batch 2 arrived where 1 was expected", skipped.Problem, StringComparison.Ordinal);

        var short1 = HeapGraph.Plan(10, 10, HeapGraph.BudgetBytes, out _)!;
        short1.NodeBatch(0);
        short1.AddNode(0x1000, Entries, references: 2);
        short1.EdgeBatch(0);
        short1.AddEdge(0x2000);
        Assert.Null(short1.Holders(new HashSet<ulong> { Widget }, 5));
        Assert.Contains("announced 2 references and delivered 1", short1.Problem, StringComparison.Ordinal);
    }
}
