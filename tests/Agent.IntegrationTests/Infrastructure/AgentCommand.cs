namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// The command line that starts the agent in a test. The agent under test is the published
/// Native AOT binary, the build users run (AOT is where reflection, JSON and trimming bugs live);
/// the JIT build (<c>dotnet agent.dll</c>) only for a test that says why it cannot use the binary.
/// </summary>
internal static class AgentCommand
{
    /// <summary>The binary's path, or <c>dotnet</c> and the JIT build's assembly.</summary>
    /// <param name="jitBecause">Null for the native binary; otherwise the one-line reason this test needs the JIT build.</param>
    public static async Task<IReadOnlyList<string>> For(string? jitBecause = null)
    {
        if (jitBecause is null)
        {
            return [await NativeBuild.Binary()];
        }

        if (string.IsNullOrWhiteSpace(jitBecause))
        {
            throw new ArgumentException("say why this test needs the JIT build", nameof(jitBecause));
        }

        return ["dotnet", Repo.AgentDll];
    }
}
