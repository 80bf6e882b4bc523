using MusicLocker.Testing;
using MusicLocker.Storage;

namespace MusicLocker.Tests;

/// <summary>
/// The store fails at each step of an upload in turn. Every run ends with a complete, byte-identical track or with
/// nothing (after the sweep), and the ledger agrees with storage: used bytes = the sizes of the catalogued tracks,
/// nothing reserved, and under <c>users/</c> exactly each track's object and sidecar.
/// </summary>
public sealed class FaultInjectionTests
{
    private const string Fixture = "mp3/id3v23-unsync.mp3"; // 36,805 bytes: 3 parts of 16 KiB

    private static string FixturePath => Path.Combine(AudioFiles.Root, Fixture);

    private static async Task<int> CleanRunCallsAsync()
    {
        using var folder = new TempFolder();
        FaultyBlobStore? faulty = null;
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem, wrap: s => faulty = new FaultyBlobStore(s));
        await using (test)
        {
            await test.Locker.ForUser("alice").Uploads.UploadFileAsync(FixturePath);
            return faulty!.MutatingCalls;
        }
    }

    public static TheoryData<int, bool> FaultPoints()
    {
        int calls = CleanRunCallsAsync().GetAwaiter().GetResult();
        var data = new TheoryData<int, bool>();
        for (int i = 1; i <= calls; i++)
        {
            data.Add(i, true);
            data.Add(i, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FaultPoints))]
    public async Task A_fault_at_any_step_ends_in_the_whole_track_or_nothing_and_ledger_equals_storage(int failAt, bool thenResume)
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        FaultyBlobStore? faulty = null;
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem, wrap: s => faulty = new FaultyBlobStore(s) { FailAt = failAt, StayDown = true });
        await using var _ = test;
        var user = test.Locker.ForUser("alice");
        byte[] original = await File.ReadAllBytesAsync(FixturePath, ct);

        UploadResult? result = null;
        try
        {
            result = await user.Uploads.UploadFileAsync(FixturePath, cancellationToken: ct);
        }
        catch (LockerException ex)
        {
            Assert.True(ex.ErrorCode == LockerErrorCode.Unavailable, $"fault {failAt}: {ex.ErrorCode} {ex.Message}\n{string.Join('\n', faulty!.Log)}");
        }

        // The store is back.
        faulty!.FailAt = 0;
        if (result is null && thenResume)
        {
            var pending = await user.Uploads.ListPendingAsync(ct);
            result = pending.Count == 1
                ? await user.Uploads.ResumeAsync(pending[0].Id, FixturePath, cancellationToken: ct)
                : await user.Uploads.UploadFileAsync(FixturePath, cancellationToken: ct);
            Assert.Equal(UploadOutcome.Stored, result.Outcome);
        }

        // Every reservation expires and every stale upload is swept.
        test.Clock.Advance(test.Options.StaleUploadAge + test.Options.ReservationLifetime + TimeSpan.FromMinutes(1));
        await test.Locker.SweepAsync(ct);

        bool stored = await LedgerCheck.WholeTrackOrNothingAsync(user, await test.UserObjectsAsync(), original, $"fault {failAt}");
        Assert.True(stored || !thenResume, $"fault {failAt}: the resumed upload left no track");
    }

    [Fact]
    public async Task Cancelled_mid_upload_then_resumed_by_a_new_process_sends_only_the_missing_parts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        string path = AudioFiles.Mp3("big-cover.mp3"); // 124,139 bytes: 8 parts of 16 KiB
        byte[] original = await File.ReadAllBytesAsync(path, ct);
        Guid sessionId;
        long storedBefore;
        var reports = new List<UploadProgress>();

        FaultyBlobStore? first = null;
        await using (var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem, clock, s => first = new FaultyBlobStore(s)))
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var progress = new SyncProgress(p =>
            {
                reports.Add(p);
                if (p.BytesTransferred >= 3 * 16 * 1024)
                {
                    cts.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => test.Locker.ForUser("alice").Uploads.UploadFileAsync(path, null, progress, cts.Token));
            Assert.Equal(3, first!.PartsUploaded);
            var pending = Assert.Single(await test.Locker.ForUser("alice").Uploads.ListPendingAsync(ct));
            sessionId = pending.Id;
            storedBefore = pending.StoredBytes;
            Assert.Equal(3 * 16 * 1024, storedBefore);
            Assert.Empty(await EndToEndTests.ToListAsync(test.Locker.ForUser("alice").Tracks.ListAsync(cancellationToken: ct)));
            Assert.Equal(original.Length, (await test.Locker.ForUser("alice").Quota.GetStatusAsync(ct)).ReservedBytes);
        }

        Assert.All(reports, r => Assert.Equal(original.Length, r.TotalBytes));
        Assert.Equal(reports.Select(r => r.BytesTransferred).Order(), reports.Select(r => r.BytesTransferred));
        Assert.Contains(reports, r => r.BytesPerSecond > 0 && r.EstimatedRemaining > TimeSpan.Zero);

        FaultyBlobStore? second = null;
        await using (var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem, clock, s => second = new FaultyBlobStore(s)))
        {
            var user = test.Locker.ForUser("alice");
            var result = await user.Uploads.ResumeAsync(sessionId, path, cancellationToken: ct);

            Assert.Equal(UploadOutcome.Stored, result.Outcome);
            Assert.Equal(8 - 3, second!.PartsUploaded);
            var download = new MemoryStream();
            await user.Downloads.DownloadToAsync(result.Track.Id, download, cancellationToken: ct);
            Assert.Equal(original, download.ToArray());
            var quota = await user.Quota.GetStatusAsync(ct);
            Assert.Equal(original.Length, quota.UsedBytes);
            Assert.Equal(0, quota.ReservedBytes);
            Assert.Empty(await user.Uploads.ListPendingAsync(ct));
            Assert.Equal(2, (await test.UserObjectsAsync()).Count);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_pause_or_failure_while_a_part_is_stored_records_every_part_stored_before_it(bool fail)
    {
        // The clock stands still: after the first, no checkpoint is due while the pass runs, so only the one the pass
        // writes as it stops records parts 2 and 3.
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        string path = AudioFiles.Mp3("big-cover.mp3"); // 124,139 bytes: 8 parts of 16 KiB
        Guid sessionId;
        FaultyBlobStore? first = null;
        await using (var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem, clock, s => first = new FaultyBlobStore(s)))
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            first!.BeforePart = (number, token) =>
            {
                if (number == 4)
                {
                    // The pause (or the store's failure) arrives while part 4 is being stored.
                    if (fail)
                    {
                        throw new BlobStoreException(BlobErrorCode.Unavailable, "injected fault storing part 4", "part 4");
                    }

                    cts.Cancel();
                    token.ThrowIfCancellationRequested();
                }
            };
            if (fail)
            {
                var error = await Assert.ThrowsAsync<LockerException>(() => test.Locker.ForUser("alice").Uploads.UploadFileAsync(path, cancellationToken: cts.Token));
                Assert.Equal(LockerErrorCode.Unavailable, error.ErrorCode);
            }
            else
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => test.Locker.ForUser("alice").Uploads.UploadFileAsync(path, cancellationToken: cts.Token));
            }

            var pending = Assert.Single(await test.Locker.ForUser("alice").Uploads.ListPendingAsync(ct));
            sessionId = pending.Id;
            Assert.Equal(3 * 16 * 1024, pending.StoredBytes);
        }

        FaultyBlobStore? second = null;
        await using (var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem, clock, s => second = new FaultyBlobStore(s)))
        {
            var user = test.Locker.ForUser("alice");
            var result = await user.Uploads.ResumeAsync(sessionId, path, cancellationToken: ct);

            Assert.Equal(8 - 3, second!.PartsUploaded);
            var download = new MemoryStream();
            await user.Downloads.DownloadToAsync(result.Track.Id, download, cancellationToken: ct);
            Assert.Equal(await File.ReadAllBytesAsync(path, ct), download.ToArray());
        }
    }

    [Fact]
    public async Task A_store_failure_while_the_next_part_is_read_is_what_the_caller_sees_when_that_read_then_fails_too()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        FaultyBlobStore? faulty = null;
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem, wrap: s => faulty = new FaultyBlobStore(s));
        await using var _ = test;
        string path = AudioFiles.Mp3("big-cover.mp3"); // 8 parts of 16 KiB
        using var source = new GatedStream(await File.ReadAllBytesAsync(path, ct), gateAt: 16 * 1024);
        faulty!.BeforePart = (number, _) =>
        {
            // Part 2 is being read ahead while part 1 is stored: the store fails, then so does that read.
            source.Gate.SetException(new InvalidOperationException("the source went away"));
            throw new BlobStoreException(BlobErrorCode.Unavailable, "injected fault storing part 1", "part 1");
        };

        var error = await Assert.ThrowsAsync<LockerException>(() => test.Locker.ForUser("alice").Uploads.UploadAsync(source, cancellationToken: ct));

        Assert.Equal(LockerErrorCode.Unavailable, error.ErrorCode);
    }

    [Fact]
    public async Task A_source_that_gets_shorter_during_the_upload_is_refused_as_changed_and_its_stored_parts_are_kept()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        FaultyBlobStore? faulty = null;
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem, clock, s => faulty = new FaultyBlobStore(s));
        await using var _ = test;
        var user = test.Locker.ForUser("alice");
        // 8 parts of 16 KiB; cut inside part 3 when part 4's read starts (part 3 is read already): that read finds no bytes.
        using var source = new ShrinkingStream(await File.ReadAllBytesAsync(AudioFiles.Mp3("big-cover.mp3"), ct), cutAt: 3 * 16 * 1024, newLength: 40 * 1024);

        var error = await Assert.ThrowsAsync<LockerException>(() => user.Uploads.UploadAsync(source, cancellationToken: ct));

        Assert.Equal(LockerErrorCode.SourceChanged, error.ErrorCode);
        Assert.Equal(3 * 16 * 1024, Assert.Single(await user.Uploads.ListPendingAsync(ct)).StoredBytes);
    }

    [Fact]
    public async Task A_source_stream_that_fails_mid_upload_is_a_typed_error_that_keeps_the_stored_parts_for_a_resume()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        var user = test.Locker.ForUser("alice");
        string path = AudioFiles.Mp3("big-cover.mp3"); // 8 parts of 16 KiB
        byte[] bytes = await File.ReadAllBytesAsync(path, ct);
        using var source = new FailingStream(bytes, failAt: 3 * 16 * 1024);

        var error = await Assert.ThrowsAsync<LockerException>(() => user.Uploads.UploadAsync(source, new UploadOptions { FileName = "big-cover.mp3" }, cancellationToken: ct));

        Assert.Equal(LockerErrorCode.FileUnreadable, error.ErrorCode);
        Assert.IsType<IOException>(error.InnerException);
        Assert.Contains("part 4", error.Message, StringComparison.Ordinal);
        var pending = Assert.Single(await user.Uploads.ListPendingAsync(ct));
        Assert.Equal(3 * 16 * 1024, pending.StoredBytes);
        var result = await user.Uploads.ResumeAsync(pending.Id, path, cancellationToken: ct);
        var download = new MemoryStream();
        await user.Downloads.DownloadToAsync(result.Track.Id, download, cancellationToken: ct);
        Assert.Equal(bytes, download.ToArray());
    }

    /// <summary>An app's stream whose read at <c>failAt</c> fails (a network share gone), after the probe.</summary>
    private sealed class FailingStream(byte[] bytes, int failAt) : MemoryStream(bytes, writable: false)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position == failAt ? ValueTask.FromException<int>(new IOException("The network path was not found.")) : base.ReadAsync(buffer, cancellationToken);
    }

    /// <summary>A file that gets shorter (to <c>newLength</c>) when a read starts at <c>cutAt</c>, after the probe.</summary>
    private sealed class ShrinkingStream : MemoryStream
    {
        private readonly int _cutAt;
        private readonly int _newLength;

        public ShrinkingStream(byte[] bytes, int cutAt, int newLength)
        {
            Write(bytes);
            Position = 0;
            (_cutAt, _newLength) = (cutAt, newLength);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position == _cutAt && Length > _newLength)
            {
                SetLength(_newLength);
            }

            return base.ReadAsync(buffer, cancellationToken);
        }
    }

    /// <summary>Bytes whose pass reads (the ones after a read of the first part) at <c>gateAt</c> wait for <see cref="Gate"/>.</summary>
    private sealed class GatedStream(byte[] bytes, int gateAt) : MemoryStream(bytes, writable: false)
    {
        private bool _passStarted;

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position == 0 && buffer.Length == gateAt)
            {
                _passStarted = true;
            }
            else if (_passStarted && Position == gateAt)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }

            return await base.ReadAsync(buffer, cancellationToken);
        }
    }

    [Fact]
    public async Task Resuming_with_another_file_is_refused_and_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.InMemory);
        await using var _ = test;
        var user = test.Locker.ForUser("alice");
        var pending = await SyncProgress.InterruptAsync(user, AudioFiles.Mp3("big-cover.mp3"));

        var error = await Assert.ThrowsAsync<LockerException>(() => user.Uploads.ResumeAsync(pending.Id, AudioFiles.Mp3("vbr-xing-lame.mp3"), cancellationToken: ct));

        Assert.Equal(LockerErrorCode.SourceChanged, error.ErrorCode);
        Assert.Equal(pending, Assert.Single(await user.Uploads.ListPendingAsync(ct)));
        var result = await user.Uploads.ResumeAsync(pending.Id, AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
        Assert.Equal(UploadOutcome.Stored, result.Outcome);
    }

    [Fact]
    public async Task Cancelling_a_pending_upload_releases_its_reservation_and_removes_its_parts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        var user = test.Locker.ForUser("alice");
        var pending = await SyncProgress.InterruptAsync(user, AudioFiles.Mp3("big-cover.mp3"));

        Assert.True(await user.Uploads.CancelAsync(pending.Id, ct));

        Assert.False(await user.Uploads.CancelAsync(pending.Id, ct));
        Assert.Empty(await user.Uploads.ListPendingAsync(ct));
        var quota = await user.Quota.GetStatusAsync(ct);
        Assert.Equal(0, quota.UsedBytes + quota.ReservedBytes);
        Assert.Empty(await test.UserObjectsAsync());
    }
}
