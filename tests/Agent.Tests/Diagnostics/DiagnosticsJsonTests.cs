using System.Text.Json;
using Agent.Diagnostics;
using Agent.Diagnostics.Snapshot;
using Agent.Procfs;

namespace Agent.Tests.Diagnostics;

/// <summary>/diag JSON spells Procfs's descriptor kinds as the API documents them; Procfs itself carries no JSON choice.</summary>
public class DiagnosticsJsonTests
{
    [Theory]
    [InlineData(nameof(FdKind.AnonInode), "anon_inode")]
    [InlineData(nameof(FdKind.Socket), "socket")]
    [InlineData(nameof(FdKind.File), "file")]
    public void A_descriptor_kind_is_written_in_snake_case(string kind, string expected)
    {
        var json = JsonSerializer.Serialize(new SnapshotFdTarget("x", Enum.Parse<FdKind>(kind), 2), DiagnosticsJsonContext.Default.SnapshotFdTarget);

        Assert.Equal($$"""{"target":"x","type":"{{expected}}","count":2}""", json);
    }

    [Fact]
    public void Procfs_kinds_carry_no_attribute_of_the_diagnostics_feature() =>
        Assert.Empty(typeof(FdKind).GetCustomAttributes(inherit: false));
}
