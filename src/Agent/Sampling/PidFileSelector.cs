using System.Globalization;

namespace Agent.Sampling;

internal sealed class PidFileSelector(string path) : TargetSelector
{
    public override string Description => $"pidfile={path}";

    public override Selection Select(SelectionContext context)
    {
        string text;
        try
        {
            // A pid file is a few bytes; anything much larger is not a pid file.
            using var stream = File.OpenRead(path);
            var buffer = new byte[64];
            var n = stream.Read(buffer);
            text = System.Text.Encoding.ASCII.GetString(buffer, 0, n).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Selection.NotFound($"pid file {path} is not readable ({e.GetType().Name})");
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            return Selection.NotFound($"pid file {path} does not hold a pid");
        }

        return context.Fs.Process(pid).Exists() ? Selection.Found(pid) : Selection.NotFound($"process {pid} from {path} does not exist");
    }
}
