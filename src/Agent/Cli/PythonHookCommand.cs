using Agent.Runtimes.Python;

namespace Agent.Cli;

/// <summary><c>agent python-hook</c>: the hook's source on stdout, or installed into a directory for PYTHONPATH.</summary>
internal static class PythonHookCommand
{
    public static async Task<int> RunAsync(string? directory, TextWriter output, TextWriter error)
    {
        if (directory is null)
        {
            await output.WriteAsync(PythonHook.Source(PythonHook.ModuleFile));
            return 0;
        }

        try
        {
            foreach (var path in PythonHook.Install(directory))
            {
                await output.WriteLineAsync($"wrote {path}");
            }

            await output.WriteLineAsync($"load it with PYTHONPATH={directory} (no code change), or `{PythonHook.ImportLine}` with {directory} on sys.path");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"agent: cannot write the Python hook into {directory}: {e.Message}");
            return 1;
        }
    }
}
