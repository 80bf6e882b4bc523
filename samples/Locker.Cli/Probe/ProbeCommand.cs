using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MusicLocker.Media;

namespace Locker.Cli.Probe;

/// <summary>
/// <c>locker probe [--json] FILE...</c>: what each file is (format, exact duration, tags, cover art), or why a music
/// locker refuses it. Exit code 0 when every file is accepted, 1 when any is refused or unreadable.
/// </summary>
internal static class ProbeCommand
{
    // Tags are text in any language: print them as they are (valid JSON), not as \u escapes.
    private static readonly ProbeJsonContext Json = new(new JsonSerializerOptions(ProbeJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    internal static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON array (camelCase), an object per file." };
        var files = new Argument<FileInfo[]>("file") { Description = "MP3, AAC (ADTS) or MP4/M4A files.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("probe", "Detect and parse audio files: format, exact duration, tags and cover art, or why one is refused.") { json, files };
        command.SetAction(async (parse, ct) =>
        {
            var prober = new MediaProber();
            var results = new List<ProbeResult>();
            foreach (var file in parse.GetValue(files) ?? [])
            {
                results.Add(await ProbeAsync(prober, file, ct));
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(results, Json.ListProbeResult));
            }
            else
            {
                PrintTable(results);
            }

            return results.TrueForAll(r => r.Ok) ? 0 : 1;
        });
        return command;
    }

    private static async Task<ProbeResult> ProbeAsync(MediaProber prober, FileInfo file, CancellationToken ct)
    {
        try
        {
            var info = await prober.ProbeFileAsync(file.FullName, ct);
            var t = info.Tags;
            return new ProbeResult
            {
                Path = file.ToString(),
                Ok = true,
                Container = info.Container.ToString().ToLowerInvariant(),
                Codec = info.Codec.ToString().ToLowerInvariant(),
                Profile = info.CodecProfile,
                DurationSeconds = Math.Round(info.DurationSeconds, 6),
                SampleRate = info.SampleRate,
                Channels = info.Channels,
                BitrateKbps = info.BitrateKbps,
                FrameCount = info.FrameCount,
                Vbr = info.IsVbr,
                EncoderDelay = info.EncoderDelay,
                EncoderPadding = info.EncoderPadding,
                FastStart = info.FastStart,
                Tags = t.IsEmpty ? null : new ProbeTags(t.Title, t.Artist, t.AlbumArtist, t.Album, t.TrackNumber, t.TrackCount, t.DiscNumber, t.DiscCount, t.Year, t.Genre, t.Comment),
                CoverArt = info.CoverArt is { } c ? new ProbeCoverArt(c.MimeType, c.Length) : null,
                Warnings = info.Warnings.Count == 0 ? null : info.Warnings.Select(w => w.ToString()).ToList(),
            };
        }
        catch (MediaFormatException e)
        {
            // Bad content and a file that cannot be read (NotFound, Unreadable) alike: the prober names the path and the reason.
            return new ProbeResult { Path = file.ToString(), Ok = false, Error = new ProbeError(e.ErrorCode.ToString(), e.Message) };
        }
    }

    private static void PrintTable(List<ProbeResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"{"file",-40} {"format",-10} {"duration",10} {"rate",6} {"ch",2} {"kbps",5} {"frames",7}  title / error");
        foreach (var r in results)
        {
            string name = r.Path.Length > 40 ? "…" + r.Path[^39..] : r.Path;
            if (!r.Ok)
            {
                Console.WriteLine($"{name,-40} {"refused",-10} {string.Empty,10} {string.Empty,6} {string.Empty,2} {string.Empty,5} {string.Empty,7}  {r.Error!.Code}: {r.Error.Message}");
                continue;
            }

            string format = $"{r.Container}/{r.Codec}{(r.Vbr == true ? "~" : string.Empty)}";
            string duration = TimeSpan.FromSeconds(r.DurationSeconds ?? 0).ToString(@"m\:ss\.fff", inv);
            string title = r.Tags is { } t ? string.Join(" — ", new[] { t.Artist, t.Title }.Where(s => s is not null)) : string.Empty;
            Console.WriteLine(string.Create(inv, $"{name,-40} {format,-10} {duration,10} {r.SampleRate,6} {r.Channels,2} {r.BitrateKbps,5} {r.FrameCount,7}  {title}"));
        }
    }
}
