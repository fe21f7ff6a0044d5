using Agent.Common;

namespace Agent.Diagnostics;

/// <summary>Captures by target, kind, trigger and result (done, failed, refused) since start: <c>agent_diagnostics_captures_total</c>.</summary>
internal sealed class CaptureTotals : Totals<(string Target, string Kind, string Trigger, string Result)>
{
    public void Captured(string target, ArtifactKind kind, string trigger, string result) => Add((target, ArtifactStore.Name(kind), trigger, result), 1);
}
