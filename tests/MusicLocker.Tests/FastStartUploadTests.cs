using System.Security.Cryptography;
using MusicLocker.Media;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>
/// Fast start at upload (<see cref="UploadOptions.FastStart"/>, <see cref="MusicLockerOptions.FastStart"/>): an M4A with
/// moov at the end is stored and downloaded moov-first, in the same single pass, with the original's audio hash,
/// duration and seek data; other files are stored as given; a resume keeps the layout; a non-seekable stream is spooled
/// and rewritten.
/// </summary>
public sealed class FastStartUploadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_m4a_with_moov_at_the_end_is_stored_and_downloaded_moov_first_in_one_pass_with_the_same_audio()
    {
        Mp4Tools.RequireFfmpeg();
        using var folder = new TempFolder();
        string input = Path.Combine(folder.Path, "song.m4a");
        await Mp4Tools.MakeM4aAsync(input, fastStart: false, seconds: 120);
        byte[] original = await File.ReadAllBytesAsync(input, Ct);
        byte[] expected = await RewriteAsync(original);
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        var user = test.Locker.ForUser("alice");
        var source = new CountingStream(original);

        var result = await user.Uploads.UploadAsync(source, new UploadOptions { FileName = "song.m4a", FastStart = true }, cancellationToken: Ct);

        Assert.Equal(UploadOutcome.Stored, result.Outcome);
        Assert.Equal(FastStartDecision.Rewrite, result.FastStart);
        Assert.Equal(0, source.BytesNeverRead);
        Assert.True(source.BytesReadMoreThanOnce <= 512 * 1024, $"{source.BytesReadMoreThanOnce:N0} of {original.Length:N0} bytes were read more than once");

        string downloaded = Path.Combine(folder.Path, "download.m4a");
        await using (var file = File.Create(downloaded))
        {
            await user.Downloads.DownloadToAsync(result.Track.Id, file, Ct);
        }

        byte[] stored = await File.ReadAllBytesAsync(downloaded, Ct);
        Assert.Equal(expected, stored);
        Assert.Equal("ftyp free moov mdat", Mp4Tools.Layout(stored));
        Assert.Equal(string.Empty, await Mp4Tools.FfprobeErrorsAsync(downloaded));
        Assert.Equal(await Mp4Tools.PacketsAsync(input), await Mp4Tools.PacketsAsync(downloaded));
        Assert.Equal(await Mp4Tools.DecodedMd5Async(input), await Mp4Tools.DecodedMd5Async(downloaded));

        // Identity: the content hash and size are the stored file's; the audio hash is the original's audio payload.
        var probe = new MediaProber();
        var before = probe.Probe(original);
        var after = probe.Probe(stored);
        Assert.Equal(Sha256(stored), result.Track.ContentHash);
        Assert.Equal(stored.Length, result.Track.SizeBytes);
        Assert.Equal(Convert.ToHexStringLower(System.IO.Hashing.XxHash128.Hash(original.AsSpan((int)before.AudioOffset, (int)before.AudioLength))), result.Track.AudioHash);
        Assert.Equal(stored.Length, (await user.Quota.GetStatusAsync(Ct)).UsedBytes);

        // The catalog's exact duration and seek data are the stored file's (same samples, offsets past the new moov).
        var details = await user.Tracks.GetDetailsAsync(result.Track.Id, Ct);
        Assert.Equal(before.PlayableSamples, details.PlayableSamples);
        Assert.Equal(after.AudioOffset, details.AudioOffset);
        Assert.Equal(after.SeekIndex!.ToArray(), details.SeekIndex.ToArray());
        Assert.Equal((long)before.Duration.TotalMilliseconds, (long)result.Track.Duration.TotalMilliseconds);
    }

    [Fact]
    public async Task The_same_audio_uploaded_with_and_without_fast_start_is_one_track()
    {
        using var folder = new TempFolder();
        string path = AudioFiles.M4a("moov-at-end.m4a");
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        var alice = test.Locker.ForUser("alice");
        var bob = test.Locker.ForUser("bob");

        var plain = await alice.Uploads.UploadFileAsync(path, cancellationToken: Ct);
        var fast = await alice.Uploads.UploadFileAsync(path, new UploadOptions { FastStart = true }, cancellationToken: Ct);
        var first = await bob.Uploads.UploadFileAsync(path, new UploadOptions { FastStart = true }, cancellationToken: Ct);
        var again = await bob.Uploads.UploadFileAsync(path, new UploadOptions { FastStart = true }, cancellationToken: Ct);

        // Other bytes, same audio: the catalog's audio rule makes it the same track (its tags refreshed, nothing stored).
        Assert.Equal(UploadOutcome.Stored, plain.Outcome);
        Assert.Equal(UploadOutcome.Retagged, fast.Outcome);
        Assert.Equal(plain.Track.Id, fast.Track.Id);
        Assert.Equal(plain.Track.AudioHash, first.Track.AudioHash);
        Assert.NotEqual(plain.Track.ContentHash, first.Track.ContentHash);

        // The rewrite is deterministic: the same file fast-started twice is the same content.
        Assert.Equal(UploadOutcome.Stored, first.Outcome);
        Assert.Equal(UploadOutcome.Duplicate, again.Outcome);
        Assert.Equal(first.Track.Id, again.Track.Id);
        Assert.Single(await EndToEndTests.ToListAsync(alice.Tracks.ListAsync(cancellationToken: Ct)));
        Assert.Equal(new FileInfo(path).Length, (await alice.Quota.GetStatusAsync(Ct)).UsedBytes);
    }

    [Theory]
    [InlineData("mp3/vbr-xing-lame.mp3", FastStartDecision.NotMp4)]
    [InlineData("aac/lc-44k-stereo.aac", FastStartDecision.NotMp4)]
    [InlineData("m4a/faststart-tagged.m4a", FastStartDecision.AlreadyFastStart)]
    [InlineData("m4a/fragmented.m4a", FastStartDecision.Fragmented)]
    public async Task A_file_fast_start_does_not_apply_to_is_stored_as_given_and_the_result_says_why(string fixture, FastStartDecision decision)
    {
        using var folder = new TempFolder();
        string path = Path.Combine(AudioFiles.Root, fixture);
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.InMemory, configure: o => o.FastStart = true);
        await using var _ = test;
        var user = test.Locker.ForUser("alice");

        var result = await user.Uploads.UploadFileAsync(path, cancellationToken: Ct);

        Assert.Equal(decision, result.FastStart);
        var download = new MemoryStream();
        await user.Downloads.DownloadToAsync(result.Track.Id, download, Ct);
        Assert.Equal(await File.ReadAllBytesAsync(path, Ct), download.ToArray());
    }

    [Fact]
    public async Task The_locker_wide_default_applies_and_one_upload_can_turn_it_off()
    {
        using var folder = new TempFolder();
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.InMemory, configure: o => o.FastStart = true);
        await using var _ = test;

        var byDefault = await test.Locker.ForUser("alice").Uploads.UploadFileAsync(AudioFiles.M4a("moov-at-end.m4a"), cancellationToken: Ct);
        var off = await test.Locker.ForUser("bob").Uploads.UploadFileAsync(AudioFiles.M4a("moov-at-end.m4a"), new UploadOptions { FastStart = false }, cancellationToken: Ct);

        Assert.Equal(FastStartDecision.Rewrite, byDefault.FastStart);
        Assert.Equal("ftyp free moov mdat", Mp4Tools.Layout(await DownloadAsync(test.Locker.ForUser("alice"), byDefault.Track.Id)));
        Assert.Equal(FastStartDecision.Unknown, off.FastStart);
        Assert.Equal(await File.ReadAllBytesAsync(AudioFiles.M4a("moov-at-end.m4a"), Ct), await DownloadAsync(test.Locker.ForUser("bob"), off.Track.Id));
    }

    [Fact]
    public async Task A_stream_that_cannot_seek_is_spooled_and_stored_fast_started()
    {
        using var folder = new TempFolder();
        byte[] original = await File.ReadAllBytesAsync(AudioFiles.M4a("big-cover-moov-at-end.m4a"), Ct);
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem, configure: o => o.TempFolder = Path.Combine(folder.Path, "spool"));
        await using var _ = test;
        Directory.CreateDirectory(Path.Combine(folder.Path, "spool"));
        var user = test.Locker.ForUser("alice");

        var result = await user.Uploads.UploadAsync(new ForwardOnlyBytes(original), new UploadOptions { FastStart = true }, cancellationToken: Ct);

        Assert.Equal(FastStartDecision.Rewrite, result.FastStart);
        Assert.Equal(await RewriteAsync(original), await DownloadAsync(user, result.Track.Id));
        Assert.Empty(Directory.GetFiles(Path.Combine(folder.Path, "spool")));

        // The cover lives in the moved moov: the sidecar finds it there, the same picture as in the file as given.
        var plain = await test.Locker.ForUser("bob").Uploads.UploadAsync(new MemoryStream(original), cancellationToken: Ct);
        var (plainType, plainCover) = await CoverAsync(test.Locker.ForUser("bob"), plain.Track.Id);
        var (fastType, fastCover) = await CoverAsync(user, result.Track.Id);
        Assert.Equal(plainType, fastType);
        Assert.Equal(plainCover, fastCover);
    }

    [Fact]
    public async Task A_stream_that_is_not_audio_is_refused_within_its_first_MiBs_not_after_spooling_all_of_it()
    {
        // Found by an outside test: 300 MB of random bytes were spooled to the temp folder whole before the 415.
        using var folder = new TempFolder();
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.InMemory, configure: o => o.TempFolder = Path.Combine(folder.Path, "spool"));
        await using var _ = test;
        var random = new RandomBytes(256L * 1024 * 1024);
        var ex = await Assert.ThrowsAsync<LockerException>(() => test.Locker.ForUser("alice").Uploads.UploadAsync(random, cancellationToken: Ct));
        Assert.Equal(LockerErrorCode.UnsupportedFormat, ex.ErrorCode);
        Assert.InRange(random.BytesRead, 1, 16L * 1024 * 1024);
        Assert.Empty(Directory.GetFiles(Path.Combine(folder.Path, "spool")));

        // Only what the file is, not its structure, is judged while it spools (found in review): a moov-at-end M4A whose
        // last box says "to the end of the file" (size 0) is refused by the push parser, yet fine to fast-start.
        byte[] m4a = await File.ReadAllBytesAsync(AudioFiles.M4a("moov-at-end.m4a"), Ct);
        var moov = Mp4Tools.TopLevelBoxes(m4a).Single(b => b.Type == "moov");
        Assert.Equal(m4a.Length, moov.Offset + moov.Size);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(m4a.AsSpan((int)moov.Offset), 0);
        var fast = await test.Locker.ForUser("carol").Uploads.UploadAsync(new ForwardOnlyBytes(m4a), new UploadOptions { FastStart = true }, cancellationToken: Ct);
        Assert.Equal(UploadOutcome.Stored, fast.Outcome);

        // An MP3 from a stream that cannot seek is sniffed as it spools and stored.
        byte[] mp3 = await File.ReadAllBytesAsync(AudioFiles.Mp3("cbr-info-lame.mp3"), Ct);
        var stored = await test.Locker.ForUser("bob").Uploads.UploadAsync(new ForwardOnlyBytes(mp3), cancellationToken: Ct);
        Assert.Equal(UploadOutcome.Stored, stored.Outcome);
    }

    /// <summary>Random bytes, forward only, counting what was read.</summary>
    private sealed class RandomBytes(long length) : ForwardOnlyReadStream
    {
        private readonly Random _random = new(11);

        public long BytesRead { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, length - BytesRead);
            _random.NextBytes(buffer[..n]);
            BytesRead += n;
            return n;
        }
    }

    private static async Task<(string, byte[])> CoverAsync(IUserLocker user, Guid trackId)
    {
        await using var cover = await user.Downloads.OpenCoverArtAsync(trackId, Ct);
        var bytes = new MemoryStream();
        await cover.Content.CopyToAsync(bytes, Ct);
        return (cover.MimeType, bytes.ToArray());
    }

    [Fact]
    public async Task A_vouched_content_hash_is_the_hash_of_the_file_as_given_and_a_wrong_one_stores_nothing()
    {
        using var folder = new TempFolder();
        string path = AudioFiles.M4a("moov-at-end.m4a");
        byte[] original = await File.ReadAllBytesAsync(path, Ct);
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        var user = test.Locker.ForUser("alice");

        var wrong = await Assert.ThrowsAsync<LockerException>(() => user.Uploads.UploadFileAsync(path, new UploadOptions { FastStart = true, ContentHash = new string('a', 64) }, cancellationToken: Ct));
        Assert.Equal(LockerErrorCode.SourceChanged, wrong.ErrorCode);
        Assert.Contains(Sha256(original), wrong.Message, StringComparison.Ordinal);
        Assert.Empty(await test.UserObjectsAsync());
        Assert.Equal(0, (await user.Quota.GetStatusAsync(Ct)).ReservedBytes + (await user.Quota.GetStatusAsync(Ct)).UsedBytes);

        var right = await user.Uploads.UploadFileAsync(path, new UploadOptions { FastStart = true, ContentHash = Sha256(original) }, cancellationToken: Ct);
        Assert.Equal(UploadOutcome.Stored, right.Outcome);
        Assert.Equal(FastStartDecision.Rewrite, right.FastStart);
        Assert.Equal(Sha256(await RewriteAsync(original)), right.Track.ContentHash);
    }

    [Fact]
    public async Task An_interrupted_fast_start_upload_resumes_in_the_layout_it_started_with()
    {
        using var folder = new TempFolder();
        string path = AudioFiles.M4a("big-cover-moov-at-end.m4a"); // 110 KB: seven 16 KiB parts
        byte[] original = await File.ReadAllBytesAsync(path, Ct);
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        var user = test.Locker.ForUser("alice");

        // Paused after two parts: the pause records both (the checkpoints run behind the parts, the pause catches up).
        var pending = await SyncProgress.InterruptAsync(user, path, 2 * 16 * 1024, new UploadOptions { FastStart = true });
        Assert.Equal((await RewriteAsync(original)).Length, pending.TotalBytes);
        Assert.Equal(2 * 16 * 1024, pending.StoredBytes);

        // The original file, which is not the rewrite, cannot continue it... as given: the resume rewrites it again.
        var resumed = await user.Uploads.ResumeAsync(pending.Id, path, new UploadOptions { FastStart = false }, cancellationToken: Ct);

        Assert.Equal(UploadOutcome.Stored, resumed.Outcome);
        Assert.Equal(FastStartDecision.Rewrite, resumed.FastStart);
        Assert.Equal(await RewriteAsync(original), await DownloadAsync(user, resumed.Track.Id));
    }

    [Fact]
    public async Task A_fast_start_upload_resumed_with_a_file_that_cannot_be_rewritten_changes_nothing()
    {
        using var folder = new TempFolder();
        string path = AudioFiles.M4a("big-cover-moov-at-end.m4a");
        FaultyBlobStore? faulty = null;
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem, wrap: s => faulty = new FaultyBlobStore(s) { FailAt = 9, StayDown = true });
        await using var _ = test;
        var user = test.Locker.ForUser("alice");
        await Assert.ThrowsAsync<LockerException>(() => user.Uploads.UploadFileAsync(path, new UploadOptions { FastStart = true }, cancellationToken: Ct));
        faulty!.FailAt = 0;
        var pending = Assert.Single(await user.Uploads.ListPendingAsync(Ct));

        var e = await Assert.ThrowsAsync<LockerException>(() => user.Uploads.ResumeAsync(pending.Id, AudioFiles.M4a("faststart-tagged.m4a"), cancellationToken: Ct));

        Assert.Equal(LockerErrorCode.SourceChanged, e.ErrorCode);
        Assert.Equal(pending.StoredBytes, Assert.Single(await user.Uploads.ListPendingAsync(Ct)).StoredBytes);
    }

    [Fact]
    public async Task A_damaged_m4a_is_refused_with_its_media_error_before_anything_is_stored()
    {
        using var folder = new TempFolder();
        byte[] file = await File.ReadAllBytesAsync(AudioFiles.M4a("moov-at-end.m4a"), Ct);
        byte[] twice = [.. file, .. Mp4Surgery.Box(file, "moov")]; // a second moov
        string path = Path.Combine(folder.Path, "two-moov.m4a");
        await File.WriteAllBytesAsync(path, twice, Ct);
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        var user = test.Locker.ForUser("alice");

        var e = await Assert.ThrowsAsync<LockerException>(() => user.Uploads.UploadFileAsync(path, new UploadOptions { FastStart = true }, cancellationToken: Ct));

        Assert.Equal(LockerErrorCode.CorruptFile, e.ErrorCode);
        Assert.IsType<MediaFormatException>(e.InnerException);
        Assert.Empty(await test.UserObjectsAsync());
        Assert.Equal(0, (await user.Quota.GetStatusAsync(Ct)).ReservedBytes);
    }

    private static async Task<byte[]> RewriteAsync(byte[] original)
    {
        var output = new MemoryStream();
        var plan = await new Mp4FastStart().RewriteAsync(new BytesSource(original), output, Ct);
        Assert.True(plan.IsApplicable, plan.Reason);
        return output.ToArray();
    }

    private static async Task<byte[]> DownloadAsync(IUserLocker user, Guid trackId)
    {
        var download = new MemoryStream();
        await user.Downloads.DownloadToAsync(trackId, download, Ct);
        return download.ToArray();
    }

    private static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private sealed class BytesSource(byte[] data) : IRandomAccessSource
    {
        public long Length => data.Length;

        public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = (int)Math.Clamp(data.Length - offset, 0, buffer.Length);
            data.AsSpan((int)Math.Min(offset, data.Length), n).CopyTo(buffer.Span);
            return ValueTask.FromResult(n);
        }
    }

    private sealed class ForwardOnlyBytes(byte[] data) : ForwardOnlyReadStream
    {
        private int _position;

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }
}
