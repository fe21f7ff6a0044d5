using System.Globalization;

// Commands on stdin, one per line; each answer is one line on stdout:
//   gc N        -> run GC.Collect(2) N times, then answer like "state"
//   throw N     -> throw and catch N exceptions, then answer like "state"
//   contend N   -> N rounds of two threads fighting over one lock, then answer like "state"
//   block N MS  -> queue N thread-pool items that each block MS ms; answers at once (queue filling)
//   busy P      -> a background thread works P ms of every 100 ms from now on (steady load for benchmarks)
//   hold N      -> allocate N more HeapEvidenceMarker objects and keep them live (markers=.. in "state")
//   leak N      -> put N more LeakedWidget objects into a Dictionary<int, LeakedWidget> cache, and
//                  allocate and drop as many short-lived byte arrays (churn) (widgets=.. in "state")
// LEAK_WIDGETS_PER_SECOND=N (the README's .NET "Find a leak" demo) adds N LeakedWidget objects a
// second to the same cache from a background thread, the way an unbounded memoising dictionary grows.
//   burn        -> a background thread burns CPU from now on, 3/4 of it in CpuBurner.HotLoop and 1/4
//                  in CpuBurner.WarmLoop (the known functions of the profiling tests); "state" adds
//                  hotms=.. warmms=.., the time the target itself measured in each, and loops=.. (work done)
//   state       -> "state gen0=.. gen1=.. gen2=.. heap=.. allocated=.. exceptions=.. contentions=..
//                   tpthreads=.. tpcompleted=.. tpqueue=.."
var keep = new List<byte[]>();
for (var i = 0; i < 200; i++)
{
    keep.Add(new byte[16 * 1024]); // some live heap, so heap size is not trivially small
}

long exceptions = 0;
AppDomain.CurrentDomain.FirstChanceException += (_, _) => Interlocked.Increment(ref exceptions);
var gate = new object();
var markers = new List<HeapEvidenceMarker>();
var widgets = new Dictionary<int, LeakedWidget>();
if (int.TryParse(Environment.GetEnvironmentVariable("LEAK_WIDGETS_PER_SECOND"), NumberStyles.None, CultureInfo.InvariantCulture, out var leakRate) && leakRate > 0)
{
    new Thread(() =>
    {
        while (true)
        {
            lock (widgets)
            {
                for (var i = 0; i < leakRate / 10; i++)
                {
                    widgets[widgets.Count] = new LeakedWidget(widgets.Count);
                }
            }

            Thread.Sleep(100);
        }
    }) { IsBackground = true, Name = "leak" }.Start();
}


Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready pid={Environment.ProcessId}"));
while (Console.ReadLine() is { } line)
{
    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    var n = parts.Length >= 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
    switch (parts.FirstOrDefault())
    {
        case "gc":
            for (var i = 0; i < n; i++)
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            }

            break;
        case "throw":
            for (var i = 0; i < n; i++)
            {
                try
                {
                    throw new InvalidOperationException("counted");
                }
                catch (InvalidOperationException)
                {
                }
            }

            break;
        case "contend":
            for (var i = 0; i < n; i++)
            {
                using var held = new ManualResetEventSlim();
                var holder = new Thread(() =>
                {
                    lock (gate)
                    {
                        held.Set();
                        Thread.Sleep(30);
                    }
                });
                holder.Start();
                held.Wait();
                lock (gate)
                {
                    // entered only after the holder let go: one contention
                }

                holder.Join();
            }

            break;
        case "block":
            var ms = int.Parse(parts[2], CultureInfo.InvariantCulture);
            for (var i = 0; i < n; i++)
            {
                ThreadPool.QueueUserWorkItem(_ => Thread.Sleep(ms));
            }

            break;
        case "busy":
            var duty = Math.Clamp(n, 0, 100);
            new Thread(() =>
            {
                var sink = 0L;
                while (true)
                {
                    var window = System.Diagnostics.Stopwatch.StartNew();
                    while (window.ElapsedMilliseconds < duty)
                    {
                        sink += string.Concat("w", sink.ToString(CultureInfo.InvariantCulture)).Length; // CPU and small allocations
                    }

                    Thread.Sleep(Math.Max(0, 100 - (int)window.ElapsedMilliseconds));
                    GC.KeepAlive(sink);
                }
            }) { IsBackground = true, Name = "busy" }.Start();
            break;
        case "burn":
            CpuBurner.Start();
            break;
        case "leak":
            lock (widgets)
            {
                for (var i = 0; i < n; i++)
                {
                    widgets[widgets.Count] = new LeakedWidget(widgets.Count);
                    GC.KeepAlive(new byte[64]); // churn: garbage at once, never held
                }
            }

            break;
        case "hold":
            for (var i = 0; i < n; i++)
            {
                markers.Add(new HeapEvidenceMarker(i));
            }

            break;
    }

    var info = GC.GetGCMemoryInfo();
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"state gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)} heap={info.HeapSizeBytes} allocated={GC.GetTotalAllocatedBytes()} live={keep.Count} markers={markers.Count} widgets={widgets.Count} exceptions={Interlocked.Read(ref exceptions)} contentions={Monitor.LockContentionCount} tpthreads={ThreadPool.ThreadCount} tpcompleted={ThreadPool.CompletedWorkItemCount} tpqueue={ThreadPool.PendingWorkItemCount} hotms={CpuBurner.HotMilliseconds} warmms={CpuBurner.WarmMilliseconds} loops={CpuBurner.Loops}"));
}

