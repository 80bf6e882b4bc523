using MusicLocker.Storage.Providers;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests.Providers;

public sealed class RangedReadTests
{
    private static readonly BlobKey Key = BlobKey.Parse("music/track.flac");
    private readonly FakeReadTransport _transport = new();
    private readonly byte[] _bytes = TestData.Bytes(100);

    public RangedReadTests()
    {
        _transport.Put(Key, _bytes);
    }

    [Fact]
    public async Task A_suffix_range_is_resolved_from_a_head_and_pinned_to_its_version()
    {
        using var download = await OpenAsync(ByteRange.Suffix(10));

        Assert.Equal(["HEAD music/track.flac", "GET music/track.flac bytes=90-99 \"v1\""], _transport.Requests);
        Assert.Equal((90L, 10L, 100L), (download.Offset, download.Length, download.Properties.Length));
        Assert.Equal(_bytes[90..], await ReadAllAsync(download));
    }

    [Fact]
    public async Task A_suffix_longer_than_the_blob_reads_all_of_it()
    {
        using var download = await OpenAsync(ByteRange.Suffix(500));

        Assert.Equal("GET music/track.flac bytes=0-99 \"v1\"", _transport.Requests[^1]);
        Assert.Equal(_bytes, await ReadAllAsync(download));
    }

    [Fact]
    public async Task A_suffix_of_an_empty_blob_is_unsatisfiable_without_a_get()
    {
        _transport.Put(Key, []);

        var ex = await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => OpenAsync(ByteRange.Suffix(5)));

