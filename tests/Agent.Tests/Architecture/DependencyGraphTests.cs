using System.Diagnostics;

namespace Agent.Tests.Architecture;

/// <summary>
/// The folders of src/Agent depend on each other one way (docs/architecture.md draws the graph):
/// scripts/dependency-graph.sh, the script the document's graph comes from, finds no folder in a
/// cycle. A new <c>using Agent.X</c> that points back up fails here with the edges that close the cycle.
/// </summary>
public class DependencyGraphTests
{
    private static string Root => Agent.Tests.Fixtures.RepoRoot;

    [Fact]
    public async Task No_folder_of_the_agent_sits_in_a_dependency_cycle()
    {
        var lines = await Graph(Path.Combine(Root, "src", "Agent"));

        Assert.True(lines[^1] == "0 folders in cycles", $"{lines[^1]}; the two-way edges and cycles:\n{string.Join('\n', lines.Where(l => l.Contains("(two-way)", StringComparison.Ordinal) || l.StartsWith("cycle:", StringComparison.Ordinal)))}\nevery edge:\n{string.Join('\n', lines)}");
        Assert.Contains("Sampling -> Procfs", lines.Select(l => l.Split(" (")[0])); // the scan sees edges at all
    }

    [Fact]
    public async Task A_folder_that_uses_one_which_uses_it_back_is_reported()
    {
        var dir = Directory.CreateTempSubdirectory("depgraph-");
        try
        {
            Write(dir.FullName, "Low/Store.cs", "using Agent.High;\nnamespace Agent.Low;\ninternal sealed class Store(Reader r);\n");
            Write(dir.FullName, "High/Reader.cs", "namespace Agent.High;\ninternal sealed class Reader(Agent.Low.Store s);\n");
            Write(dir.FullName, "Side/Note.cs", "namespace Agent.Side;\n// using Agent.Low; in a comment is not a dependency\ninternal sealed class Note { string S = \"High.Reader\"; }\n");

            var lines = await Graph(dir.FullName);

            Assert.Equal(["High -> Low (1) (two-way)", "Low -> High (1) (two-way)", "cycle: High, Low", "2 folders in cycles"], lines);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static async Task<string[]> Graph(string sourceDir)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Root, "scripts", "dependency-graph.sh"));
        start.ArgumentList.Add(sourceDir);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dependency-graph.sh exited {process.ExitCode}: {await stderr}");
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
