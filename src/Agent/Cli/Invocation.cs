using System.Globalization;
using Agent.Configuration;

namespace Agent.Cli;

/// <summary>
/// The command line split into the agent's own command and options and the rest, which is
/// configuration for ASP.NET Core's command-line provider (<c>--Target:Pid=1</c>,
/// <c>--urls http://...</c>, <c>Target:Pid=1</c>). Only the first argument can be a command, so
/// configuration values never collide with command names.
/// </summary>
/// <param name="HookDirectory"><c>agent python-hook --install DIR</c>: where to write the hook; null prints it.</param>
internal sealed record Invocation(AgentCommand Command, string[] ConfigurationArgs, OutputFormat Output, TimeSpan Deadline, string? HookDirectory = null)
{
    /// <summary>How long <c>agent check</c> may take in all, unless <c>--deadline</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Parses the arguments; a bad option throws <see cref="ConfigurationException"/> naming it (exit 2).</summary>
    public static Invocation Parse(string[] args)
    {
        if (args.Length > 0 && args[0] is "--help" or "-h" or "help")
        {
            return new(AgentCommand.Help, [], OutputFormat.Text, DefaultDeadline);
        }

        if (args.Length > 0 && args[0] is "--version")
        {
            return new(AgentCommand.Version, [], OutputFormat.Text, DefaultDeadline);
        }

        if (args.Length > 0 && args[0] == "python-hook")
        {
            return ParsePythonHook(args);
        }

        if (args.Length == 0 || args[0] != "check")
        {
            // --help or --version later on the line still mean help: nobody wants a server then.
            if (args.Any(a => a is "--help" or "-h"))
            {
                return new(AgentCommand.Help, [], OutputFormat.Text, DefaultDeadline);
            }

            if (args.Any(a => a is "--version"))
            {
                return new(AgentCommand.Version, [], OutputFormat.Text, DefaultDeadline);
            }

            if (args.Length > 0 && !args[0].StartsWith('-') && !args[0].StartsWith('/') && !args[0].Contains('=', StringComparison.Ordinal))
            {
                throw new ConfigurationException(args[0], "unknown command; the commands are check, python-hook, --help and --version (configuration is --Section:Key=value)");
            }

            return new(AgentCommand.Run, args, OutputFormat.Text, DefaultDeadline);
        }

        var output = OutputFormat.Text;
        var deadline = DefaultDeadline;
        var rest = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            var (name, inline) = Split(args[i]);
            switch (name)
            {
                case "--help" or "-h":
                    return new(AgentCommand.Help, [], OutputFormat.Text, DefaultDeadline);
                case "--output" or "-o":
                    output = (inline ?? Next(args, ref i, name)) switch
                    {
                        "text" => OutputFormat.Text,
                        "json" => OutputFormat.Json,
                        _ => throw new ConfigurationException(name, "must be text or json"),
                    };
                    break;
                case "--deadline":
                    deadline = ParseDeadline(inline ?? Next(args, ref i, name));
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        return new(AgentCommand.Check, [.. rest], output, deadline);
    }

    /// <summary><c>agent python-hook</c> prints the hook; <c>--install DIR</c> writes it with its sitecustomize.py.</summary>
    private static Invocation ParsePythonHook(string[] args)
    {
        string? directory = null;
        for (var i = 1; i < args.Length; i++)
        {
            var (name, inline) = Split(args[i]);
            directory = name switch
            {
                "--install" => inline ?? Next(args, ref i, name),
                _ => throw new ConfigurationException(args[i], "unknown option of python-hook; usage: agent python-hook [--install DIR]"),
            };
            if (!Path.IsPathRooted(directory))
            {
                throw new ConfigurationException("--install", "must be an absolute directory path");
            }
        }

        return new(AgentCommand.PythonHook, [], OutputFormat.Text, DefaultDeadline, directory);
    }

    private static (string Name, string? Inline) Split(string arg)
    {
        if (!arg.StartsWith('-'))
        {
            return (arg, null);
        }

        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? (arg, null) : (arg[..eq], arg[(eq + 1)..]);
    }

    private static string Next(string[] args, ref int i, string name) =>
        ++i < args.Length ? args[i] : throw new ConfigurationException(name, "needs a value");

    /// <summary><c>10</c>, <c>10s</c>, <c>500ms</c> or <c>00:00:10</c>; between 100 ms and 5 minutes.</summary>
    private static TimeSpan ParseDeadline(string text)
    {
        TimeSpan? value = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) && double.TryParse(text[..^2], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) => TimeSpan.FromMilliseconds(ms),
            _ when text.EndsWith('s') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) => TimeSpan.FromSeconds(s),
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) => TimeSpan.FromSeconds(s),
            _ when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var t) => t,
            _ => null,
        };
        if (value is not { } v || v < TimeSpan.FromMilliseconds(100) || v > TimeSpan.FromMinutes(5))
        {
            throw new ConfigurationException("--deadline", "must be a duration between 100ms and 5 minutes, e.g. 10s or 00:00:10");
        }

        return v;
    }
}
