using System.Globalization;

// Commands on stdin, one per line; each answer is one line on stdout:
//   gc N   -> run GC.Collect(2) N times, then answer like "state"
//   state  -> "state gen0=.. gen1=.. gen2=.. heap=.. allocated=.."
var keep = new List<byte[]>();
for (var i = 0; i < 200; i++)
{
    keep.Add(new byte[16 * 1024]); // some live heap, so heap size is not trivially small
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready pid={Environment.ProcessId}"));
while (Console.ReadLine() is { } line)
{
    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (parts.Length == 2 && parts[0] == "gc")
    {
        for (var i = 0; i < int.Parse(parts[1], CultureInfo.InvariantCulture); i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        }
    }

    var info = GC.GetGCMemoryInfo();
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"state gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)} heap={info.HeapSizeBytes} allocated={GC.GetTotalAllocatedBytes()} live={keep.Count}"));
}
