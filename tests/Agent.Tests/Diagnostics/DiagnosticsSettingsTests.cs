using Agent.Common;
using Agent.Configuration;

namespace Agent.Tests.Diagnostics;

public class DiagnosticsSettingsTests
{
    private static readonly Secret Token = new("0123456789abcdef0123");

    [Fact]
    public void Unset_means_on_exactly_when_a_token_is_configured()
    {
        Assert.False(DiagnosticsSettings.Create(new DiagnosticsOptions(), null, null).Enabled);
        Assert.True(DiagnosticsSettings.Create(new DiagnosticsOptions(), null, Token).Enabled);
        Assert.True(DiagnosticsSettings.Create(new DiagnosticsOptions(), Token, null).Enabled);
        Assert.False(DiagnosticsSettings.Create(new DiagnosticsOptions { Enabled = false }, Token, null).Enabled);
    }

    [Fact]
    public void The_diagnostics_token_wins_over_the_metrics_token()
    {
        var own = new Secret("diagnostics-token-000000");

        Assert.Same(own, DiagnosticsSettings.Create(new DiagnosticsOptions(), own, Token).Token);
        Assert.Same(Token, DiagnosticsSettings.Create(new DiagnosticsOptions(), null, Token).Token);
    }

    [Fact]
    public void Enabled_without_a_token_names_the_key_and_the_fix()
    {
        var e = Assert.Throws<ConfigurationException>(() => DiagnosticsSettings.Create(new DiagnosticsOptions { Enabled = true }, null, null));

        Assert.Equal("Diagnostics:Enabled", e.Key);
        Assert.Contains("Security:DiagnosticsToken", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_heap_window_defaults_to_30_s_and_stays_within_the_longest_trace()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), DiagnosticsSettings.Create(new DiagnosticsOptions(), null, Token).HeapWindow);
        Assert.Equal(TimeSpan.FromSeconds(3), DiagnosticsSettings.Create(new DiagnosticsOptions { HeapWindow = TimeSpan.FromSeconds(3) }, null, Token).HeapWindow);

        var e = Assert.Throws<ConfigurationException>(() => DiagnosticsSettings.Create(new DiagnosticsOptions { HeapWindow = TimeSpan.FromMinutes(10) }, null, Token));
        Assert.Equal("Diagnostics:HeapWindow", e.Key);
        Assert.Contains("MaxTraceDuration", e.Message, StringComparison.Ordinal);
    }
}