        Assert.Equal((ByteRange.Suffix(5), 0L), (ex.Range, ex.BlobLength));
        Assert.Equal(["HEAD music/track.flac"], _transport.Requests);
    }

    [Fact]
    public async Task An_absolute_range_is_one_get_without_a_head()
    {
        using var download = await OpenAsync(new ByteRange(10, 20));

        Assert.Equal(["GET music/track.flac bytes=10-29 any"], _transport.Requests);
        Assert.Equal(_bytes[10..30], await ReadAllAsync(download));
    }

    [Fact]
    public async Task A_range_past_the_end_names_the_range_the_caller_asked()
    {
        var ex = await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => OpenAsync(new ByteRange(100)));

        Assert.Equal((BlobErrorCode.RangeNotSatisfiable, new ByteRange(100), 100L), (ex.ErrorCode, ex.Range, ex.BlobLength));
    }

    [Fact]
    public async Task A_blob_that_changes_between_head_and_get_is_read_again_from_its_new_version()
    {
        var newer = TestData.Bytes(50, seed: 2);
        int gets = 0;
        _transport.BeforeGet = () =>
        {
            if (gets++ == 0)
            {
                _transport.Put(Key, newer); // a writer replaces the blob after the first HEAD
            }
        };

        using var download = await OpenAsync(ByteRange.Suffix(10));

        Assert.Equal(
            ["HEAD music/track.flac", "GET music/track.flac bytes=90-99 \"v1\"", "HEAD music/track.flac", "GET music/track.flac bytes=40-49 \"v2\""],
            _transport.Requests);
        Assert.Equal(newer[40..], await ReadAllAsync(download));
        Assert.Equal(1, _transport.OpenResponses);
    }

    [Fact]
    public async Task A_blob_that_keeps_changing_fails_as_a_condition_after_a_few_restarts()
    {
        _transport.BeforeGet = () => _transport.Put(Key, _bytes);

        var ex = await Assert.ThrowsAsync<BlobConditionFailedException>(() => OpenAsync(ByteRange.Suffix(10)));

        Assert.Contains("changed while", ex.Message, StringComparison.Ordinal);
        Assert.Equal(RangedRead.MaxRestarts + 1, _transport.Requests.Count(r => r.StartsWith("GET", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_server_that_ignores_if_match_never_hands_over_another_version()
    {
        _transport.IgnoreIfMatch = true;
        int gets = 0;
        _transport.BeforeGet = () =>
        {
            if (gets++ == 0)
            {
                _transport.Put(Key, TestData.Bytes(100, seed: 3));
            }
        };

        using var download = await OpenAsync(ByteRange.Suffix(10));

        Assert.Equal("GET music/track.flac bytes=90-99 \"v2\"", _transport.Requests[^1]);
        Assert.Equal("\"v2\"", download.Properties.ETag.Value);
        Assert.Equal(TestData.Bytes(100, seed: 3)[90..], await ReadAllAsync(download));
        Assert.Equal(1, _transport.OpenResponses);
    }

    [Fact]
    public async Task The_callers_if_match_is_checked_against_the_head_and_never_restarted()
    {
        var ex = await Assert.ThrowsAsync<BlobConditionFailedException>(() =>
            RangedRead.OpenAsync(Key, new ReadBlobOptions { Range = ByteRange.Suffix(10), IfMatch = new ETag("\"old\"") }, _transport, Ct));

        Assert.Contains("\"old\"", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["HEAD music/track.flac"], _transport.Requests);
    }

    [Fact]
    public async Task The_callers_if_match_failing_on_the_get_is_not_retried()
    {
        var etag = _transport.Put(Key, _bytes);
        _transport.BeforeGet = () => _transport.Put(Key, _bytes);

        await Assert.ThrowsAsync<BlobConditionFailedException>(() =>
            RangedRead.OpenAsync(Key, new ReadBlobOptions { Range = ByteRange.Suffix(10), IfMatch = etag }, _transport, Ct));

        Assert.Single(_transport.Requests, r => r.StartsWith("GET", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_ignores_if_match_on_an_absolute_read_fails_the_callers_condition()
    {
        var old = new ETag("\"v1\"");
        _transport.Put(Key, _bytes); // now v2
        _transport.IgnoreIfMatch = true;

        await Assert.ThrowsAsync<BlobConditionFailedException>(() =>
            RangedRead.OpenAsync(Key, new ReadBlobOptions { Range = new ByteRange(0, 10), IfMatch = old }, _transport, Ct));
        Assert.Equal(0, _transport.OpenResponses);
    }

    [Fact]
    public async Task A_stretched_range_passes_on_only_the_bytes_asked()
    {
        _transport.StretchBy = 30;

        using var download = await OpenAsync(new ByteRange(0, 1));

        Assert.Equal(1, download.Length);
        Assert.Equal(_bytes[..1], await ReadAllAsync(download));
    }

    [Fact]
    public async Task An_ignored_range_from_the_start_passes_on_only_the_bytes_asked()
    {
        _transport.IgnoreRanges = true;

        using var download = await OpenAsync(new ByteRange(0, 10));

        Assert.Equal(_bytes[..10], await ReadAllAsync(download));
    }

    [Fact]
    public async Task An_ignored_range_elsewhere_is_an_error_not_other_bytes()
    {
        _transport.IgnoreRanges = true;

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => OpenAsync(new ByteRange(10, 10)));

        Assert.Equal(BlobErrorCode.Unknown, ex.ErrorCode);
        Assert.Equal(0, _transport.OpenResponses);
    }

    [Fact]
    public async Task A_shifted_range_is_an_error_not_other_bytes()
    {
        _transport.ShiftBy = 1;

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => OpenAsync(new ByteRange(10, 10)));

        Assert.Equal(BlobErrorCode.Unknown, ex.ErrorCode);
    }

    [Theory]
    [InlineData("bytes 0-9")]
    [InlineData("bytes 9-0/100")]
    [InlineData("bytes 0-100/100")]
    [InlineData("items 0-9/100")]
    [InlineData("bytes 0-9/*")]
    public async Task A_content_range_that_is_not_a_byte_range_of_the_blob_is_an_error(string contentRange)
    {
        _transport.ContentRangeOverride = contentRange;

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => OpenAsync(new ByteRange(0, 10)));

        Assert.Equal(BlobErrorCode.Unknown, ex.ErrorCode);
    }

    [Fact]
    public async Task A_whole_read_answered_with_part_of_the_blob_is_an_error()
    {
        _transport.ContentRangeOverride = "bytes 0-99/1000"; // 100 bytes of a blob the server says is 1000

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => OpenAsync(ByteRange.All));

        Assert.Equal(BlobErrorCode.Unknown, ex.ErrorCode);
    }

    [Fact]
    public async Task An_unsatisfiable_answer_with_a_2xx_still_tells_the_length()
    {
        _transport.IgnoreRanges = true;
        _transport.ContentRangeOverride = "bytes */100";

        var ex = await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => OpenAsync(new ByteRange(200, 10)));

        Assert.Equal(100, ex.BlobLength);
    }

    [Fact]
    public async Task An_empty_blob_answered_with_a_bogus_range_is_still_unsatisfiable()
    {
        _transport.Put(Key, []);
        _transport.IgnoreRanges = true;
        _transport.ContentRangeOverride = "bytes 0-0/0"; // s3rver's answer to bytes=0-0 of an empty blob

        var ex = await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => OpenAsync(new ByteRange(0, 1)));

        Assert.Equal(0, ex.BlobLength);
    }

    [Fact]
    public async Task A_body_cut_short_is_a_transient_storage_error_naming_the_blob_not_a_short_read()
    {
        _transport.CutBodyAfter = 4;
        using var download = await OpenAsync(new ByteRange(0, 10));

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => ReadAllAsync(download));

        Assert.Equal(BlobErrorCode.Unavailable, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.Equal(Key.Value, ex.Key);
        Assert.Contains("4 of 10", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_breaks_mid_read_is_a_transient_storage_error_with_the_cause()
    {
        _transport.BreakBodyAfter = 4;
        using var download = await OpenAsync(new ByteRange(0, 10));

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => ReadAllAsync(download));

        Assert.Equal((BlobErrorCode.Unavailable, Key.Value), (ex.ErrorCode, ex.Key));
        Assert.IsType<HttpIOException>(ex.InnerException);
        Assert.Contains("4 of 10", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_download_counts_bytes_read_as_they_are_read_under_the_targets_store()
    {
        string store = "fake-" + Guid.NewGuid().ToString("N");
        _transport.StoreName = store;
        using var telemetry = new TelemetryRecorder();
        using var download = await OpenAsync(new ByteRange(10, 50));
        Assert.Equal(0, telemetry.Sum("musiclocker.storage.bytes_read", store)); // opening reads nothing

        var buffer = new byte[7];
        int total = 0, n;
        while ((n = await download.Content.ReadAsync(buffer, Ct)) > 0)
        {
            total += n;
            Assert.Equal(total, telemetry.Sum("musiclocker.storage.bytes_read", store));
        }

        Assert.Equal(50, total);
    }

    [Fact]
    public async Task A_download_is_forward_only_and_disposing_it_releases_the_response()
    {
        var download = await OpenAsync(new ByteRange(0, 10));
        Assert.False(download.Content.CanSeek);
        Assert.Throws<NotSupportedException>(() => download.Content.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => download.Content.Position = 0);
        Assert.Equal(1, _transport.OpenResponses);

        await download.DisposeAsync();

        Assert.Equal(0, _transport.OpenResponses);
    }

    [Fact]
    public async Task Arguments_are_checked_before_any_request()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => RangedRead.OpenAsync(default, null, _transport, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => RangedRead.OpenAsync(Key, null, null!, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => RangedRead.OpenAsync(Key, new ReadBlobOptions { IfMatch = default(ETag) }, _transport, Ct));
        Assert.Throws<ArgumentException>(() => new RangedGetRequest(Key, ByteRange.Suffix(1), ByteRange.Suffix(1), null));
        Assert.Empty(_transport.Requests);
    }

    [Fact]
    public async Task Cancellation_reaches_the_transport()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var target = new CancelledTarget();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RangedRead.OpenAsync(Key, new ReadBlobOptions { Range = ByteRange.Suffix(1) }, target, cts.Token));
    }

    [Theory]
    [InlineData("bytes 0-9/100", true, 0L, 100L)]
    [InlineData("bytes 90-99/100", true, 90L, 100L)]
    [InlineData("BYTES 5-5/6", true, 5L, 6L)]
    [InlineData("bytes */100", false, 0L, 0L)]
    [InlineData("bytes -1-9/100", false, 0L, 0L)]
    [InlineData("bytes 0-9/x", false, 0L, 0L)]
    [InlineData("", false, 0L, 0L)]
    [InlineData(null, false, 0L, 0L)]
    public void Content_range_parsing(string? value, bool ok, long first, long length)
    {
        Assert.Equal(ok, RangeResponse.TryParseContentRange(value, out long f, out long l));
        Assert.Equal((first, length), ok ? (f, l) : (0L, 0L));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<BlobDownload> OpenAsync(ByteRange range) =>
        RangedRead.OpenAsync(Key, new ReadBlobOptions { Range = range }, _transport, Ct);

    private static async Task<byte[]> ReadAllAsync(BlobDownload download)
    {
        var buffer = new MemoryStream();
        await download.Content.CopyToAsync(buffer, 3, Ct);
        return buffer.ToArray();
    }

    private sealed class CancelledTarget : IRangedReadTarget
    {
        public string StoreName => "cancelled";

        public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken) =>
            Task.FromCanceled<BlobProperties>(cancellationToken);

        public Task<BlobDownload> GetAsync(RangedGetRequest request, CancellationToken cancellationToken) =>
            Task.FromCanceled<BlobDownload>(cancellationToken);
    }
}
