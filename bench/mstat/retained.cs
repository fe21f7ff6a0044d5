// What holds the native code in the binary: ILC's dependency graph (-p:IlcGenerateDgmlFile=true writes
// obj/.../native/agent.codegen.dgml.xml) turned into a dominator tree, each node weighted by the size
// of its machine code (`nm -S` of obj/.../native/agent.o, the object file before linking). A node's
// "retained" size is the code that would leave the binary if nothing else reached it: cutting the
// dependency it stands for saves that much code (type structures, GC info and metadata come on top,
// roughly as much again). Lists the nodes that retain the most, and for a pattern the chain of
// dependencies from the root ("why is this in the binary?").
// Usage: dotnet run bench/mstat/retained.cs -- DIR [TOP] [PATTERN]
//   DIR     the ILC output directory holding agent.codegen.dgml.xml and agent.o
//   TOP     how many nodes to list (default 40)
//   PATTERN a regular expression on node labels: print why the first match is reachable
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: retained.cs DIR [TOP] [PATTERN]");
    return 2;
}

var dir = args[0];
var top = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40;
var pattern = args.Length > 2 ? new Regex(args[2]) : null;

var sizes = SymbolSizes(Path.Combine(dir, "agent.o"));
var labels = new List<string>();
var edges = new List<(int From, int To)>();
var nodeRe = new Regex("<Node Id=\"(\\d+)\" Label=\"(.*?)\" ?/>", RegexOptions.Compiled);
var linkRe = new Regex("<Link Source=\"(\\d+)\" Target=\"(\\d+)\"", RegexOptions.Compiled);
foreach (var line in File.ReadLines(Path.Combine(dir, "agent.codegen.dgml.xml")))
{
    if (linkRe.Match(line) is { Success: true } l)
    {
        edges.Add((int.Parse(l.Groups[1].ValueSpan, CultureInfo.InvariantCulture), int.Parse(l.Groups[2].ValueSpan, CultureInfo.InvariantCulture)));
    }
    else if (nodeRe.Match(line) is { Success: true } n)
    {
        var id = int.Parse(n.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
        while (labels.Count <= id)
        {
            labels.Add(string.Empty);
        }

        labels[id] = WebUtility.HtmlDecode(n.Groups[2].Value);
    }
}

// Node 0 of the graph below is a virtual root joining every node nothing points to.
var count = labels.Count + 1;
var degree = new int[count];
var hasParent = new bool[count];
foreach (var (f, t) in edges)
{
    degree[f + 1]++;
    hasParent[t + 1] = true;
}

for (var i = 1; i < count; i++)
{
    if (!hasParent[i])
    {
        degree[0]++;
    }
}

var outStart = new int[count + 1];
for (var i = 0; i < count; i++)
{
    outStart[i + 1] = outStart[i] + degree[i];
}

var succ = new int[outStart[count]];
var fill = new int[count];
for (var i = 1; i < count; i++)
{
    if (!hasParent[i])
    {
        succ[fill[0]++] = i;
    }
}

foreach (var (f, t) in edges)
{
    succ[outStart[f + 1] + fill[f + 1]++] = t + 1;
}

var weight = new long[count];
for (var i = 1; i < count; i++)
{
    weight[i] = sizes.GetValueOrDefault(labels[i - 1]);
}

var idom = Dominators(count, outStart, succ, out var order, out var parent);
var retained = (long[])weight.Clone();
for (var k = order.Length - 1; k > 0; k--)
{
    var v = order[k];
    retained[idom[v]] += retained[v];
}

Console.WriteLine($"{count - 1:N0} nodes, {order.Length - 1:N0} reachable, machine code {retained[0]:N0} B (nm of agent.o)\n");
Console.WriteLine("| retains (code bytes) | own | node |");
Console.WriteLine("|---:|---:|---|");
// Interesting nodes: those retaining much more than their direct children that are listed too.
foreach (var v in order.Skip(1).OrderByDescending(v => retained[v]).Where(v => !labels[v - 1].StartsWith("Tentative", StringComparison.Ordinal)).Take(top))
{
    Console.WriteLine($"| {retained[v]:N0} | {weight[v]:N0} | {Short(labels[v - 1])} |");
}

if (pattern is not null)
{
    var match = Enumerable.Range(1, count - 1).FirstOrDefault(i => order.Contains(i) && pattern.IsMatch(labels[i - 1]));
    if (match == 0)
    {
        Console.WriteLine($"\nno reachable node matches {pattern}");
    }
    else
    {
        Console.WriteLine($"\nwhy {Short(labels[match - 1])} (retains {retained[match]:N0} B): one path from the root");
        var chain = new List<int>();
        for (var v = match; v != 0; v = parent[v])
        {
            chain.Add(v);
        }

        chain.Reverse();
        foreach (var v in chain)
        {
            Console.WriteLine($"  {Short(labels[v - 1])}");
        }
    }
}

return 0;

static string Short(string label) => label.Length > 160 ? label[..157] + "..." : label;

static Dictionary<string, long> SymbolSizes(string objectFile)
{
    var psi = new ProcessStartInfo("nm", ["-S", "--defined-only", objectFile]) { RedirectStandardOutput = true };
    using var nm = Process.Start(psi)!;
    var result = new Dictionary<string, long>(StringComparer.Ordinal);
    while (nm.StandardOutput.ReadLine() is { } line)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length == 4)
        {
            result[parts[3]] = long.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
    }

    nm.WaitForExit();
    return result;
}

