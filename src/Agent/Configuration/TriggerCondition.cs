namespace Agent.Configuration;

/// <summary>The two kinds of condition a trigger can hold (a counter is compared as a rate in either).</summary>
internal enum TriggerCondition
{
    /// <summary>The value above <c>Above</c> for at least <c>For</c>.</summary>
    Above,

    /// <summary>The latest value minus the minimum within <c>Window</c> above <c>GrowthAbove</c> (the leak case).</summary>
    Growth,
}
