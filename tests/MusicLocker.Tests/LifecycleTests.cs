using MusicLocker.Crypto;
using MusicLocker.Metadata.Sql;
using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>Account deletion, batch upload, scan, stream uploads and the sweep.</summary>
public sealed class LifecycleTests : FileSystemLockerTest
{

    [Fact]
    public async Task Deleting_an_account_shreds_the_key_first_then_removes_everything_and_verifies()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        var track = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct)).Track;
        await alice.Playlists.CreateAsync("mix", ct);
        await alice.History.RecordPlayAsync(track.Id, ct);
        await SyncProgress.InterruptAsync(alice, AudioFiles.Mp3("id3v23-unsync.mp3"));
        var objectKeys = await Test.UserObjectsAsync();
        Assert.NotEmpty(objectKeys);

        // The user's key record is in the metadata database, not beside the blobs: a blob backup holds no key to restore.
        Assert.Empty(await Test.UserObjectsAsync(".mlcrypto/user-keys/"));
        Assert.False((await ((SqlMetadataStore)Test.Metadata).UserKeys.ReadAsync(new KeyOwner("", "alice"), ct)).Record.IsDestroyed);

        // A copy of one stored object, as a backup would hold it.
        var backup = await Test.Storage.ReadAllBytesAsync(BlobKey.Parse(objectKeys[0]), cancellationToken: ct);
        var backupProperties = await Test.Storage.GetPropertiesAsync(BlobKey.Parse(objectKeys[0]), ct);

        var report = await alice.Account.DeleteAsync(ct);

        Assert.True(report.KeyDestroyed);
        Assert.True(report.Verified);
        Assert.Equal(1, report.TracksDeleted);
        Assert.Equal(objectKeys.Count, report.ObjectsDeleted);
        Assert.Empty(await Test.UserObjectsAsync());

        // The restored backup does not decrypt: the key is gone.
        await Test.Storage.PutBytesAsync(BlobKey.Parse(objectKeys[0]), backup, new PutBlobOptions { Metadata = backupProperties.Metadata, ContentType = backupProperties.ContentType }, ct);
        var ring = await LocalKeyRing.OpenAsync(new LocalKeyRingOptions { Path = Path.Combine(FolderPath, "keyring.json"), TimeProvider = Test.Clock }, ct);
        var store = new EncryptedBlobStore(Test.Storage, new UserKeyManager(ring, ((SqlMetadataStore)Test.Metadata).UserKeys), new EncryptedBlobStoreOptions { Owner = new KeyOwner("", "alice"), PartSize = 16 * 1024 });
        await Assert.ThrowsAsync<KeyDestroyedException>(() => store.ReadAllBytesAsync(BlobKey.Parse(objectKeys[0]), cancellationToken: ct));
        ring.Dispose();

        // Idempotent: a second run (after a crash) finishes and verifies again.
        var again = await alice.Account.DeleteAsync(ct);
        Assert.True(again.Verified);
        Assert.Equal(1, again.ObjectsDeleted);
        Assert.Equal(0, again.TracksDeleted);
        Assert.Empty(await Test.UserObjectsAsync());
    }

    [Fact]
    public async Task Tampered_ciphertext_is_an_integrity_error_not_wrong_bytes()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        var track = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct)).Track;
        var key = BlobKey.Parse((await Test.UserObjectsAsync()).Single(k => !k.EndsWith(".info", StringComparison.Ordinal)));
        byte[] stored = await Test.Storage.ReadAllBytesAsync(key, cancellationToken: ct);
        var properties = await Test.Storage.GetPropertiesAsync(key, ct);
        stored[stored.Length / 2] ^= 0x01;
        await Test.Storage.PutBytesAsync(key, stored, new PutBlobOptions { Metadata = properties.Metadata, ContentType = properties.ContentType }, ct);

        var error = await Assert.ThrowsAnyAsync<LockerException>(async () =>
        {
            await using var range = await alice.Downloads.OpenReadAsync(track.Id, stored.Length / 2 - 100, 200, ct);
            await range.Content.CopyToAsync(Stream.Null, ct);
        });

        Assert.Equal(LockerErrorCode.IntegrityCheckFailed, error.ErrorCode);
    }

    [Fact]
    public async Task A_deleted_accounts_id_cannot_store_again_under_the_shredded_key()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
        await alice.Account.DeleteAsync(ct);

        var error = await Assert.ThrowsAsync<LockerException>(() => alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct));

        Assert.Equal(LockerErrorCode.KeyDestroyed, error.ErrorCode);
        var quota = await alice.Quota.GetStatusAsync(ct);
        Assert.Equal(0, quota.UsedBytes + quota.ReservedBytes);
    }

    [Fact]
    public async Task Batch_upload_stores_each_file_once_and_reports_refusals_per_file()
    {
        var ct = TestContext.Current.CancellationToken;
        string[] paths =
        [
            AudioFiles.Mp3("big-cover.mp3"), AudioFiles.Mp3("vbr-noheader.mp3"), AudioFiles.M4a("drm-drms.m4a"),
            AudioFiles.Aac("lc-44k-stereo.aac"), AudioFiles.Mp3("mpeg25-mono-8k.mp3"), AudioFiles.Other("sine.ogg"),
        ];

        var results = await Test.Locker.ForUser("alice").Uploads.UploadFilesAsync(paths, cancellationToken: ct);

        Assert.Equal(paths, results.Select(r => r.Path));
        Assert.Equal(LockerErrorCode.DrmProtected, results[2].Error!.ErrorCode);
        Assert.Equal(LockerErrorCode.UnsupportedFormat, results[5].Error!.ErrorCode);
        Assert.All(results.Where((_, i) => i is not 2 and not 5), r => Assert.Equal(UploadOutcome.Stored, r.Result!.Outcome));
        Assert.Equal(4, (await EndToEndTests.ToListAsync(Test.Locker.ForUser("alice").Tracks.ListAsync(cancellationToken: ct))).Count);
    }

    [Fact]
    public async Task Scan_says_which_files_are_new_by_content_and_previews_the_quota_without_uploading()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        var stored = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("cbr-info-lame.mp3"), cancellationToken: ct)).Track;
        var objects = await Test.UserObjectsAsync();
        string[] paths = [AudioFiles.Mp3("id3v22.mp3"), AudioFiles.Mp3("big-cover.mp3"), AudioFiles.M4a("drm-drms.m4a"), AudioFiles.Mp3("vbr-noheader.mp3")];

        var scan = await alice.Uploads.ScanAsync(paths, ct);

        Assert.Equal(stored.Id, scan.Files[0].ExistingTrackId);
        Assert.True(scan.Files[1].IsNew);
        Assert.Equal(LockerErrorCode.DrmProtected, scan.Files[2].Error);
        Assert.True(scan.Files[3].IsNew);
        Assert.Equal(new FileInfo(paths[1]).Length + new FileInfo(paths[3]).Length, scan.Quota.NeededBytes);
        Assert.Equal(2, scan.Quota.FileCount);
        Assert.True(scan.Quota.Fits);
        Assert.Equal(objects, await Test.UserObjectsAsync());
    }

    [Fact]
    public async Task A_stream_that_cannot_seek_uploads_like_a_file()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] original = await File.ReadAllBytesAsync(AudioFiles.M4a("moov-at-end.m4a"), ct);
        var alice = Test.Locker.ForUser("alice");

        var result = await alice.Uploads.UploadAsync(new ForwardOnlyStream(original), new UploadOptions { FileName = "song.m4a" }, cancellationToken: ct);
        var again = await alice.Uploads.UploadAsync(new MemoryStream(original), cancellationToken: ct);

        Assert.Equal(UploadOutcome.Stored, result.Outcome);
        Assert.Equal(UploadOutcome.Duplicate, again.Outcome);
        var download = new MemoryStream();
        await alice.Downloads.DownloadToAsync(result.Track.Id, download, cancellationToken: ct);
        Assert.Equal(original, download.ToArray());
    }

    [Fact]
    public async Task The_sweep_removes_unreferenced_objects_only_once_they_are_stale()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        var track = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct)).Track;
        var kept = await Test.UserObjectsAsync();
        var orphan = BlobKey.Parse("users/alice/tracks/" + Guid.NewGuid().ToString("N"));
        await Test.Storage.PutBytesAsync(orphan, new byte[100], cancellationToken: ct);

        Assert.Equal(new LockerSweepResult(0, 0), await Test.Locker.SweepAsync(ct));
        Test.Clock.Advance(Test.Options.StaleUploadAge + TimeSpan.FromMinutes(1));
        var swept = await Test.Locker.SweepAsync(ct);

        Assert.Equal(1, swept.OrphanObjects);
        Assert.Equal(kept, await Test.UserObjectsAsync());
        var download = new MemoryStream();
        await alice.Downloads.DownloadToAsync(track.Id, download, cancellationToken: ct);
        Assert.Equal(await File.ReadAllBytesAsync(AudioFiles.Mp3("big-cover.mp3"), ct), download.ToArray());
    }

    [Fact]
    public async Task Concurrent_uploads_of_one_file_by_one_user_end_with_one_charge()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        string path = AudioFiles.Mp3("big-cover.mp3");

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => alice.Uploads.UploadFileAsync(path, cancellationToken: ct), ct)));

        var quota = await alice.Quota.GetStatusAsync(ct);
        Assert.Equal(new FileInfo(path).Length, quota.UsedBytes);
        Assert.Equal(0, quota.ReservedBytes);
        Assert.Contains(results, r => r.Outcome == UploadOutcome.Stored);
        var track = Assert.Single(await EndToEndTests.ToListAsync(alice.Tracks.ListAsync(cancellationToken: ct)));
        Assert.All(results, r => Assert.Equal(track.Id, r.Track.Id));
        Assert.Equal(2, (await Test.UserObjectsAsync()).Count);
    }

    /// <summary>A read-only stream that cannot seek and returns at most 1000 bytes a read.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 1000), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
