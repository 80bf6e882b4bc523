using System.Security.Cryptography;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>
/// The upload reads its source once (probe of the head and tail aside), and dedup is the catalog's rule: two lockers on
/// one folder (two processes, as far as the locker can tell) uploading the same audio at once end with one track.
/// </summary>
public sealed class SinglePassUploadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_upload_reads_each_byte_of_the_file_once_beyond_the_probe()
    {
        using var folder = new TempFolder();
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        byte[] file = UploadFiles.LargeMp3(2 * 1024 * 1024);
        var source = new CountingStream(file);

        var result = await test.Locker.ForUser("alice").Uploads.UploadAsync(source, new UploadOptions { FileName = "large.mp3" }, cancellationToken: Ct);

        Assert.Equal(UploadOutcome.Stored, result.Outcome);
        Assert.True(source.BytesReadMoreThanOnce <= 256 * 1024, $"{source.BytesReadMoreThanOnce:N0} of {file.Length:N0} bytes were read more than once");
        Assert.Equal(0, source.BytesNeverRead);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(file)), result.Track.ContentHash);
        Assert.Equal(Convert.ToHexStringLower(System.IO.Hashing.XxHash128.Hash(file)), result.Track.AudioHash); // no tags: the audio range (Info frame included) is the file
        var download = new MemoryStream();
        await test.Locker.ForUser("alice").Downloads.DownloadToAsync(result.Track.Id, download, cancellationToken: Ct);
        Assert.Equal(file, download.ToArray());
    }

    [Fact]
    public async Task Two_lockers_on_one_folder_uploading_the_same_file_at_once_end_with_one_track_and_one_charge()
    {
        using var folder = new TempFolder();
        string path = AudioFiles.Mp3("big-cover.mp3");
        var (a, b) = await OpenTwoAsync(folder.Path);
        await using var _a = a;
        await using var _b = b;

        var outcomes = await RaceAsync(a, b, path, path);

        Assert.Equal([UploadOutcome.Stored, UploadOutcome.Duplicate], outcomes.Select(r => r.Outcome).Order());
        Assert.Equal(outcomes[0].Track.Id, outcomes[1].Track.Id);
        await AssertOneTrackAsync(a, new FileInfo(path).Length, await File.ReadAllBytesAsync(path, Ct));
    }

    [Fact]
    public async Task Two_lockers_racing_a_file_and_its_retagged_copy_end_with_one_track_and_the_tags_of_the_later()
    {
        using var folder = new TempFolder();
        string path = AudioFiles.Mp3("id3v23-full.mp3");
        string retagged = AudioFiles.Retagged(path, folder.Path, "Fixture Album", "Fixture Albun");
        var (a, b) = await OpenTwoAsync(folder.Path);
        await using var _a = a;
        await using var _b = b;

        var outcomes = await RaceAsync(a, b, path, retagged);

        Assert.Equal([UploadOutcome.Stored, UploadOutcome.Retagged], outcomes.Select(r => r.Outcome).Order());
        var winner = outcomes.Single(r => r.Outcome == UploadOutcome.Stored);
        var loser = outcomes.Single(r => r.Outcome == UploadOutcome.Retagged);
        Assert.Equal(winner.Track.Id, loser.Track.Id);
        string winnerPath = winner == outcomes[0] ? path : retagged;
        await AssertOneTrackAsync(a, new FileInfo(winnerPath).Length, await File.ReadAllBytesAsync(winnerPath, Ct));
    }

    [Fact]
    public async Task A_file_the_locker_holds_given_with_its_hash_is_recognised_before_a_byte_is_stored()
    {
        using var folder = new TempFolder();
        FaultyBlobStore? faulty = null;
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem, wrap: s => faulty = new FaultyBlobStore(s));
        await using var _ = test;
        var user = test.Locker.ForUser("alice");
        string path = AudioFiles.Mp3("big-cover.mp3");
        var first = await user.Uploads.UploadFileAsync(path, cancellationToken: Ct);
        var scan = await user.Uploads.ScanAsync([path], Ct);
        int before = faulty!.MutatingCalls;

        var again = await user.Uploads.UploadFileAsync(path, new UploadOptions { ContentHash = scan.Files[0].ContentHash!.ToUpperInvariant() }, cancellationToken: Ct);

        Assert.Equal(UploadOutcome.Duplicate, again.Outcome);
        Assert.Equal(first.Track.Id, again.Track.Id);
        Assert.Equal(before, faulty.MutatingCalls);
    }

    [Fact]
    public async Task A_wrong_or_malformed_content_hash_is_refused_and_leaves_nothing()
    {
        using var folder = new TempFolder();
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        var user = test.Locker.ForUser("alice");
        string path = AudioFiles.Mp3("big-cover.mp3");

        var wrong = await Assert.ThrowsAsync<LockerException>(() => user.Uploads.UploadFileAsync(path, new UploadOptions { ContentHash = new string('a', 64) }, cancellationToken: Ct));
        var malformed = await Assert.ThrowsAsync<LockerException>(() => user.Uploads.UploadFileAsync(path, new UploadOptions { ContentHash = "not-a-hash" }, cancellationToken: Ct));

        Assert.Equal(LockerErrorCode.SourceChanged, wrong.ErrorCode);
        Assert.Equal(LockerErrorCode.InvalidArgument, malformed.ErrorCode);
        Assert.Contains("ContentHash", malformed.Message, StringComparison.Ordinal);
        Assert.False(await LedgerCheck.WholeTrackOrNothingAsync(user, await test.UserObjectsAsync(), [], "a refused hash"));
    }

    [Fact]
    public async Task Resuming_with_a_same_size_file_whose_stored_prefix_differs_is_refused_before_anything_is_stored()
    {
        using var folder = new TempFolder();
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        var user = test.Locker.ForUser("alice");
        string path = AudioFiles.Mp3("big-cover.mp3");
        var pending = await SyncProgress.InterruptAsync(user, path, afterBytes: 3 * 16 * 1024);
        byte[] changed = await File.ReadAllBytesAsync(path, Ct);
        changed[(2 * 16 * 1024) + 100] ^= 0x55; // inside the third part, which is stored
        string other = Path.Combine(folder.Path, "changed.mp3");
        await File.WriteAllBytesAsync(other, changed, Ct);
        var objects = await test.UserObjectsAsync();

        var error = await Assert.ThrowsAsync<LockerException>(() => user.Uploads.ResumeAsync(pending.Id, other, cancellationToken: Ct));

        Assert.Equal(LockerErrorCode.SourceChanged, error.ErrorCode);
        Assert.Equal(pending, Assert.Single(await user.Uploads.ListPendingAsync(Ct)));
        Assert.Equal(objects, await test.UserObjectsAsync());
        var result = await user.Uploads.ResumeAsync(pending.Id, path, cancellationToken: Ct);
        var download = new MemoryStream();
        await user.Downloads.DownloadToAsync(result.Track.Id, download, cancellationToken: Ct);
        Assert.Equal(await File.ReadAllBytesAsync(path, Ct), download.ToArray());
    }

    private static async Task<(LockerUnderTest A, LockerUnderTest B)> OpenTwoAsync(string folder)
    {
        var a = await LockerUnderTest.OpenAsync(folder, StorageKind.FileSystem);
        var b = await LockerUnderTest.OpenAsync(folder, StorageKind.FileSystem);

        // The user and their key exist before the race (the race under test is the audio's, not the key's creation).
        await a.Locker.ForUser("alice").Uploads.UploadFileAsync(AudioFiles.Aac("lc-44k-stereo.aac"), cancellationToken: Ct);
        return (a, b);
    }

    /// <summary>Both lockers upload at once, each held after its first stored part until the other got there too.</summary>
    private static async Task<UploadResult[]> RaceAsync(LockerUnderTest a, LockerUnderTest b, string pathA, string pathB)
    {
        using var barrier = new Barrier(2);
        IProgress<UploadProgress> Meet()
        {
            bool met = false;
            return new SyncProgress(_ =>
            {
                if (!met)
                {
                    met = true;
                    Assert.True(barrier.SignalAndWait(TimeSpan.FromMinutes(1), Ct), "the other upload never stored a part");
                }
            });
        }

        var first = Task.Run(() => a.Locker.ForUser("alice").Uploads.UploadFileAsync(pathA, null, Meet(), Ct), Ct);
        var second = Task.Run(() => b.Locker.ForUser("alice").Uploads.UploadFileAsync(pathB, null, Meet(), Ct), Ct);
        return await Task.WhenAll(first, second);
    }

    /// <summary>Besides the AAC both lockers started with: one track of <paramref name="bytes"/>, charged once, two objects, byte-identical.</summary>
    private static async Task AssertOneTrackAsync(LockerUnderTest test, long size, byte[] bytes)
    {
        var user = test.Locker.ForUser("alice");
        var tracks = (await EndToEndTests.ToListAsync(user.Tracks.ListAsync(cancellationToken: Ct))).Where(t => t.Codec != "aac").ToList();
        var track = Assert.Single(tracks);
        var quota = await user.Quota.GetStatusAsync(Ct);
        long aac = new FileInfo(AudioFiles.Aac("lc-44k-stereo.aac")).Length;
        Assert.Equal(size + aac, quota.UsedBytes);
        Assert.Equal(0, quota.ReservedBytes);
        Assert.Empty(await user.Uploads.ListPendingAsync(Ct));
        Assert.Equal(4, (await test.UserObjectsAsync()).Count);
        var download = new MemoryStream();
        await user.Downloads.DownloadToAsync(track.Id, download, cancellationToken: Ct);
        Assert.Equal(bytes, download.ToArray());
    }
}

