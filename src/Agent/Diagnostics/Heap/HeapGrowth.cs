using System.Text.Json;

namespace Agent.Diagnostics.Heap;

/// <summary>
/// The .NET heap growth artifact (<c>kind=heap</c> with <c>seconds</c>, format
/// <c>dotnet-heap-growth/1</c>): two heap walks the window apart, what grew by type, and for the
/// top growers the types that hold references to them. Sizes are shallow (an object's own bytes).
/// </summary>
/// <param name="Format">dotnet-heap-growth/1.</param>
/// <param name="Findings">One sentence per top grower, e.g. "+200000 Widget (+6.1 MiB) in 30 s, held by Dictionary&lt;int,Widget&gt;+Entry[] (200000 references)".</param>
/// <param name="ByBytes">Types whose bytes grew most, largest growth first (top 50).</param>
/// <param name="ByCount">Types whose object count grew most (top 50).</param>
/// <param name="Holders">How the holders were found, or why they were omitted.</param>
internal sealed record HeapGrowth(
    string Format,
    string Target,
    int Pid,
    string Runtime,
    double Seconds,
    HeapWalkTotals Before,
    HeapWalkTotals After,
    long ObjectsDelta,
    long BytesDelta,
    IReadOnlyList<string> Findings,
    IReadOnlyList<HeapTypeGrowth> ByBytes,
    IReadOnlyList<HeapTypeGrowth> ByCount,
    HeapHolderSearch Holders)
{
    /// <summary>The artifact, camelCase, absent values left out (as the other artifacts); a plain writer, not serializer metadata.</summary>
    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteString("target", Target);
        json.WriteNumber("pid", Pid);
        json.WriteString("runtime", Runtime);
        json.WriteNumber("seconds", Seconds);
        Before.Write(json, "before");
        After.Write(json, "after");
        json.WriteNumber("objectsDelta", ObjectsDelta);
        json.WriteNumber("bytesDelta", BytesDelta);
        json.WriteStartArray("findings");
        foreach (var f in Findings)
        {
            json.WriteStringValue(f);
        }

        json.WriteEndArray();
        HeapTypeGrowth.Write(json, "byBytes", ByBytes);
        HeapTypeGrowth.Write(json, "byCount", ByCount);
        json.WriteStartObject("holders");
        json.WriteNumber("budgetBytes", Holders.BudgetBytes);
        json.WriteNumber("peakBytes", Holders.PeakBytes);
        json.WriteNumber("growers", Holders.Growers);
        if (Holders.Omitted is { } omitted)
        {
            json.WriteString("omitted", omitted);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}

/// <summary>One walk: the induced collection's number and what was live after it.</summary>
internal sealed record HeapWalkTotals(int GcNumber, DateTimeOffset At, long Objects, long Bytes, int Types)
{
    public void Write(Utf8JsonWriter json, string name)
    {
        json.WriteStartObject(name);
        json.WriteNumber("gcNumber", GcNumber);
        json.WriteString("at", At);
        json.WriteNumber("objects", Objects);
        json.WriteNumber("bytes", Bytes);
        json.WriteNumber("types", Types);
        json.WriteEndObject();
    }
}

/// <summary>One type's growth between the walks, its totals at the second, and (top growers only) who holds it.</summary>
internal sealed record HeapTypeGrowth(string Type, long CountDelta, long BytesDelta, long Count, long Bytes, IReadOnlyList<HeapHolder>? HeldBy)
{
    public static void Write(Utf8JsonWriter json, string name, IReadOnlyList<HeapTypeGrowth> rows)
    {
        json.WriteStartArray(name);
        foreach (var g in rows)
        {
            json.WriteStartObject();
            json.WriteString("type", g.Type);
            json.WriteNumber("countDelta", g.CountDelta);
            json.WriteNumber("bytesDelta", g.BytesDelta);
            json.WriteNumber("count", g.Count);
            json.WriteNumber("bytes", g.Bytes);
            if (g.HeldBy is { } held)
            {
                json.WriteStartArray("heldBy");
                foreach (var h in held)
                {
                    json.WriteStartObject();
                    json.WriteString("type", h.Type);
                    json.WriteNumber("references", h.References);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

/// <summary>A type whose objects hold references to the grower's objects, and how many such references there are.</summary>
internal sealed record HeapHolder(string Type, long References);

/// <summary>The holder search: its memory budget, the most its graph held at once, how many growers it looked at, and why it gave no answer if it did not.</summary>
internal sealed record HeapHolderSearch(long BudgetBytes, long PeakBytes, int Growers, string? Omitted);
