using MusicLocker.Metadata;
using MusicLocker.Media;
using MusicLocker.Metadata.Quota;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>The locker end to end on one storage kind with SQLite: upload, list, read, download, delete, refuse.</summary>
public abstract class EndToEndTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private LockerUnderTest _test = null!;

    protected abstract StorageKind Kind { get; }

    /// <summary>The PostgreSQL server for the catalog, or null for SQLite.</summary>
    protected virtual Metadata.Tests.Servers.PostgresServer? Postgres => null;

    private ILocker Locker => _test.Locker;

    public async ValueTask InitializeAsync() => _test = await LockerUnderTest.OpenAsync(_folder.Path, Kind, postgres: Postgres);

    public async ValueTask DisposeAsync()
    {
        await _test.DisposeAsync();
        _folder.Dispose();
    }

    [Theory]
    [InlineData("mp3/id3v23-full.mp3")]
    [InlineData("mp3/big-cover.mp3")]
    [InlineData("mp3/vbr-noheader.mp3")]
    [InlineData("m4a/moov-at-end.m4a")]
    [InlineData("m4a/faststart-tagged.m4a")]
    [InlineData("aac/lc-44k-stereo.aac")]
    public async Task Upload_list_read_a_range_and_download_give_back_the_file_byte_for_byte(string fixture)
    {
        string path = Path.Combine(AudioFiles.Root, fixture);
        byte[] original = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        var probe = await new MediaProber().ProbeFileAsync(path, TestContext.Current.CancellationToken);
        var user = Locker.ForUser("alice");

        var result = await user.Uploads.UploadFileAsync(path, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(UploadOutcome.Stored, result.Outcome);
        Assert.Equal(original.Length, result.Track.SizeBytes);
        // The catalog keeps milliseconds; the details keep samples.
        Assert.InRange((probe.Duration - result.Track.Duration).TotalMilliseconds, 0, 1);
        var listed = await ToListAsync(user.Tracks.ListAsync(cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(result.Track.Id, Assert.Single(listed).Id);

        long offset = original.Length / 3;
        int length = original.Length / 4;
        await using (var range = await user.Downloads.OpenReadAsync(result.Track.Id, offset, length, TestContext.Current.CancellationToken))
        {
            var buffer = new MemoryStream();
            await range.Content.CopyToAsync(buffer, TestContext.Current.CancellationToken);
            Assert.Equal(original.AsSpan((int)offset, length).ToArray(), buffer.ToArray());
            Assert.Equal(original.Length, range.TotalLength);
        }

        var download = new MemoryStream();
        long written = await user.Downloads.DownloadToAsync(result.Track.Id, download, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(original.Length, written);
        Assert.Equal(original, download.ToArray());

        var details = await user.Tracks.GetDetailsAsync(result.Track.Id, TestContext.Current.CancellationToken);
        Assert.Equal(probe.PlayableSamples, details.PlayableSamples);
        Assert.Equal(probe.EncoderDelay, details.EncoderDelay);
        Assert.Equal(probe.EncoderPadding, details.EncoderPadding);
        Assert.Equal(probe.AudioOffset, details.AudioOffset);
        Assert.Equal(probe.Duration, details.Duration);

        var quota = await user.Quota.GetStatusAsync(TestContext.Current.CancellationToken);
        Assert.Equal(original.Length, quota.UsedBytes);
        Assert.Equal(0, quota.ReservedBytes);
    }

    [Fact]
    public async Task Stored_objects_are_ciphertext_under_the_users_prefix()
    {
        string path = AudioFiles.Mp3("id3v23-full.mp3");
        byte[] original = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        await Locker.ForUser("alice").Uploads.UploadFileAsync(path, cancellationToken: TestContext.Current.CancellationToken);

        var keys = await _test.UserObjectsAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.StartsWith("users/alice/tracks/", k, StringComparison.Ordinal));
        foreach (string key in keys)
        {
            byte[] stored = await Storage.BlobStoreExtensions.ReadAllBytesAsync(_test.Storage, Storage.BlobKey.Parse(key), cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(stored.AsSpan().IndexOf(original.AsSpan(original.Length / 2, 64)) < 0, $"{key} holds plaintext audio");
            Assert.True(stored.AsSpan().IndexOf("Fixture Album"u8) < 0, $"{key} holds plaintext tags");
        }
    }

    [Fact]
    public async Task Cover_art_comes_back_with_its_mime_type_and_the_bytes_the_prober_reads()
    {
        string path = AudioFiles.Mp3("big-cover.mp3");
        var probe = await new MediaProber().ProbeFileAsync(path, TestContext.Current.CancellationToken);
        using var source = new FileRandomAccessSource(path);
        byte[] expected = await MediaProber.ReadCoverArtAsync(source, probe.CoverArt!, cancellationToken: TestContext.Current.CancellationToken);
        var user = Locker.ForUser("alice");
        var track = (await user.Uploads.UploadFileAsync(path, cancellationToken: TestContext.Current.CancellationToken)).Track;

        await using var cover = await user.Downloads.OpenCoverArtAsync(track.Id, TestContext.Current.CancellationToken);

        Assert.Equal(probe.CoverArt!.MimeType, cover.MimeType);
        var bytes = new MemoryStream();
        await cover.Content.CopyToAsync(bytes, TestContext.Current.CancellationToken);
        Assert.Equal(expected, bytes.ToArray());
    }

    [Fact]
    public async Task A_track_without_a_picture_says_so_with_a_code()
    {
        var user = Locker.ForUser("alice");
        var track = (await user.Uploads.UploadFileAsync(AudioFiles.Aac("lc-22k-mono.aac"), cancellationToken: TestContext.Current.CancellationToken)).Track;

        var error = await Assert.ThrowsAsync<LockerException>(() => user.Downloads.OpenCoverArtAsync(track.Id, TestContext.Current.CancellationToken));
        Assert.Equal(LockerErrorCode.CoverArtNotFound, error.ErrorCode);
    }

    [Theory]
    [InlineData("m4a/drm-drms.m4a", LockerErrorCode.DrmProtected)]
    [InlineData("m4a/drm-enca-cenc.m4a", LockerErrorCode.DrmProtected)]
    [InlineData("other/sine.flac", LockerErrorCode.UnsupportedFormat)]
    [InlineData("other/sine.wav", LockerErrorCode.UnsupportedFormat)]
    [InlineData("other/cover.png", LockerErrorCode.UnsupportedFormat)]
    [InlineData("other/empty.bin", LockerErrorCode.EmptyFile)]
    [InlineData("other/tag-only.mp3", LockerErrorCode.EmptyFile)]
    public async Task Refused_files_keep_their_media_code_and_store_and_reserve_nothing(string fixture, LockerErrorCode expected)
    {
        var user = Locker.ForUser("alice");

        var error = await Assert.ThrowsAsync<LockerException>(() => user.Uploads.UploadFileAsync(Path.Combine(AudioFiles.Root, fixture), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(expected, error.ErrorCode);
        Assert.IsType<MediaFormatException>(error.InnerException);
        Assert.Empty(await _test.UserObjectsAsync(""));
        var quota = await user.Quota.GetStatusAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, quota.UsedBytes + quota.ReservedBytes);
        Assert.Empty(await user.Uploads.ListPendingAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_missing_file_is_a_typed_error_naming_the_path()
    {
        string path = Path.Combine(_folder.Path, "nope.mp3");
        var error = await Assert.ThrowsAsync<LockerException>(() => Locker.ForUser("alice").Uploads.UploadFileAsync(path, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(LockerErrorCode.FileNotFound, error.ErrorCode);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_file_twice_stores_nothing_new_and_a_retagged_copy_updates_the_tags_only()
    {
        var user = Locker.ForUser("alice");
        string path = AudioFiles.Mp3("id3v23-full.mp3");
        var first = await user.Uploads.UploadFileAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        var objects = await _test.UserObjectsAsync();

        var again = await user.Uploads.UploadFileAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        string retagged = AudioFiles.Retagged(path, _folder.Path, "Fixture Album", "Fixture Albun");
        var copy = await user.Uploads.UploadFileAsync(retagged, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(UploadOutcome.Duplicate, again.Outcome);
        Assert.Equal(first.Track.Id, again.Track.Id);
        Assert.Equal(UploadOutcome.Retagged, copy.Outcome);
        Assert.Equal(first.Track.Id, copy.Track.Id);
        Assert.Equal("Fixture Albun", copy.Track.Tags.Album);
        Assert.Equal(objects, await _test.UserObjectsAsync());
        var quota = await user.Quota.GetStatusAsync(TestContext.Current.CancellationToken);
        Assert.Equal(first.Track.SizeBytes, quota.UsedBytes);
        Assert.Single(await ToListAsync(user.Tracks.ListAsync(cancellationToken: TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task Files_of_the_same_recording_with_other_tag_formats_are_one_track()
    {
        // cbr-info-lame, id3v22 and id3v23-full hold the same frames under no tag, an ID3v2.2 and an ID3v2.3 tag.
        var user = Locker.ForUser("alice");
        var first = await user.Uploads.UploadFileAsync(AudioFiles.Mp3("cbr-info-lame.mp3"), cancellationToken: TestContext.Current.CancellationToken);
        var second = await user.Uploads.UploadFileAsync(AudioFiles.Mp3("id3v22.mp3"), cancellationToken: TestContext.Current.CancellationToken);
        var third = await user.Uploads.UploadFileAsync(AudioFiles.Mp3("id3v23-full.mp3"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(UploadOutcome.Stored, first.Outcome);
        Assert.Equal([UploadOutcome.Retagged, UploadOutcome.Retagged], new[] { second.Outcome, third.Outcome });
        Assert.Equal(first.Track.AudioHash, third.Track.AudioHash);
        Assert.Equal("Fixture Album", third.Track.Tags.Album);
        var download = new MemoryStream();
        await user.Downloads.DownloadToAsync(first.Track.Id, download, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(await File.ReadAllBytesAsync(AudioFiles.Mp3("cbr-info-lame.mp3"), TestContext.Current.CancellationToken), download.ToArray());
    }

    [Fact]
    public async Task Over_quota_is_refused_with_needed_and_available_and_nothing_is_stored()
    {
        var user = Locker.ForUser("alice");
        await user.Account.SetPlanAsync(QuotaPlanCatalog.Default.Plans[0].Id, overrideLimitBytes: 1000, TestContext.Current.CancellationToken);
        string path = AudioFiles.Mp3("id3v23-full.mp3");

        var error = await Assert.ThrowsAsync<LockerQuotaExceededException>(() => user.Uploads.UploadFileAsync(path, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(LockerErrorCode.QuotaExceeded, error.ErrorCode);
        Assert.Equal(new FileInfo(path).Length, error.NeededBytes);
        Assert.Equal(1000, error.AvailableBytes);
        Assert.Empty(await _test.UserObjectsAsync());
    }

    [Fact]
    public async Task Purchased_music_is_stored_but_not_charged()
    {
        var user = Locker.ForUser("alice");
        await user.Account.SetPlanAsync(QuotaPlanCatalog.Default.Plans[0].Id, overrideLimitBytes: 1000, TestContext.Current.CancellationToken);

        var result = await user.Uploads.UploadFileAsync(AudioFiles.Mp3("id3v23-full.mp3"), new UploadOptions { IsPurchased = true }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.Track.IsPurchased);
        Assert.Equal(0, result.Track.ChargedBytes);
        Assert.Equal(0, (await user.Quota.GetStatusAsync(TestContext.Current.CancellationToken)).UsedBytes);
    }

    [Fact]
    public async Task Deleting_a_track_removes_its_bytes_catalog_entry_quota_playlist_entries_and_plays()
    {
        var user = Locker.ForUser("alice");
        var keep = (await user.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: TestContext.Current.CancellationToken)).Track;
        var track = (await user.Uploads.UploadFileAsync(AudioFiles.Mp3("id3v23-full.mp3"), cancellationToken: TestContext.Current.CancellationToken)).Track;
        var playlist = await user.Playlists.CreateAsync("mix", TestContext.Current.CancellationToken);
        await user.Playlists.AddTracksAsync(playlist.Id, [track.Id, keep.Id], cancellationToken: TestContext.Current.CancellationToken);
        await user.History.RecordPlayAsync(track.Id, TestContext.Current.CancellationToken);
        int objectsBefore = (await _test.UserObjectsAsync()).Count;

        await user.Tracks.DeleteAsync(track.Id, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<LockerException>(() => user.Tracks.GetAsync(track.Id, TestContext.Current.CancellationToken));
        Assert.Equal(LockerErrorCode.TrackNotFound, error.ErrorCode);
        Assert.Equal(keep.Id, Assert.Single(await user.Playlists.GetEntriesAsync(playlist.Id, TestContext.Current.CancellationToken)).Track.Id);
        Assert.Empty(await user.History.GetRecentlyPlayedAsync(cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(keep.SizeBytes, (await user.Quota.GetStatusAsync(TestContext.Current.CancellationToken)).UsedBytes);
        Assert.Equal(objectsBefore - 2, (await _test.UserObjectsAsync()).Count);
        var again = await Assert.ThrowsAsync<LockerException>(() => user.Tracks.DeleteAsync(track.Id, TestContext.Current.CancellationToken));
        Assert.Equal(LockerErrorCode.TrackNotFound, again.ErrorCode);
    }

    [Fact]
    public async Task Albums_artists_and_pages_list_the_catalog()
    {
        var user = Locker.ForUser("alice");
        foreach (string name in new[] { "id3v23-full.mp3", "mpeg25-mono-8k.mp3", "big-cover.mp3", "appended-id3v24.mp3" })
        {
            await user.Uploads.UploadFileAsync(AudioFiles.Mp3(name), cancellationToken: TestContext.Current.CancellationToken);
        }

        var page = await user.Tracks.GetPageAsync(new TrackQuery { PageSize = 3 }, TestContext.Current.CancellationToken);
        var rest = await user.Tracks.GetPageAsync(new TrackQuery { PageSize = 3, Cursor = page.NextCursor }, TestContext.Current.CancellationToken);
        Assert.Equal(3, page.Items.Count);
        Assert.Single(rest.Items);
        Assert.Null(rest.NextCursor);
        Assert.Equal(4, (await ToListAsync(user.Tracks.ListAsync(new TrackQuery { PageSize = 1 }, TestContext.Current.CancellationToken))).Count);
        Assert.NotEmpty(await ToListAsync(user.Tracks.ListAlbumsAsync(TestContext.Current.CancellationToken)));
        Assert.Contains(await ToListAsync(user.Tracks.ListArtistsAsync(TestContext.Current.CancellationToken)), a => a.Name == "Test Artist");
    }

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}

// The matrix: every storage kind with SQLite, and every storage kind with PostgreSQL (a fresh database per test). The
// servers (s3rver, Azurite, PostgreSQL) are shared by the run; a class whose server is missing skips with the reason.
public sealed class FileSystemEndToEndTests : EndToEndTests
{
    protected override StorageKind Kind => StorageKind.FileSystem;
}

public sealed class InMemoryEndToEndTests : EndToEndTests
{
    protected override StorageKind Kind => StorageKind.InMemory;
}

/// <summary>The suite on Azure Blob storage (Azurite, a fresh container per test) with SQLite.</summary>
public sealed class AzureEndToEndTests : EndToEndTests
{
    protected override StorageKind Kind => StorageKind.Azure;
}

/// <summary>The suite on S3 (s3rver, a fresh bucket per test) with SQLite.</summary>
public sealed class S3EndToEndTests : EndToEndTests
{
    protected override StorageKind Kind => StorageKind.S3;
}

/// <summary>The suite on the file system with the catalog on PostgreSQL.</summary>
public sealed class PostgresEndToEndTests(Metadata.Tests.Servers.PostgresServer server) : EndToEndTests
{
    protected override StorageKind Kind => StorageKind.FileSystem;

    protected override Metadata.Tests.Servers.PostgresServer? Postgres => server;
}

public sealed class InMemoryPostgresEndToEndTests(Metadata.Tests.Servers.PostgresServer server) : EndToEndTests
{
    protected override StorageKind Kind => StorageKind.InMemory;

    protected override Metadata.Tests.Servers.PostgresServer? Postgres => server;
}

public sealed class AzurePostgresEndToEndTests(Metadata.Tests.Servers.PostgresServer server) : EndToEndTests
{
    protected override StorageKind Kind => StorageKind.Azure;

    protected override Metadata.Tests.Servers.PostgresServer? Postgres => server;
}

public sealed class S3PostgresEndToEndTests(Metadata.Tests.Servers.PostgresServer server) : EndToEndTests
{
    protected override StorageKind Kind => StorageKind.S3;

    protected override Metadata.Tests.Servers.PostgresServer? Postgres => server;
}