/// <summary>Audio made for the upload tests.</summary>
internal static class UploadFiles
{
    /// <summary>
    /// A CBR MP3 of about <paramref name="bytes"/> bytes with a LAME Info header that counts it truly (so a probe reads
    /// its head and tail only): the Info frame of cbr-info-lame.mp3 (192 bytes) and its 107 audio frames repeated.
    /// </summary>
    public static byte[] LargeMp3(int bytes)
    {
        const int InfoFrame = 192;
        var source = File.ReadAllBytes(AudioFiles.Mp3("cbr-info-lame.mp3"));
        int audio = source.Length - InfoFrame;
        int copies = Math.Max(1, (bytes - InfoFrame) / audio);
        var result = new byte[InfoFrame + (copies * audio)];
        source.AsSpan(0, InfoFrame).CopyTo(result);
        for (int i = 0; i < copies; i++)
        {
            source.AsSpan(InfoFrame).CopyTo(result.AsSpan(InfoFrame + (i * audio)));
        }

        // "Info" at 21, flags at 25 (frames, bytes, TOC, quality present): frames at 29, bytes at 33, big-endian.
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(29), 107 * copies);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(33), result.Length);
        return result;
    }
}

/// <summary>A seekable stream over bytes that counts how often each byte was read.</summary>
internal sealed class CountingStream(byte[] bytes) : Stream
{
    private readonly byte[] _reads = new byte[bytes.Length];
    private long _position;

    public long BytesReadMoreThanOnce => _reads.Count(r => r > 1);

    public long BytesNeverRead => _reads.Count(r => r == 0);

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => bytes.Length;

    public override long Position
    {
        get => _position;
        set => _position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Clamp(bytes.Length - _position, 0, buffer.Length);
        bytes.AsSpan((int)_position, n).CopyTo(buffer);
        lock (_reads)
        {
            for (int i = 0; i < n; i++)
            {
                _reads[_position + i] = (byte)Math.Min(_reads[_position + i] + 1, 200);
            }
        }

        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => bytes.Length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
