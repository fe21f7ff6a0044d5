using Agent;
using Agent.Configuration;

// Composition root: configuration, services, endpoints. Nothing else belongs here.
var builder = WebApplication.CreateSlimBuilder(args);
AgentSettings settings;
try
{
    settings = AgentSettings.Load(builder.Configuration);
}
catch (ConfigurationException e)
{
    await Console.Error.WriteLineAsync($"agent: configuration error: {e.Message}");
    return 2;
}

builder.UseDefaultUrl();
builder.ConfigureHttp();
builder.AddAgentLogging();
builder.Services.AddAgent(settings);

var app = builder.Build();
app.MapAgentEndpoints();
await app.RunAsync();
return 0;

/// <summary>Entry point; public so that WebApplicationFactory can find it.</summary>
public partial class Program;