if (leakRate > 0)
{
    Thread.Sleep(Timeout.Infinite); // the demo runs in the background with no stdin: keep leaking until killed
}

// A type no library allocates, so a heap summary's count of it can be compared with the target's own.
internal sealed class HeapEvidenceMarker(long seed)
{
    public long A { get; } = seed;
    public long B { get; } = seed + 1;
    public long C { get; } = seed + 2;
    public long D { get; } = seed + 3;
}

// The known leak: a cache that only grows, holding these through its Dictionary's entries.
internal sealed class LeakedWidget(int id)
{
    public int Id { get; } = id;
    public string Label { get; } = "widget";
    public long Created { get; } = id * 7L;
}

// CPU in two known methods, 3:1, in slices short enough that any window of a second sees both.
// NoInlining keeps each a frame of its own in the profiler's stacks.
internal static class CpuBurner
{
    private static long s_hot;
    private static long s_warm;
    private static long s_sink;
    private static long s_loops;

    /// <summary>Inner loops done so far: the target's own work count (its throughput, for the cost benchmark).</summary>
    public static long Loops => Interlocked.Read(ref s_loops);

    public static long HotMilliseconds => Interlocked.Read(ref s_hot);

    public static long WarmMilliseconds => Interlocked.Read(ref s_warm);

    public static void Start() => new Thread(() =>
    {
        while (true)
        {
            Interlocked.Add(ref s_hot, HotLoop(15));
            Interlocked.Add(ref s_warm, WarmLoop(5));
        }
    }) { IsBackground = true, Name = "burn" }.Start();

    // Each loop is written out in its own method, not shared through a helper: at tier 0 (a freshly
    // started target) the JIT inlines nothing, and a shared helper would be the leaf of both.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static long HotLoop(long ms)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var x = s_sink;
        var loops = 0L;
        while (watch.ElapsedMilliseconds < ms)
        {
            loops++;
            for (var i = 0; i < 10_000; i++)
            {
                x = (x * 31) + i;
            }
        }

        s_sink = x;
        Interlocked.Add(ref s_loops, loops);
        return watch.ElapsedMilliseconds;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static long WarmLoop(long ms)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var x = s_sink;
        var loops = 0L;
        while (watch.ElapsedMilliseconds < ms)
        {
            loops++;
            for (var i = 0; i < 10_000; i++)
            {
                x = (x * 17) + i;
            }
        }

        s_sink = x;
        Interlocked.Add(ref s_loops, loops);
        return watch.ElapsedMilliseconds;
    }
}
