using System.Diagnostics;
using System.Text;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// A real process started by a test, with its output captured and a guaranteed kill on dispose.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _lock = new();

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Stdout
    {
        get
        {
            lock (_lock)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_lock)
            {
                return _stderr.ToString();
            }
        }
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> args, IDictionary<string, string?>? env = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            psi.Environment[k] = v;
        }

        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(p);
        p.OutputDataReceived += (_, e) => child.Append(child._stdout, e.Data);
        p.ErrorDataReceived += (_, e) => child.Append(child._stderr, e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return child;
    }

    public Task WaitForOutput(string text, TimeSpan deadline) =>
        Poll.Until(() => Stdout.Contains(text, StringComparison.Ordinal) || (HasExited && !Stdout.Contains(text, StringComparison.Ordinal) ? throw new InvalidOperationException($"process exited ({ExitCode}) before printing '{text}': {Stderr}") : false), deadline, $"output '{text}'");

    public async Task<int> WaitForExit(TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task WriteLine(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    /// <summary>SIGTERM, for graceful-shutdown checks.</summary>
    public void Terminate() => Signal(15);

    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            _ = SysKill(_process.Id, signal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private void Append(StringBuilder sb, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            sb.AppendLine(line);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);
}
