using MusicLocker.Storage.Providers;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests.Providers;

public sealed class ChunkedUploadTests
{
    private const int PartSize = 16;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeUploadTarget _target = new();

    public static TheoryData<int, bool> Sizes()
    {
        var data = new TheoryData<int, bool>();
        foreach (int size in new[] { 0, 1, PartSize - 1, PartSize, PartSize + 1, 3 * PartSize, (3 * PartSize) + 2 })
        {
            data.Add(size, true);
            data.Add(size, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Content_is_cut_into_full_parts_and_a_last_one_or_sent_whole_when_it_fits(int size, bool seekable)
    {
        var bytes = Generated(size);
        using var content = Input(bytes, seekable);

        var stored = await ChunkedUpload.RunAsync(content, PartSize, 2, _target, Ct);

        Assert.Equal(bytes, stored);
        if (size <= PartSize)
        {
            Assert.Equal(["single"], _target.Calls);
            Assert.Empty(_target.Tries);
        }
        else
        {
            Assert.Equal(["begin", "complete"], _target.Calls);
            var sizes = _target.Tries.OrderBy(t => t.PartNumber).Select(t => t.Bytes.Length).ToArray();
            Assert.Equal((size + PartSize - 1) / PartSize, sizes.Length);
            Assert.All(sizes[..^1], s => Assert.Equal(PartSize, s));
        }

        if (seekable)
        {
            Assert.Equal(size, content.Position);
        }
    }

    [Fact]
    public async Task A_seekable_stream_is_uploaded_from_its_current_position()
    {
        var bytes = Generated(50);
        using var content = new MemoryStream(bytes) { Position = 7 };

        var stored = await ChunkedUpload.RunAsync(content, PartSize, 2, _target, Ct);

        Assert.Equal(bytes[7..], stored);
        Assert.Equal(50, content.Position);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Parts_go_up_in_parallel_but_never_more_than_the_limit(bool seekable)
    {
        var bytes = Generated(10 * PartSize);
        using var content = Input(bytes, seekable);
        int entered = 0;
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _target.InsidePart = async (partNumber, ct) =>
        {
            // The first three parts wait for each other: the upload must have three in flight to get past this.
            if (partNumber <= 3)
            {
                if (Interlocked.Increment(ref entered) == 3)
                {
                    allIn.SetResult();
                }

                await allIn.Task.WaitAsync(Patience, ct);
            }
        };

        var stored = await ChunkedUpload.RunAsync(content, PartSize, 3, _target, Ct);

        Assert.Equal(bytes, stored);
        Assert.Equal(3, _target.MaxInFlight);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_retried_part_is_opened_again_and_sends_the_same_bytes(bool seekable)
    {
        var bytes = Generated(4 * PartSize);
        using var content = Input(bytes, seekable);
        _target.FailTransiently(2, tries: 2);

        var stored = await ChunkedUpload.RunAsync(content, PartSize, 4, _target, Ct);

        Assert.Equal(bytes, stored);
        var tries = _target.Tries.Where(t => t.PartNumber == 2).Select(t => t.Bytes).ToArray();
        Assert.Equal(3, tries.Length);
        Assert.All(tries, t => Assert.Equal(bytes[PartSize..(2 * PartSize)], t));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_failed_part_aborts_the_session_and_its_error_reaches_the_caller(bool seekable)
    {
        using var content = Input(Generated(6 * PartSize), seekable);
        _target.FailPart = 2;

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => ChunkedUpload.RunAsync(content, PartSize, 2, _target, Ct));

        Assert.Equal(BlobErrorCode.AccessDenied, ex.ErrorCode);
        Assert.Equal(["begin", "abort"], _target.Calls);
        Assert.False(_target.AbortTokenWasCancelled);
    }

    [Fact]
    public async Task A_cancelled_upload_is_aborted_with_a_token_that_still_works()
    {
        using var cts = new CancellationTokenSource();
        using var content = Input(Generated(6 * PartSize), seekable: false);
        _target.InsidePart = async (partNumber, ct) =>
        {
            if (partNumber == 2)
            {
                await cts.CancelAsync();
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ChunkedUpload.RunAsync(content, PartSize, 2, _target, cts.Token));

        Assert.Equal("abort", _target.Calls.Last());
        Assert.DoesNotContain("complete", _target.Calls);
        Assert.False(_target.AbortTokenWasCancelled);
    }

    [Fact]
    public async Task A_failed_single_request_is_not_a_session()
    {
        var target = new ThrowingSingleTarget();
        using var content = Input(Generated(5), seekable: false);

        await Assert.ThrowsAsync<IOException>(() => ChunkedUpload.RunAsync(content, PartSize, 2, target, Ct));
    }

    [Fact]
    public async Task Content_needing_more_parts_than_the_limit_is_refused_and_aborted()
    {
        using var content = new MemoryStream(new byte[BlobStoreLimits.MaxPartNumber + 1]);

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => ChunkedUpload.RunAsync(content, 1, 64, _target, Ct));

        Assert.Equal(BlobErrorCode.InvalidArgument, ex.ErrorCode);
        Assert.Equal("abort", _target.Calls.Last());
    }

    [Fact]
    public async Task Arguments_are_checked_before_any_call()
    {
        using var content = new MemoryStream([1, 2, 3]);
        using var writeOnly = new WriteOnlyStream();

        await Assert.ThrowsAsync<ArgumentNullException>(() => ChunkedUpload.RunAsync(null!, PartSize, 2, _target, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => ChunkedUpload.RunAsync<string, FakeUploadTarget.StoredPart, byte[]>(content, PartSize, 2, null!, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ChunkedUpload.RunAsync(content, 0, 2, _target, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ChunkedUpload.RunAsync(content, PartSize, 0, _target, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => ChunkedUpload.RunAsync(writeOnly, PartSize, 2, _target, Ct));
        Assert.Empty(_target.Calls);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The bytes a <see cref="GeneratedStream"/> of <paramref name="length"/> bytes produces.</summary>
    private static byte[] Generated(int length)
    {
        var bytes = new byte[length];
        using var stream = new GeneratedStream(length);
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The bytes as a seekable stream, or as a one-way stream that returns at most 5 bytes per read.</summary>
    private static Stream Input(byte[] bytes, bool seekable) =>
        seekable ? new MemoryStream(bytes, writable: false) : new GeneratedStream(bytes.Length, maxPerRead: 5);

    private sealed class ThrowingSingleTarget : IChunkedUploadTarget<string, string, string>
    {
        public Task<string> PutSingleAsync(PartBody content, CancellationToken cancellationToken) => throw new IOException("connection reset");

        public Task<string> BeginAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("no session for a single request");

        public Task<string> PutPartAsync(string session, int partNumber, PartBody content, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<string> CompleteAsync(string session, IReadOnlyList<string> parts, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task AbortAsync(string session, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing to abort");
    }

    private sealed class WriteOnlyStream : MemoryStream
    {
        public override bool CanRead => false;
    }
}
