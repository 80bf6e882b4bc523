using System.IO.Compression;
using System.Text.Json;
using MusicLocker.Internal.Export;
using MusicLocker.Metadata;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>Export: originals byte for byte, M3U8 playlists, JSON catalog and history, to a folder or a non-seekable ZIP stream.</summary>
public sealed class ExportTests : FileSystemLockerTest
{

    [Fact]
    public async Task A_zip_export_to_a_stream_that_cannot_seek_holds_the_originals_stored_the_playlists_and_the_json()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        string[] files = [AudioFiles.Mp3("big-cover.mp3"), AudioFiles.M4a("moov-at-end.m4a"), AudioFiles.Aac("lc-44k-stereo.aac")];
        var tracks = new List<LockerTrack>();
        foreach (string file in files)
        {
            tracks.Add((await alice.Uploads.UploadFileAsync(file, cancellationToken: ct)).Track);
        }

        var playlist = await alice.Playlists.CreateAsync("Road trip", ct);
        await alice.Playlists.AddTracksAsync(playlist.Id, [tracks[1].Id, tracks[0].Id], cancellationToken: ct);
        await alice.History.RecordPlayAsync(tracks[0].Id, ct);
        await alice.History.RecordPlayAsync(tracks[2].Id, ct);

        var sink = new MemoryStream();
        var progress = new List<ExportProgress>();
        var result = await alice.Account.ExportToZipAsync(new ForwardOnlyWriteStream(sink), new SyncExportProgress(progress.Add), ct);

        Assert.Equal(new ExportResult(3, 1, 2, files.Sum(f => new FileInfo(f).Length)), result);
        Assert.Equal(3, progress[^1].TracksDone);
        Assert.All(progress, p => Assert.Equal(3, p.TracksTotal));

        using var zip = new ZipArchive(new MemoryStream(sink.ToArray()), ZipArchiveMode.Read);
        using var catalog = JsonDocument.Parse(zip.GetEntry("catalog.json")!.Open());
        var exported = catalog.RootElement.GetProperty("tracks").EnumerateArray().ToList();
        Assert.Equal(1, catalog.RootElement.GetProperty("formatVersion").GetInt32());
        Assert.Equal("alice", catalog.RootElement.GetProperty("userId").GetString());
        Assert.Equal(3, exported.Count);
        foreach (var (track, path) in tracks.Zip(files))
        {
            var json = exported.Single(t => t.GetProperty("id").GetGuid() == track.Id);
            var entry = zip.GetEntry(json.GetProperty("file").GetString()!)!;
            Assert.Equal(entry.Length, entry.CompressedLength); // stored, not deflated
            Assert.Equal(await File.ReadAllBytesAsync(path, ct), await ReadAllAsync(entry));
            Assert.Equal(track.ContentHash, json.GetProperty("contentSha256").GetString());
            Assert.Equal(track.SizeBytes, json.GetProperty("sizeBytes").GetInt64());
            Assert.Equal((long)track.Duration.TotalMilliseconds, json.GetProperty("durationMs").GetInt64());
        }

