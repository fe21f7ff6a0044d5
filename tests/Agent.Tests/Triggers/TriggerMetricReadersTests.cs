using Agent.Configuration;
using Agent.Triggers;

namespace Agent.Tests.Triggers;

/// <summary>Configuration lists the metrics a trigger may name; the triggers read them: the two lists are one.</summary>
public class TriggerMetricReadersTests
{
    [Fact]
    public void Every_metric_configuration_accepts_has_a_reader_and_no_reader_is_unreachable() =>
        Assert.Equal(TriggerMetricCatalog.Names, TriggerMetricReaders.Names);
}
