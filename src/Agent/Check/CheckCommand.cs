using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Agent.Capabilities;
using Agent.Cli;
using Agent.Configuration;
using Agent.Probes;
using Agent.Procfs;
using Agent.Sampling;

namespace Agent.Check;

/// <summary>
/// <c>agent check</c>: with the configuration already loaded and validated, builds the same
/// services a normal start builds, but never starts the server or the background loops. Looks
/// once, concurrently, at the target (and what can be read of it), every probe and the listen
/// addresses, under one overall deadline that holds whatever a dependency does: a part still
/// running at the deadline is reported as unfinished and abandoned.
/// </summary>
internal static class CheckCommand
{
    /// <summary>Kept back from the deadline for building the report and printing it.</summary>
    private static readonly TimeSpan Reserve = TimeSpan.FromMilliseconds(300);

    public static async Task<int> RunAsync(WebApplicationBuilder builder, AgentSettings settings, Invocation invocation, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        var sinceStart = SinceProcessStart();
        var budget = invocation.Deadline - sinceStart - Reserve;
        if (budget < TimeSpan.FromMilliseconds(100))
        {
            budget = TimeSpan.FromMilliseconds(100);
        }

        var urls = ListenCheck.Urls(builder.Configuration, AgentServices.DefaultUrl);
        // The report is the output; a probe's failure log line would only repeat it.
        builder.AddAgentLogging();
        // A console rule beats appsettings.json's "Logging:LogLevel:Default" (a rule without a provider).
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Error);
        builder.Services.AddAgent(settings);
        // Never run and never disposed: disposing a client stuck on a blackhole could outlast the
        // deadline, and the process ends right after the report anyway.
        var app = builder.Build();
        // The parts are told to stop a little before the report is cut, so that what they found
        // until then (e.g. every readable file beside a hung federation URL) makes it in.
        using var stop = new CancellationTokenSource(budget - TimeSpan.FromMilliseconds(Math.Min(250, budget.TotalMilliseconds / 4)));

        // The plan first (one /proc scan), then what can be read of each chosen process, concurrently.
        var selection = Task.Run(() => TargetCheck.Run(settings.Targets, [.. AutoDiscovery.KnownProxies, .. settings.Targets.ExtraProxies], app.Services.GetRequiredService<ProcFs>(), Environment.ProcessId));
        var targets = Task.Run(async () =>
        {
            var (found, _) = await selection;
            return await Task.WhenAll(found.Select(f => Inspect(f, found, settings, stop.Token)));
        });
        var probes = settings.Probes.Select((definition, i) => Task.Run(() => RunProbe(app.Services.GetRequiredService<IReadOnlyList<ProbeRunner>>()[i], stop.Token))).ToList();
        var listen = urls.Select(u => Task.Run(() => ListenCheck.Check(u))).ToList();

        Task[] all = [targets, .. probes, .. listen];
        try
        {
            await Task.WhenAll(all).WaitAsync(budget);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Reported part by part below.
        }

        var (targetFindings, autoCandidates) = Targets(selection, targets, settings, invocation.Deadline);
        var probeFindings = settings.Probes.Select((d, i) => Finding(d, probes[i], invocation.Deadline)).ToList();
        var listenFindings = urls.Select((u, i) => listen[i].IsCompletedSuccessfully ? listen[i].Result : new ListenFinding(CheckStatus.Unfinished, u, Unfinished(listen[i], invocation.Deadline))).ToList();

