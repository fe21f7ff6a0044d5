using Agent;
using Agent.Check;
using Agent.Cli;
using Agent.Configuration;

// Composition root: command line, configuration, services, endpoints. Nothing else belongs here.
Invocation invocation;
try
{
    invocation = Invocation.Parse(args);
}
catch (ConfigurationException e)
{
    await Console.Error.WriteLineAsync($"agent: {e.Message}");
    return 2;
}

switch (invocation.Command)
{
    case AgentCommand.Help:
        await Console.Out.WriteAsync(Usage.Text);
        return 0;
    case AgentCommand.Version:
        await Console.Out.WriteLineAsync(VersionInfo.Line);
        return 0;
    case AgentCommand.PythonHook:
        return await PythonHookCommand.RunAsync(invocation.HookDirectory, Console.Out, Console.Error);
}

var builder = WebApplication.CreateSlimBuilder(AgentServices.HostArguments(invocation.ConfigurationArgs));
AgentSettings settings;
try
{
    settings = AgentSettings.Load(builder.Configuration);
}
catch (ConfigurationException e)
{
    await Console.Error.WriteLineAsync($"agent: configuration error: {e.Message}");
    return invocation.Command == AgentCommand.Check ? await CheckCommand.ConfigurationErrorAsync(e, invocation, Console.Out) : 2;
}

if (invocation.Command == AgentCommand.Check)
{
    return await CheckCommand.RunAsync(builder, settings, invocation, Console.Out);
}

if (ListenFailure.Before(builder.Configuration, AgentServices.DefaultUrl) is { } taken)
{
    await Console.Error.WriteLineAsync($"agent: {taken}");
    return ListenFailure.ExitCode;
}

builder.UseDefaultUrl();
builder.ConfigureHttp();
builder.AddAgentLogging();
builder.Services.AddAgent(settings);

var app = builder.Build();
app.MapAgentEndpoints();
try
{
    await app.RunAsync();
}
catch (IOException e) when (ListenFailure.Describe(e) is { } line)
{
    await Console.Error.WriteLineAsync($"agent: {line}");
    return ListenFailure.ExitCode;
}

return 0;

/// <summary>Entry point; public so that WebApplicationFactory can find it.</summary>
public partial class Program;
