using System.IO.Hashing;
using Microsoft.Data.Sqlite;
using MusicLocker.Media;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>
/// The audio hash is XXH128, a fingerprint an attacker can collide; a dedup by it is trusted only after the audio bytes
/// are compared. A collision is made here by giving a stored track another file's audio hash in the catalog: that file
/// is then refused (upload) or reported (scan) with <see cref="LockerErrorCode.AudioHashCollision"/>, and nothing stored
/// changes.
/// </summary>
public sealed class AudioHashCollisionTests : FileSystemLockerTest
{
    [Fact]
    public async Task The_audio_hash_is_the_documented_XXH128_of_the_audio_payload()
    {
        byte[] file = await File.ReadAllBytesAsync(AudioFiles.Mp3("id3v23-full.mp3"), Ct);
        var info = new MediaProber().Probe(file);
        Assert.True(info.AudioOffset > 0); // a leading tag the audio hash skips

        var result = await Test.Locker.ForUser("alice").Uploads.UploadFileAsync(AudioFiles.Mp3("id3v23-full.mp3"), cancellationToken: Ct);

        Assert.Equal(Xxh128(file.AsSpan((int)info.AudioOffset, (int)info.AudioLength)), result.Track.AudioHash);
        Assert.Matches("^[0-9a-f]{32}$", result.Track.AudioHash);
    }

    [Fact]
    public async Task A_file_whose_audio_hash_collides_with_a_stored_track_is_refused_and_nothing_changes()
    {
        var alice = Test.Locker.ForUser("alice");
        var stored = await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("cbr-info-lame.mp3"), cancellationToken: Ct);
        string colliding = AudioFiles.Mp3("big-cover.mp3");
        string collidingHash = ExpectedAudioHash(await File.ReadAllBytesAsync(colliding, Ct));
        Assert.NotEqual(stored.Track.AudioHash, collidingHash);
        await ExecAsync($"UPDATE tracks SET audio_hash = '{collidingHash}', audio_claim = '{collidingHash}' WHERE user_id = 'alice'");
        var objects = await Test.UserObjectsAsync();
        var quota = await alice.Quota.GetStatusAsync(Ct);

        var error = await Assert.ThrowsAsync<LockerException>(() => alice.Uploads.UploadFileAsync(colliding, cancellationToken: Ct));
        Assert.Equal(LockerErrorCode.AudioHashCollision, error.ErrorCode);
        Assert.Contains(stored.Track.Id.ToString(), error.Message, StringComparison.Ordinal);

        var scan = await alice.Uploads.ScanAsync([colliding], Ct);
        Assert.Equal(LockerErrorCode.AudioHashCollision, Assert.Single(scan.Files).Error);
        Assert.False(scan.Files[0].IsNew);

        Assert.Equal(objects, await Test.UserObjectsAsync());
        Assert.Equal(quota.UsedBytes, (await alice.Quota.GetStatusAsync(Ct)).UsedBytes);
        var track = await alice.Tracks.GetAsync(stored.Track.Id, Ct);
        Assert.Equal(stored.Track.Tags, track.Tags);
        var download = new MemoryStream();
        await alice.Downloads.DownloadToAsync(stored.Track.Id, download, cancellationToken: Ct);
        Assert.Equal(await File.ReadAllBytesAsync(AudioFiles.Mp3("cbr-info-lame.mp3"), Ct), download.ToArray());
    }

    [Fact]
    public async Task A_retagged_copy_is_compared_byte_for_byte_before_it_is_called_the_same_track()
    {
        var alice = Test.Locker.ForUser("alice");
        var first = await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("cbr-info-lame.mp3"), cancellationToken: Ct);
        var objects = await Test.UserObjectsAsync();

        var scan = await alice.Uploads.ScanAsync([AudioFiles.Mp3("id3v23-full.mp3")], Ct);
        Assert.Equal(first.Track.Id, Assert.Single(scan.Files).ExistingTrackId);
        var copy = await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("id3v23-full.mp3"), cancellationToken: Ct);

        Assert.Equal(UploadOutcome.Retagged, copy.Outcome);
        Assert.Equal(first.Track.Id, copy.Track.Id);
        Assert.Equal(first.Track.AudioHash, copy.Track.AudioHash);
        Assert.Equal(objects, await Test.UserObjectsAsync());
    }

    [Fact]
    public async Task A_retagged_copy_of_a_track_whose_stored_object_is_lost_is_reported_per_file_and_refused_without_storing()
    {
        var alice = Test.Locker.ForUser("alice");
        var first = await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("cbr-info-lame.mp3"), cancellationToken: Ct);
        foreach (string key in await Test.UserObjectsAsync())
        {
            await Test.Storage.DeleteAsync(MusicLocker.Storage.BlobKey.Parse(key), cancellationToken: Ct); // storage drift: the track's bytes are gone
        }

        // The scan goes on: the copy is reported with the code, the other file is scanned as usual.
        var scan = await alice.Uploads.ScanAsync([AudioFiles.Mp3("id3v23-full.mp3"), AudioFiles.Mp3("big-cover.mp3")], Ct);
        Assert.Equal(LockerErrorCode.Inconsistent, scan.Files[0].Error);
        Assert.False(scan.Files[0].IsNew);
        Assert.Null(scan.Files[1].Error);
        Assert.True(scan.Files[1].IsNew);

        var error = await Assert.ThrowsAsync<LockerException>(() => alice.Uploads.UploadFileAsync(AudioFiles.Mp3("id3v23-full.mp3"), cancellationToken: Ct));
        Assert.Equal(LockerErrorCode.Inconsistent, error.ErrorCode);
        Assert.Contains(first.Track.Id.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Empty(await Test.UserObjectsAsync());
        Assert.Equal(first.Track.Id, Assert.Single(await EndToEndTests.ToListAsync(alice.Tracks.ListAsync(cancellationToken: Ct))).Id);
    }

    private static string ExpectedAudioHash(byte[] file)
    {
        var info = new MediaProber().Probe(file);
        return Xxh128(file.AsSpan((int)info.AudioOffset, (int)info.AudioLength));
    }

    private static string Xxh128(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(XxHash128.Hash(bytes));

    private async Task ExecAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(FolderPath, "locker.db")};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
    }
}