        var report = Summarise(targetFindings, autoCandidates, probeFindings, listenFindings, invocation.Deadline, sinceStart + clock.Elapsed);
        if (invocation.Output == OutputFormat.Json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(report, CheckJsonContext.Default.CheckReport));
        }
        else
        {
            await output.WriteAsync(CheckReportWriter.Text(report));
        }

        await output.FlushAsync();
        return report.ExitCode;
    }

    /// <summary>A configuration error, reported in the chosen format on stdout too (exit 2).</summary>
    public static async Task<int> ConfigurationErrorAsync(ConfigurationException error, Invocation invocation, TextWriter output)
    {
        var report = new CheckReport(VersionInfo.Version, "configuration error", 2, [error.Message], [], [], [], [], [], invocation.Deadline.TotalSeconds, 0);
        await output.WriteAsync(invocation.Output == OutputFormat.Json
            ? JsonSerializer.Serialize(report, CheckJsonContext.Default.CheckReport) + Environment.NewLine
            : CheckReportWriter.Text(report));
        await output.FlushAsync();
        return 2;
    }

    /// <summary>What the agent can read of a finding's process, with that target's own federation endpoint.</summary>
    private static async Task<TargetFinding> Inspect(TargetFinding finding, IReadOnlyList<TargetFinding> all, AgentSettings settings, CancellationToken stop)
    {
        if (finding.Pid is not { } pid)
        {
            return finding;
        }

        // The running agent's rule: Runtime:MetricsUrl belongs to the primary target (app, else the first by name).
        var primary = all.Any(f => f.Target == TargetNames.Default) ? TargetNames.Default : all.Select(f => f.Target).Order(StringComparer.Ordinal).FirstOrDefault();
        var endpoint = settings.Federation.FirstOrDefault(e => e.Key == finding.Target)
            ?? (finding.Target == primary ? settings.Federation.FirstOrDefault(e => e.Key == FederationEndpoint.PrimaryKey) : null);
        var report = await CapabilityInspector.InspectAsync(settings.Sampling.ProcRoot, pid, settings, stop, endpoint);
        // Only a session shows another tool holding the runtime's metrics source: check opens one as the
        // agent would — after the rest is known, and never past the deadline (then the entry is left out).
        if (!stop.IsCancellationRequested && await DotnetCountersCheck.CheckAsync(new ProcFs(settings.Sampling.ProcRoot).Process(pid), settings.Runtime, settings.Sampling.Interval, stop) is { } counters)
        {
            report = report with { Items = [.. report.Items, counters] };
        }

        return finding with { Capabilities = report };
    }

    /// <summary>The findings as far as they got: a plan that did not finish names each target of the configuration.</summary>
    private static (IReadOnlyList<TargetFinding> Targets, IReadOnlyList<CheckCandidate> Auto) Targets(
        Task<(List<TargetFinding> Targets, List<CheckCandidate> AutoCandidates)> selection, Task<TargetFinding[]> inspected, AgentSettings settings, TimeSpan deadline)
    {
        if (inspected.IsCompletedSuccessfully)
        {
            return (inspected.Result, selection.Result.AutoCandidates);
        }

        if (selection.IsCompletedSuccessfully)
        {
            var late = Unfinished(inspected, deadline);
            return (selection.Result.Targets.Select(f => f.Pid is null ? f : f with { Status = CheckStatus.Unfinished, Explanation = $"{f.Explanation}; reading it {late}" }).ToList(), selection.Result.AutoCandidates);
        }

        var why = Unfinished(selection, deadline);
        var planned = settings.Targets.Targets.Select(t => new TargetFinding(CheckStatus.Unfinished, t.Name, t.Required, TargetSelectorFactory.Create(t.Selector).Description, null, null, why, []));
        return ([.. planned, .. settings.Targets.Auto ? [new TargetFinding(CheckStatus.Unfinished, "auto", true, "auto", null, null, why, [])] : Array.Empty<TargetFinding>()], []);
    }

    /// <summary>
    /// One run; after a timeout, up to two more, each once the previous call has ended. A fresh
    /// process pays one-time costs on its first calls (JIT of the client library, connection
    /// setup: 0.5 s and more for StackExchange.Redis on a loaded 2-core machine) that the running
    /// agent pays once at startup; a dependency that really hangs times out every time.
    /// </summary>
    private static async Task<(ProbeResult Result, int TimedOutBefore, TimeSpan FirstDuration)> RunProbe(ProbeRunner runner, CancellationToken stop)
    {
        const int MaxRuns = 3;
        var result = await runner.RunOnceAsync(stop);
        var first = result.Duration;
        var timedOut = 0;
        while (!result.Outcome.Healthy && result.Outcome.Reason == FailureReason.Timeout && timedOut + 1 < MaxRuns)
        {
            timedOut++;
            while (runner.CheckInFlight)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), stop);
            }

            result = await runner.RunOnceAsync(stop);
        }

        return (result, timedOut, first);
    }

    private static ProbeFinding Finding(ProbeDefinition d, Task<(ProbeResult Result, int TimedOutBefore, TimeSpan FirstDuration)> run, TimeSpan deadline)
    {
        if (!run.IsCompletedSuccessfully)
        {
            return new(CheckStatus.Unfinished, d.Name, d.KindLabel, d.Critical, FailureReason.Timeout.Label(), Unfinished(run, deadline), deadline.TotalSeconds);
        }

        var (r, timedOutBefore, first) = run.Result;
        var status = r.Outcome.Healthy ? CheckStatus.Ok : d.Critical ? CheckStatus.Failed : CheckStatus.Warning;
        var description = timedOutBefore == 0
            ? r.Outcome.Description
            : string.Create(CultureInfo.InvariantCulture, $"{r.Outcome.Description} (run {timedOutBefore + 1}: the first timed out after {first.TotalMilliseconds:0} ms, as a fresh client's first calls may)");
        return new(status, d.Name, d.KindLabel, d.Critical, r.Outcome.Reason?.Label(), description, r.Duration.TotalSeconds);
    }

    private static string Unfinished(Task task, TimeSpan deadline) => task.IsFaulted
        ? $"failed: {task.Exception!.InnerException!.GetType().Name}"
        : string.Create(CultureInfo.InvariantCulture, $"did not finish within the check's deadline ({deadline.TotalSeconds:0.#} s)");

    private static CheckReport Summarise(IReadOnlyList<TargetFinding> targets, IReadOnlyList<CheckCandidate> autoCandidates, List<ProbeFinding> probes, List<ListenFinding> listen, TimeSpan deadline, TimeSpan elapsed)
    {
        var problems = new List<string>();
        var warnings = new List<string>();
        foreach (var t in targets)
        {
            // As /ready: an optional target (Required=false, a mesh proxy) that is missing only warns.
            var list = t.Required ? problems : warnings;
            if (t.Status != CheckStatus.Ok)
            {
                list.Add($"target {t.Target} ({t.Selector}): {t.Explanation}");
            }

            foreach (var c in t.Capabilities?.Unavailable ?? [])
            {
                // An opt-in the application has not made (the Python hook) is advice, not a failure.
                (c.OptIn == true ? warnings : list).Add(string.Create(CultureInfo.InvariantCulture, $"target {t.Target}: cannot use {c.Name} of pid {t.Capabilities!.Pid}: {c.Detail}{(c.OptIn == true ? "; to enable it: " + c.Fix : "")}"));
            }
        }

        foreach (var p in probes)
        {
            var line = $"probe {p.Name} ({p.Kind}): {p.Text}";
            (p.Status is CheckStatus.Warning ? warnings : p.Status is CheckStatus.Ok ? null : problems)?.Add(line);
        }

        foreach (var l in listen.Where(l => l.Status != CheckStatus.Ok))
        {
            problems.Add($"listen {l.Url}: {l.Detail}");
        }

        var exit = problems.Count == 0 ? 0 : 1;
        return new CheckReport(VersionInfo.Version, exit == 0 ? "ok" : "problems", exit, problems, warnings, targets, autoCandidates, probes, listen, deadline.TotalSeconds, elapsed.TotalSeconds);
    }

    private static TimeSpan SinceProcessStart()
    {
        using var self = Process.GetCurrentProcess();
        var since = DateTime.Now - self.StartTime;
        return since < TimeSpan.Zero ? TimeSpan.Zero : since;
    }
}
