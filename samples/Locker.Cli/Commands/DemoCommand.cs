using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using Locker.Cli.Cli;
using MusicLocker;

namespace Locker.Cli.Commands;

/// <summary>
/// <c>demo</c>: the main job on the embedded default (one folder: file-system objects, SQLite catalog, local key ring,
/// encrypted) through the <c>MusicLocker</c> facade — upload an MP3, list it, read a range from its middle, download it
/// and check it byte for byte. Uses FILE when given, otherwise generates a sample MP3 (ffmpeg or lame when installed,
/// else a built-in one).
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo?>("file") { Description = "An MP3/AAC/M4A file to upload (default: a generated sample MP3).", DefaultValueFactory = _ => null };
        var sample = new Option<string>("--sample") { Description = "How to make the sample: auto, ffmpeg, lame or builtin.", DefaultValueFactory = _ => "auto" };
        sample.AcceptOnlyFromAmong("auto", "ffmpeg", "lame", "builtin");
        var command = new Command("demo", "Upload an MP3 into the locker, list it, read a range, download it and check every byte.") { file, sample };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, context => RunAsync(context, parse.GetValue(file), parse.GetValue(sample)!, ct)));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, FileInfo? given, string generator, CancellationToken ct)
    {
        var rootDir = new DirectoryInfo(Path.GetFullPath(context.Settings.Root));
        FileInfo source;
        if (given is null)
        {
            var (generated, by) = await SampleMp3.WriteAsync(rootDir, generator, ct);
            source = generated;
            Console.WriteLine($"sample        : {source.FullName} ({source.Length:N0} bytes, made by {by})");
        }
        else
        {
            source = given;
        }

        await using var opened = await context.OpenAsync(create: true, ct);
        Console.WriteLine($"locker        : {rootDir.FullName} (storage {context.Settings.Storage}, catalog {context.Settings.Metadata}{(context.Settings.Encrypt ? ", encrypted" : string.Empty)}); user '{context.Settings.User}'");
        var user = opened.User;

        var clock = Stopwatch.StartNew();
        var upload = await user.Uploads.UploadFileAsync(source.FullName, cancellationToken: ct);
        var track = upload.Track;
        Console.WriteLine($"uploaded      : {upload.Outcome}: \"{track.Tags.Title}\" by {track.Tags.Artist ?? "?"}, {track.Duration:m\\:ss\\.fff}, {track.SizeBytes:N0} bytes, {track.Codec} {track.BitrateKbps} kbit/s ({clock.ElapsedMilliseconds} ms)");

        int listed = 0;
        await foreach (var item in user.Tracks.ListAsync(cancellationToken: ct))
        {
            listed++;
            if (item.Id == track.Id)
            {
                Console.WriteLine($"listed        : {item.Id} \"{item.Tags.Title}\" ({listed} in the locker so far)");
            }
        }

        Check(listed > 0, "the track is not listed");
        byte[] original = await File.ReadAllBytesAsync(source.FullName, ct);
        Check(track.SizeBytes == original.Length, "the catalogued size differs from the file");

        long offset = original.Length / 2;
        int length = (int)Math.Min(64 * 1024, original.Length - offset);
        await using (var range = await user.Downloads.OpenReadAsync(track.Id, offset, length, ct))
        {
            var slice = new byte[length];
            await range.Content.ReadExactlyAsync(slice, ct);
            Check(slice.AsSpan().SequenceEqual(original.AsSpan((int)offset, length)), "the ranged read differs from the file");
        }

        Console.WriteLine($"ranged read   : bytes {offset:N0}-{offset + length - 1:N0} of the middle match");

        clock.Restart();
        var downloaded = new MemoryStream();
        await user.Downloads.DownloadToAsync(track.Id, downloaded, cancellationToken: ct);
        Check(downloaded.ToArray().AsSpan().SequenceEqual(original), "the download differs from the file");
        Console.WriteLine($"downloaded    : {downloaded.Length:N0} bytes, byte for byte identical, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(original))} ({clock.ElapsedMilliseconds} ms)");
        Console.WriteLine("ok");
        return CliExit.Ok;
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new CliException(CliExit.Failed, "demo failed: " + what);
        }
    }
}
