using System.IO.Compression;

namespace Agent.Profiling;

/// <summary>
/// Writes a <see cref="CpuProfile"/> as pprof: a gzipped <c>profile.proto</c>
/// (github.com/google/pprof/proto/profile.proto) with two values per sample (samples/count and
/// cpu/nanoseconds), the period and duration set, one location per frame (one line: function,
/// file, line) and one function per name. Written by hand (<see cref="ProtoWriter"/>): the agent
/// needs only these few messages, and a protobuf library would add its code to the binary.
/// </summary>
internal static class PprofWriter
{
    // Field numbers of profile.proto.
    private const int ProfileSampleType = 1, ProfileSample = 2, ProfileLocation = 4, ProfileFunction = 5, ProfileStringTable = 6;
    private const int ProfileTimeNanos = 9, ProfileDurationNanos = 10, ProfilePeriodType = 11, ProfilePeriod = 12, ProfileComment = 13;
    private const int ValueTypeType = 1, ValueTypeUnit = 2;
    private const int SampleLocationId = 1, SampleValue = 2;
    private const int LocationId = 1, LocationLine = 4;
    private const int LineFunctionId = 1, LineLine = 2;
    private const int FunctionId = 1, FunctionName = 2, FunctionSystemName = 3, FunctionFilename = 4;

    public static byte[] Write(CpuProfile profile, string comment)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encode(profile, comment));
        }

        return output.ToArray();
    }

    /// <summary>The uncompressed message.</summary>
    internal static byte[] Encode(CpuProfile profile, string comment)
    {
        var strings = new Dictionary<string, long>(StringComparer.Ordinal) { [""] = 0 };
        long Str(string s)
        {
            if (!strings.TryGetValue(s, out var i))
            {
                strings[s] = i = strings.Count;
            }

            return i;
        }

        var functions = new Dictionary<(string Name, string? File), ulong>();
        var locations = new Dictionary<ProfileFrame, ulong>();
        var message = new ProtoWriter();

        message.Message(ProfileSampleType, m => m.Int(ValueTypeType, Str("samples")).Int(ValueTypeUnit, Str("count")));
        message.Message(ProfileSampleType, m => m.Int(ValueTypeType, Str("cpu")).Int(ValueTypeUnit, Str("nanoseconds")));
        var periodNs = (long)(profile.Period.Ticks * 100);
        foreach (var sample in profile.Samples)
        {
            var ids = new ulong[sample.Frames.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                var frame = sample.Frames[i];
                if (!locations.TryGetValue(frame, out var id))
                {
                    locations[frame] = id = (ulong)locations.Count + 1;
                }

                ids[i] = id;
            }

            message.Message(ProfileSample, m => m.PackedUInts(SampleLocationId, ids).PackedInts(SampleValue, [sample.Count, sample.Count * periodNs]));
        }

        foreach (var (frame, id) in locations)
        {
            if (!functions.TryGetValue((frame.Function, frame.File), out var functionId))
            {
                functions[(frame.Function, frame.File)] = functionId = (ulong)functions.Count + 1;
            }

            message.Message(ProfileLocation, m => m.UInt(LocationId, id).Message(LocationLine, l => l.UInt(LineFunctionId, functionId).Int(LineLine, frame.Line)));
        }

        foreach (var ((name, file), id) in functions)
        {
            message.Message(ProfileFunction, m => m.UInt(FunctionId, id).Int(FunctionName, Str(name)).Int(FunctionSystemName, Str(name)).Int(FunctionFilename, Str(file ?? "")));
        }

        message.Int(ProfileTimeNanos, profile.Start.ToUnixTimeMilliseconds() * 1_000_000);
        message.Int(ProfileDurationNanos, (long)(profile.Duration.Ticks * 100));
        message.Message(ProfilePeriodType, m => m.Int(ValueTypeType, Str("cpu")).Int(ValueTypeUnit, Str("nanoseconds")));
        message.Int(ProfilePeriod, periodNs);
        message.Int(ProfileComment, Str(comment));

        // The string table last: every index above is known by now; readers take fields in any order.
        foreach (var s in strings.OrderBy(kv => kv.Value))
        {
            message.String(ProfileStringTable, s.Key);
        }

        return message.ToArray();
    }
}
