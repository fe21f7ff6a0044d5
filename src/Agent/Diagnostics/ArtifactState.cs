namespace Agent.Diagnostics;

/// <summary>Where a capture is.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(SnakeCaseEnumConverter<ArtifactState>))]
internal enum ArtifactState
{
    Running,
    Done,
    Failed,
}
