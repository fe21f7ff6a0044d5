using System.Text;

namespace Agent.Tests.Hostile;

/// <summary>
/// A small seeded mutation engine over captured inputs: byte flips, deletions, insertions of
/// interesting bytes and digit runs, splices and truncations, as a coverage-less fuzzer would.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[][] Interesting =
    [
        "("u8.ToArray(), ")"u8.ToArray(), " "u8.ToArray(), "\n"u8.ToArray(), "\0"u8.ToArray(), ":"u8.ToArray(), "\t"u8.ToArray(),
        "-"u8.ToArray(), "18446744073709551616"u8.ToArray(), "99999999999999999999999"u8.ToArray(), "kB"u8.ToArray(),
        "unlimited"u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "\""u8.ToArray(), "\\"u8.ToArray(), "="u8.ToArray(),
        "# TYPE "u8.ToArray(), "# EOF"u8.ToArray(), "NaN"u8.ToArray(), "+Inf"u8.ToArray(), Encoding.UTF8.GetBytes("é€\uFFFD"),
    ];

    private readonly Random _random = new(seed);

    public byte[] Mutate(byte[] input)
    {
        var data = new List<byte>(input);
        var rounds = 1 + _random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            switch (_random.Next(7))
            {
                case 0 when data.Count > 0:
                    data[_random.Next(data.Count)] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    var at = _random.Next(data.Count);
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                    break;
                case 2:
                    data.InsertRange(_random.Next(data.Count + 1), Interesting[_random.Next(Interesting.Length)]);
                    break;
                case 3:
                    data.InsertRange(_random.Next(data.Count + 1), Enumerable.Range(0, 1 + _random.Next(30)).Select(_ => (byte)('0' + _random.Next(10))));
                    break;
                case 4 when data.Count > 0:
                    var keep = _random.Next(data.Count); // truncate
                    data.RemoveRange(keep, data.Count - keep);
                    break;
                case 5 when data.Count > 1:
                    var from = _random.Next(data.Count);
                    var len = Math.Min(data.Count - from, 1 + _random.Next(64));
                    data.InsertRange(_random.Next(data.Count), data.GetRange(from, len)); // splice a copy
                    break;
                case 6 when data.Count > 0:
                    data[_random.Next(data.Count)] = (byte)_random.Next(256);
                    break;
                default:
                    data.Add((byte)_random.Next(256));
                    break;
            }
        }

        return [.. data];
    }
}
