using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Agent.Tests.Architecture;

/// <summary>
/// One logging style: every message of the agent is a source-generated <c>[LoggerMessage]</c> in its
/// feature's one log class, named after the folder (<c>Agent.Probes.ProbesLog</c>), with an event id
/// no other message has. Read from the compiled assembly, so a message added anywhere else fails here.
/// </summary>
public class LoggingStyleTests
{
    private static readonly Assembly AgentAssembly = typeof(Agent.Configuration.AgentSettings).Assembly;

    private static IEnumerable<(MethodInfo Method, LoggerMessageAttribute Attribute)> Messages() =>
        AgentAssembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (x.Method, x.Attribute!));

    [Fact]
    public void Every_message_lives_in_its_features_log_class()
    {
        var messages = Messages().ToList();
        Assert.True(messages.Count > 30, $"only {messages.Count} messages found: the scan is broken");
        var misplaced = messages
            .Select(m => m.Method.DeclaringType!)
            .Distinct()
            .Where(t => t.DeclaringType is not null || t.Namespace is not { } ns || !ns.StartsWith("Agent.", StringComparison.Ordinal)
                || t.Name != ns.Split('.')[1] + "Log")
            .Select(t => t.FullName)
            .ToList();
        Assert.True(misplaced.Count == 0, $"messages outside a <Folder>Log class: {string.Join(", ", misplaced)}");
    }

    [Fact]
    public void Event_ids_are_unique()
    {
        var taken = Messages().GroupBy(m => m.Attribute.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => $"{m.Method.DeclaringType!.Name}.{m.Method.Name}"))}")
            .ToList();
        Assert.True(taken.Count == 0, $"event ids used twice: {string.Join("; ", taken)}");
    }
}