        // The playlist: #EXTINF with whole seconds and "artist - title", then a path relative to the playlist's folder.
        var m3u = (await new StreamReader(zip.GetEntry("playlists/Road trip.m3u8")!.Open()).ReadToEndAsync(ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("#EXTM3U", m3u[0]);
        Assert.Equal(5, m3u.Length);
        foreach (var (line, track) in new[] { (1, tracks[1]), (3, tracks[0]) })
        {
            string title = track.Tags.Artist is { } artist ? artist + " - " + track.Tags.Title : track.Tags.Title;
            Assert.Equal($"#EXTINF:{Math.Round(track.Duration.TotalSeconds, MidpointRounding.AwayFromZero)},{title}", m3u[line]);
            Assert.StartsWith("../music/", m3u[line + 1], StringComparison.Ordinal);
            Assert.NotNull(zip.GetEntry(m3u[line + 1][3..]));
        }

        var exportedPlaylist = Assert.Single(catalog.RootElement.GetProperty("playlists").EnumerateArray());
        Assert.Equal([tracks[1].Id, tracks[0].Id], exportedPlaylist.GetProperty("trackIds").EnumerateArray().Select(e => e.GetGuid()));

        using var history = JsonDocument.Parse(zip.GetEntry("history.json")!.Open());
        var plays = history.RootElement.GetProperty("plays").EnumerateArray().Select(p => p.GetProperty("trackId").GetGuid()).ToList();
        Assert.Equal([tracks[0].Id, tracks[2].Id], plays);
        Assert.True(history.RootElement.GetProperty("historyEnabled").GetBoolean());
    }

    [Fact]
    public async Task Hostile_tags_become_safe_unique_names_inside_the_export_folder()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        string[] files = [AudioFiles.Mp3("big-cover.mp3"), AudioFiles.Aac("lc-44k-stereo.aac"), AudioFiles.Aac("lc-22k-mono.aac"), AudioFiles.M4a("moov-at-end.m4a"), AudioFiles.Mp3("vbr-noheader.mp3"), AudioFiles.Mp3("vbri.mp3")];
        TrackTags[] hostile =
        [
            new("../../../escape", "..\\..\\win"),
            new("CON"),
            new(".hidden"),
            new(new string('x', 400)),
            new("same"),
            new("SAME"),
        ];
        foreach (var (file, tags) in files.Zip(hostile))
        {
            var track = (await alice.Uploads.UploadFileAsync(file, cancellationToken: ct)).Track;
            await alice.Tracks.UpdateTagsAsync(track.Id, tags, ct);
        }

        var playlist = await alice.Playlists.CreateAsync("../../pl", ct);
        string target = Path.Combine(FolderPath, "export");
        await alice.Account.ExportToFolderAsync(target, cancellationToken: ct);

        // "same" and "SAME" clash ignoring case: whichever comes first keeps the name, the other is numbered.
        var written = Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(target, p).Replace('\\', '/'))
            .Select(p => p.StartsWith("music/same", StringComparison.OrdinalIgnoreCase) ? p.ToLowerInvariant() : p)
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            new[]
            {
                "catalog.json", "history.json",
                "music/_.._win - .._.._.._escape.mp3", "music/same (2).mp3", "music/_CON.aac", "music/hidden.aac",
                "music/same.mp3", "music/" + new string('x', ExportNames.MaxStemLength) + ".m4a",
                "playlists/_.._pl.m3u8",
            }.Order(StringComparer.Ordinal),
            written);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(FolderPath), p => p != target && !IsTestPart(p));
    }

    [Theory]
    [InlineData("../../etc/passwd", "_.._etc_passwd")]
    [InlineData("..", "Track")]
    [InlineData(" . ", "Track")]
    [InlineData("a\0b\nc", "a_b_c")]
    [InlineData("NUL", "_NUL")]
    [InlineData("nul.txt", "_nul.txt")]
    [InlineData("COM1 ", "_COM1")]
    [InlineData("LPT9.x", "_LPT9.x")]
    [InlineData("CONSOLE", "CONSOLE")]
    [InlineData("a<b>c:d\"e|f?g*h", "a_b_c_d_e_f_g_h")]
    [InlineData("trailing. . ", "trailing")]
    [InlineData("", "Track")]
    [InlineData(null, "Track")]
    public void Sanitize_makes_one_safe_segment(string? input, string expected) => Assert.Equal(expected, ExportNames.Sanitize(input, "Track"));

    [Fact]
    public void Long_names_are_cut_without_splitting_a_surrogate_pair_and_clashes_are_numbered_ignoring_case()
    {
        string emoji = "\U0001F3B5";
        string cut = ExportNames.Sanitize(new string('a', ExportNames.MaxStemLength - 1) + emoji + "tail", "Track");
        Assert.Equal(new string('a', ExportNames.MaxStemLength - 1), cut);
        Assert.Equal("x_y", ExportNames.Sanitize("x\uD800y", "Track")); // a lone surrogate

        var names = new ExportNames();
        Assert.Equal("Song.mp3", names.Claim("Song", "Track", ".mp3"));
        Assert.Equal("song (2).mp3", names.Claim("song", "Track", ".mp3"));
        Assert.Equal("SONG (3).mp3", names.Claim("SONG", "Track", ".mp3"));
        Assert.Equal("Track.mp3", names.Claim(" ", "Track", ".mp3"));
    }

    [Fact]
    public async Task An_export_holds_nothing_of_another_user()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        var bob = Test.Locker.ForUser("bob");
        var mine = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct)).Track;
        var theirs = (await bob.Uploads.UploadFileAsync(AudioFiles.Mp3("vbr-noheader.mp3"), cancellationToken: ct)).Track;
        var bobList = await bob.Playlists.CreateAsync("bob's", ct);
        await bob.Playlists.AddTracksAsync(bobList.Id, [theirs.Id], cancellationToken: ct);
        await bob.History.RecordPlayAsync(theirs.Id, ct);

        var sink = new MemoryStream();
        var result = await alice.Account.ExportToZipAsync(sink, cancellationToken: ct);

        Assert.Equal(new ExportResult(1, 0, 0, mine.SizeBytes), result);
        using var zip = new ZipArchive(new MemoryStream(sink.ToArray()), ZipArchiveMode.Read);
        Assert.Equal(["catalog.json", "history.json", "music/" + ZipName(mine)], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        string text = string.Concat(zip.Entries.Where(e => e.FullName.EndsWith(".json", StringComparison.Ordinal)).Select(e => new StreamReader(e.Open()).ReadToEnd()));
        Assert.DoesNotContain(theirs.Id.ToString(), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("bob", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_stops_when_cancelled_and_refuses_a_folder_that_is_not_empty()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
        await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("vbr-noheader.mp3"), cancellationToken: ct);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        int reports = 0;
        var progress = new SyncExportProgress(_ =>
        {
            reports++;
            cts.Cancel();
        });
        var partial = new MemoryStream();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => alice.Account.ExportToZipAsync(partial, progress, cts.Token));
        Assert.Equal(1, reports);
        Assert.True(partial.Length > 0);
        Assert.Throws<InvalidDataException>(() => new ZipArchive(new MemoryStream(partial.ToArray()), ZipArchiveMode.Read)); // no central directory: never mistaken for a whole export

        string target = Path.Combine(FolderPath, "full");
        Directory.CreateDirectory(target);
        await File.WriteAllTextAsync(Path.Combine(target, "keep.txt"), "mine", ct);
        var error = await Assert.ThrowsAsync<LockerException>(() => alice.Account.ExportToFolderAsync(target, cancellationToken: ct));
        Assert.Equal(LockerErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Equal("mine", await File.ReadAllTextAsync(Path.Combine(target, "keep.txt"), ct));
    }

    [Fact]
    public async Task A_stream_that_fails_is_a_typed_error()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
        var error = await Assert.ThrowsAsync<LockerException>(() => alice.Account.ExportToZipAsync(new ForwardOnlyWriteStream(new MemoryStream(), failAfter: 10_000), cancellationToken: ct));
        Assert.Equal(LockerErrorCode.DestinationUnwritable, error.ErrorCode);
    }

    private static string ZipName(LockerTrack track) => ExportNames.Sanitize(track.Tags.Artist is { } a ? a + " - " + track.Tags.Title : track.Tags.Title, "Track") + ".mp3";

    private static bool IsTestPart(string path) => Path.GetFileName(path) is "blobs" or "keyring.json" || Path.GetFileName(path).StartsWith("locker.db", StringComparison.Ordinal);

    private static async Task<byte[]> ReadAllAsync(ZipArchiveEntry entry)
    {
        var copy = new MemoryStream();
        await using var stream = entry.Open();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private sealed class SyncExportProgress(Action<ExportProgress> handler) : IProgress<ExportProgress>
    {
        public void Report(ExportProgress value) => handler(value);
    }

    /// <summary>A write-only stream that cannot seek or report its length (an HTTP response body), optionally failing after some bytes.</summary>
    private sealed class ForwardOnlyWriteStream(Stream inner, long failAfter = long.MaxValue) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _written += buffer.Length;
            if (_written > failAfter)
            {
                throw new IOException("The connection was reset.");
            }

            inner.Write(buffer);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
