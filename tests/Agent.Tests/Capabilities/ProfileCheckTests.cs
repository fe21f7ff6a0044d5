using Agent.Capabilities;
using Agent.Runtimes.Python;

namespace Agent.Tests.Capabilities;

/// <summary>Whether a target can be profiled is read from its two channels' own checks.</summary>
public class ProfileCheckTests
{
    private static Capability Item(string name, CapabilityStatus status) => new(name, status, $"{name} detail", $"{name} fix", "-");

    private static PythonHello Hello(params string[] requests) => new("sidecar_hook", 1, "3.11.2", "cpython", false, requests);

    [Fact]
    public void A_dotnet_socket_or_a_hook_that_answers_profile_makes_it_available()
    {
        var viaDotnet = ProfileCheck.From(Item("dotnet_diagnostic_socket", CapabilityStatus.Available), Item("python_hook", CapabilityStatus.NotApplicable), null);
        Assert.Equal(CapabilityStatus.Available, viaDotnet.Status);
        Assert.Contains(".NET diagnostic socket", viaDotnet.Detail, StringComparison.Ordinal);

        var viaHook = ProfileCheck.From(Item("dotnet_diagnostic_socket", CapabilityStatus.NotApplicable), Item("python_hook", CapabilityStatus.Available), Hello("gc", "hello", "profile"));
        Assert.Equal(CapabilityStatus.Available, viaHook.Status);
        Assert.Contains("Python hook", viaHook.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_older_hook_is_named_with_its_fix_as_advice_not_a_failure()
    {
        var old = ProfileCheck.From(Item("dotnet_diagnostic_socket", CapabilityStatus.NotApplicable), Item("python_hook", CapabilityStatus.Available), Hello("gc", "hello", "stacks"));
        Assert.Equal(CapabilityStatus.Unavailable, old.Status);
        Assert.True(old.OptIn);
        Assert.Contains("agent python-hook", old.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unavailable_channel_is_pointed_at_not_reported_twice()
    {
        var noSocket = ProfileCheck.From(Item("dotnet_diagnostic_socket", CapabilityStatus.Unavailable), Item("python_hook", CapabilityStatus.NotApplicable), null);
        Assert.Equal(CapabilityStatus.NotApplicable, noSocket.Status);
        Assert.Contains("needs dotnet_diagnostic_socket", noSocket.Detail, StringComparison.Ordinal);
        Assert.Null(noSocket.Fix); // the channel's own entry carries it

        var neither = ProfileCheck.From(Item("dotnet_diagnostic_socket", CapabilityStatus.NotApplicable), Item("python_hook", CapabilityStatus.NotApplicable), null);
        Assert.Equal(CapabilityStatus.NotApplicable, neither.Status);
    }
}
