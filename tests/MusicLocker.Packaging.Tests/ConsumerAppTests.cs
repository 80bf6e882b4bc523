using System.Security.Cryptography;
using System.Text.Json;

namespace MusicLocker.Packaging.Tests;

/// <summary>
/// The proof that the packages work outside the solution: a fresh console app in a temp folder (outside the repository,
/// so none of its Directory.*.props apply) with its own nuget.config — the packed feed plus the package sources this
/// machine already uses — references only the <c>MusicLocker</c> package and runs upload → list → range read → delete
/// on the embedded default with a real MP3.
/// </summary>
public sealed class ConsumerAppTests(PackedSolution packed)
{
    private const string Fixture = "mp3/id3v23-full.mp3";

    private const string Program = """
        using System.Security.Cryptography;
        using System.Text;
        using MusicLocker;

        Console.OutputEncoding = Encoding.UTF8;
        string fixture = args[0];
        string folder = args[1];
        await using (ILocker locker = await Locker.OpenEmbeddedAsync(folder))
        {
            IUserLocker me = locker.ForUser("packaged");
            UploadResult uploaded = await me.Uploads.UploadFileAsync(fixture);
            Console.WriteLine($"uploaded|{uploaded.Outcome}|{uploaded.Track.SizeBytes}");

            var listed = new List<LockerTrack>();
            await foreach (LockerTrack track in me.Tracks.ListAsync())
            {
                listed.Add(track);
            }

            Console.WriteLine($"listed|{listed.Count}|{listed[0].Id == uploaded.Track.Id}|{listed[0].Tags.Title}|{listed[0].Tags.Artist}");

            await using (TrackContent part = await me.Downloads.OpenReadAsync(uploaded.Track.Id, offset: 100, length: 1000))
            {
                using var bytes = new MemoryStream();
                await part.Content.CopyToAsync(bytes);
                Console.WriteLine($"range|{part.Offset}|{part.Length}|{part.TotalLength}|{bytes.Length}|{Convert.ToHexString(SHA256.HashData(bytes.ToArray()))}");
            }

            int storedBefore = StoredBlobs(folder);
            await me.Tracks.DeleteAsync(uploaded.Track.Id);
            int left = 0;
            await foreach (LockerTrack _ in me.Tracks.ListAsync())
            {
                left++;
            }

            Console.WriteLine($"deleted|{left}|{storedBefore}|{StoredBlobs(folder)}");
        }

        Console.WriteLine($"assembly|{typeof(Locker).Assembly.Location}");

        // Blob files of the file-system store, outside the encryption layer's own .mlcrypto/ records (upload claims
        // stay until DeleteExpiredUploadClaimsAsync).
        static int StoredBlobs(string folder)
        {
            string objects = Path.Combine(folder, "objects");
            return Directory.EnumerateFiles(objects, "*.blob", SearchOption.AllDirectories)
                .Count(f => !Path.GetRelativePath(objects, f).Contains(".mlcrypto", StringComparison.Ordinal));
        }
        """;

    [Fact]
    public async Task A_fresh_console_app_restores_MusicLocker_from_the_packed_feed_and_uploads_lists_reads_a_range_and_deletes()
    {
        var ct = TestContext.Current.CancellationToken;
        var app = await FeedApp.CreateAsync(packed, "PackagedConsumer", ["MusicLocker"], ct);
        await File.WriteAllTextAsync(Path.Combine(app.Folder, "Program.cs"), Program, ct);
        var (buildExit, buildLog) = await app.BuildAsync(ct);
        Assert.True(buildExit == 0, $"the consumer app did not build from the packages:\n{DotnetCli.Tail(buildLog)}");

        // Every library the app resolved is a package (no project reference crept in), MusicLocker the feed's own bytes.
        using (var assets = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(app.Folder, "obj", "project.assets.json"), ct)))
        {
            var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().ToList();
            Assert.All(libraries, l => Assert.Equal("package", l.Value.GetProperty("type").GetString()));
            var ours = libraries.Select(l => l.Name.Split('/')[0]).Where(n => n == "MusicLocker" || n.StartsWith("MusicLocker.", StringComparison.Ordinal)).ToList();
            Assert.Contains("MusicLocker", ours);
            Assert.Contains("MusicLocker.Storage", ours);
            Assert.Contains("MusicLocker.Metadata.Sqlite", ours);
        }

        string facade = Path.Combine(app.Folder, "bin", "Release", "net10.0", "MusicLocker.dll");
        Assert.Equal(packed.Packages["MusicLocker"].ReadBytes("lib/net10.0/MusicLocker.dll"), await File.ReadAllBytesAsync(facade, ct));

        string fixture = Path.Combine(packed.RepositoryRoot, "tests", "fixtures", Fixture);
        string data = Path.Combine(packed.Scratch, "consumer-data");
        var (runExit, output) = await DotnetCli.RunAsync(
            app.Folder, [Path.Combine("bin", "Release", "net10.0", "PackagedConsumer.dll"), fixture, data], TimeSpan.FromMinutes(2), ct);
        Assert.True(runExit == 0, $"the consumer app failed:\n{output}");

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains('|', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('|', StringComparison.Ordinal)], l => l.Split('|')[1..]);
        byte[] original = await File.ReadAllBytesAsync(fixture, ct);
        Assert.Equal(["Stored", original.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)], lines["uploaded"]);
        Assert.Equal(["1", "True", "Héllo Wörld", "Test Artist"], lines["listed"]);
        string expectedHash = Convert.ToHexString(SHA256.HashData(original.AsSpan(100, 1000)));
        Assert.Equal(["100", "1000", original.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "1000", expectedHash], lines["range"]);
        // No track left, and every object the upload stored (the track, its derived objects) is gone from the folder.
        Assert.Equal("0", lines["deleted"][0]);
        Assert.True(int.Parse(lines["deleted"][1], System.Globalization.CultureInfo.InvariantCulture) >= 1, string.Join('|', lines["deleted"]));
        Assert.Equal("0", lines["deleted"][2]);
        Assert.Equal(Path.GetFullPath(facade), Path.GetFullPath(lines["assembly"][0]));
    }
}
