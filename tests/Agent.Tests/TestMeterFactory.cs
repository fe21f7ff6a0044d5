using System.Diagnostics.Metrics;

namespace Agent.Tests;

internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var m = new Meter(options.Name, options.Version, options.Tags, this);
        _meters.Add(m);
        return m;
    }

    public void Dispose() => _meters.ForEach(m => m.Dispose());
}
