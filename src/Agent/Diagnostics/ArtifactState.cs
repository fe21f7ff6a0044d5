namespace Agent.Diagnostics;

/// <summary>Where a capture is.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(SnakeCaseEnumConverter<ArtifactState>))]
internal enum ArtifactState
{
    Running,
    Done,
    Failed,

    /// <summary>Done, but its file is gone from the directory (deleted outside the agent): nothing to download.</summary>
    Missing,
}
