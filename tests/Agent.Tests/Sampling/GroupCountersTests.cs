using Agent.Sampling;

namespace Agent.Tests.Sampling;

public class GroupCountersTests
{
    private static CounterValues Cpu(double user) => new(user, 0, 0, 0, 0, 0, 0, 0);

    [Fact]
    public void A_departed_member_keeps_contributing_so_the_sum_never_falls()
    {
        var g = new GroupCounters();
        var root = new ProcessIdentity(10, 1);
        var worker = new ProcessIdentity(11, 2);

        g.Begin();
        g.Observe(root, Cpu(1));
        g.Observe(worker, Cpu(5));
        Assert.Equal(6, g.Total().CpuUser);

        g.Begin();
        g.Observe(root, Cpu(2)); // worker exited
        Assert.Equal(7, g.Total().CpuUser);

        var replacement = new ProcessIdentity(11, 99); // same pid, new process
        g.Begin();
        g.Observe(root, Cpu(3));
        g.Observe(replacement, Cpu(0.5));
        Assert.Equal(8.5, g.Total().CpuUser);
    }

    [Fact]
    public void Reset_forgets_everything()
    {
        var g = new GroupCounters();
        g.Begin();
        g.Observe(new ProcessIdentity(1, 1), Cpu(4));
        _ = g.Total();

        g.Reset();
        g.Begin();
        g.Observe(new ProcessIdentity(2, 2), Cpu(1));

        Assert.Equal(1, g.Total().CpuUser);
    }
}