// Lengauer–Tarjan (simple version with path compression), iterative. Returns idom per node (0 for
// the root and unreachable nodes); order = reachable nodes in DFS preorder; parent = DFS tree parent.
static int[] Dominators(int n, int[] start, int[] succ, out int[] order, out int[] parent)
{
    var semi = new int[n];
    var vertex = new int[n + 1];
    parent = new int[n];
    var label = new int[n];
    var ancestor = new int[n];
    var idom = new int[n];
    Array.Fill(semi, -1);
    var number = 0;
    var stack = new Stack<(int Node, int Edge)>();
    semi[0] = number;
    vertex[number++] = 0;
    stack.Push((0, start[0]));
    while (stack.Count > 0)
    {
        var (v, e) = stack.Pop();
        if (e < start[v + 1])
        {
            stack.Push((v, e + 1));
            var w = succ[e];
            if (semi[w] < 0)
            {
                parent[w] = v;
                semi[w] = number;
                vertex[number++] = w;
                stack.Push((w, start[w]));
            }
        }
    }

    var predStart = new int[n + 1];
    for (var v = 0; v < n; v++)
    {
        if (semi[v] < 0)
        {
            continue;
        }

        for (var e = start[v]; e < start[v + 1]; e++)
        {
            predStart[succ[e] + 1]++;
        }
    }

    for (var i = 1; i <= n; i++)
    {
        predStart[i] += predStart[i - 1];
    }

    var pred = new int[predStart[n]];
    var pfill = new int[n];
    for (var v = 0; v < n; v++)
    {
        if (semi[v] < 0)
        {
            continue;
        }

        for (var e = start[v]; e < start[v + 1]; e++)
        {
            var w = succ[e];
            pred[predStart[w] + pfill[w]++] = v;
        }
    }

    for (var v = 0; v < n; v++)
    {
        label[v] = v;
        ancestor[v] = -1;
    }

    var bucketHead = new int[n];
    var bucketNext = new int[n];
    Array.Fill(bucketHead, -1);
    var path = new List<int>();

    int Eval(int v)
    {
        if (ancestor[v] < 0)
        {
            return v;
        }

        path.Clear();
        var u = v;
        while (ancestor[ancestor[u]] >= 0)
        {
            path.Add(u);
            u = ancestor[u];
        }

        for (var i = path.Count - 1; i >= 0; i--)
        {
            var x = path[i];
            var a = ancestor[x];
            if (semi[label[a]] < semi[label[x]])
            {
                label[x] = label[a];
            }

            ancestor[x] = ancestor[a];
        }

        return label[v];
    }

    for (var i = number - 1; i > 0; i--)
    {
        var w = vertex[i];
        for (var e = predStart[w]; e < predStart[w + 1]; e++)
        {
            var u = Eval(pred[e]);
            if (semi[u] < semi[w])
            {
                semi[w] = semi[u];
            }
        }

        var s = vertex[semi[w]];
        bucketNext[w] = bucketHead[s];
        bucketHead[s] = w;
        ancestor[w] = parent[w];
        var p = parent[w];
        for (var v = bucketHead[p]; v >= 0; v = bucketNext[v])
        {
            var u = Eval(v);
            idom[v] = semi[u] < semi[v] ? u : p;
        }

        bucketHead[p] = -1;
    }

    for (var i = 1; i < number; i++)
    {
        var w = vertex[i];
        if (idom[w] != vertex[semi[w]])
        {
            idom[w] = idom[idom[w]];
        }
    }

    order = vertex[..number];
    return idom;
}
