using Agent.Cli;
using Agent.Configuration;

namespace Agent.Tests.Cli;

public class InvocationTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--Target:Pid=1 --help")]
    [InlineData("check --help")]
    public void Help_wins_wherever_it_is(string line) =>
        Assert.Equal(AgentCommand.Help, Invocation.Parse(line.Split(' ')).Command);

    [Fact]
    public void Version_is_a_command()
    {
        Assert.Equal(AgentCommand.Version, Invocation.Parse(["--version"]).Command);
        Assert.Equal(AgentCommand.Version, Invocation.Parse(["--urls", "http://127.0.0.1:1", "--version"]).Command);
    }

    [Fact]
    public void Configuration_is_passed_on_untouched_for_a_normal_start()
    {
        string[] args = ["--Target:Pid=1", "--urls", "http://127.0.0.1:9", "Sampling:Interval=00:00:02"];

        var i = Invocation.Parse(args);

        Assert.Equal(AgentCommand.Run, i.Command);
        Assert.Equal(args, i.ConfigurationArgs);
        Assert.Equal(AgentCommand.Run, Invocation.Parse([]).Command);
    }

    [Fact]
    public void Check_takes_its_own_options_out_of_the_configuration()
    {
        var i = Invocation.Parse(["check", "--Target:Pid=1", "--output", "json", "--deadline=2.5s", "--urls", "http://127.0.0.1:9"]);

        Assert.Equal(AgentCommand.Check, i.Command);
        Assert.Equal(OutputFormat.Json, i.Output);
        Assert.Equal(TimeSpan.FromSeconds(2.5), i.Deadline);
        Assert.Equal(["--Target:Pid=1", "--urls", "http://127.0.0.1:9"], i.ConfigurationArgs);
    }

    [Theory]
    [InlineData("10", 10_000)]
    [InlineData("750ms", 750)]
    [InlineData("00:00:03", 3_000)]
    public void Deadline_forms(string text, int ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), Invocation.Parse(["check", "--deadline", text]).Deadline);

    [Fact]
    public void Default_deadline_is_ten_seconds_and_text_output() =>
        Assert.Equal((TimeSpan.FromSeconds(10), OutputFormat.Text), (Invocation.Parse(["check"]).Deadline, Invocation.Parse(["check"]).Output));

    [Fact]
    public void Python_hook_prints_or_installs_into_an_absolute_directory()
    {
        Assert.Equal((AgentCommand.PythonHook, (string?)null), (Invocation.Parse(["python-hook"]).Command, Invocation.Parse(["python-hook"]).HookDirectory));
        Assert.Equal("/srv/hook", Invocation.Parse(["python-hook", "--install", "/srv/hook"]).HookDirectory);
        Assert.Equal("/srv/hook", Invocation.Parse(["python-hook", "--install=/srv/hook"]).HookDirectory);
    }

    [Theory]
    [InlineData("python-hook --install", "--install")]
    [InlineData("python-hook --install relative", "--install")]
    [InlineData("python-hook --print", "--print")]
    [InlineData("check --output yaml", "--output")]
    [InlineData("check --output", "--output")]
    [InlineData("check --deadline 0", "--deadline")]
    [InlineData("check --deadline soon", "--deadline")]
    [InlineData("chek", "chek")]
    public void Bad_options_and_unknown_commands_name_themselves(string line, string named)
    {
        var e = Assert.Throws<ConfigurationException>(() => Invocation.Parse(line.Split(' ')));

        Assert.Equal(named, e.Key);
    }
}
