using System.Security.Cryptography;
using System.Text;
using MusicLocker.Storage;

namespace MusicLocker.Testing.Storage;

/// <summary>
/// The <see cref="IBlobStore"/> contract, as one suite every provider runs by overriding <see cref="CreateStoreAsync"/>.
/// A new store (or an isolated namespace: a fresh folder, bucket or container) is made for every test.
/// </summary>
public abstract class BlobStoreConformanceTests : IAsyncLifetime
{
    private IBlobStore? _store;

    /// <summary>The store under test (a fresh one per test).</summary>
    protected IBlobStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates a new, empty store for one test.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    /// <summary>A second instance over the same stored data (as after a process restart). Default: the same instance.</summary>
    protected virtual Task<IBlobStore> ReopenAsync(IBlobStore store) => Task.FromResult(store);

    /// <summary>Features the provider's emulator lacks (declared once, in the subclass).</summary>
    protected virtual BlobStoreGaps Gaps => BlobStoreGaps.None;

    /// <summary>The emulator's name, for skip messages.</summary>
    protected virtual string EmulatorName => "emulator";

    /// <summary>Whether the store keeps blobs in this process's memory by design (the large-blob test then skips its memory check).</summary>
    protected virtual bool HoldsBlobsInProcessMemory => false;

    /// <summary>Part size for multipart tests (the portable minimum by default).</summary>
    protected virtual int PartSize => BlobStoreLimits.MinPartSize;

    /// <inheritdoc />
    public virtual async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        switch (_store)
        {
            case IAsyncDisposable a:
                await a.DisposeAsync();
                break;
            case IDisposable d:
                d.Dispose();
                break;
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Skips the calling test when the provider's emulator lacks <paramref name="gap"/>.</summary>
    protected void RequireFeature(BlobStoreGaps gap, string feature)
    {
        if ((Gaps & gap) != 0)
        {
            TestEnvironment.SkipForEmulatorGap(EmulatorName, feature);
        }
    }

    /// <summary>Makes a key.</summary>
    protected static BlobKey Key(string value) => BlobKey.Parse(value);

    /// <summary>Puts bytes under a key.</summary>
    protected Task<BlobProperties> PutAsync(string key, byte[] bytes, PutBlobOptions? options = null) =>
        Store.PutBytesAsync(Key(key), bytes, options, Ct);

    /// <summary>Reads a whole blob or a range.</summary>
    protected Task<byte[]> ReadAsync(string key, ByteRange range = default, ETag? ifMatch = null) =>
        Store.ReadAllBytesAsync(Key(key), new ReadBlobOptions { Range = range, IfMatch = ifMatch }, cancellationToken: Ct);

    // ---------------------------------------------------------------- put, read, properties

    [Fact]
    public async Task Put_then_read_returns_the_same_bytes()
    {
        var bytes = TestData.Bytes(100_000);
        await PutAsync("music/song.mp3", bytes);
        Assert.Equal(bytes, await ReadAsync("music/song.mp3"));
    }

    [Fact]
    public async Task Properties_report_length_etag_time_content_type_and_metadata()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        var put = await PutAsync("a/b.bin", TestData.Bytes(1234), new PutBlobOptions
        {
            ContentType = "audio/mpeg",
            Metadata = new Dictionary<string, string> { ["track-id"] = "42", ["Owner"] = "Ann Smith" },
        });
        var props = await Store.GetPropertiesAsync(Key("a/b.bin"), Ct);

        Assert.Equal(1234, props.Length);
        Assert.False(props.ETag.IsDefault);
        Assert.Equal(put.ETag, props.ETag);
        Assert.Equal("audio/mpeg", props.ContentType);
        Assert.Equal("42", props.Metadata["track-id"]);
        Assert.Equal("Ann Smith", props.Metadata["owner"]);
        Assert.InRange(props.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(Key("a/b.bin"), props.Key);
    }

    [Fact]
    public async Task Metadata_names_are_stored_lower_case()
    {
        await PutAsync("m", [1], new PutBlobOptions { Metadata = new Dictionary<string, string> { ["Album-Artist-Id"] = "x" } });
        var props = await Store.GetPropertiesAsync(Key("m"), Ct);
        Assert.Equal("x", Assert.Single(props.Metadata).Value);
        Assert.Equal("album-artist-id", props.Metadata.Keys.Single());
    }

    [Fact]
    public async Task Invalid_metadata_is_refused_and_nothing_is_stored()
    {
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => PutAsync("bad-meta", [1], new PutBlobOptions
        {
            Metadata = new Dictionary<string, string> { ["has space"] = "v" },
        }));
        Assert.Equal(BlobErrorCode.InvalidArgument, ex.ErrorCode);
        Assert.False(await Store.ExistsAsync(Key("bad-meta"), Ct));
    }

    [Fact]
    public async Task Metadata_names_differing_only_in_case_are_refused()
    {
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => PutAsync("dup-meta", [1], new PutBlobOptions
        {
            Metadata = new Dictionary<string, string> { ["Track"] = "1", ["track"] = "2" },
        }));
        Assert.Equal(BlobErrorCode.InvalidArgument, ex.ErrorCode);
        Assert.False(await Store.ExistsAsync(Key("dup-meta"), Ct));
    }

    [Fact]
    public async Task Metadata_over_the_size_limit_is_refused()
    {
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => PutAsync("big-meta", [1], new PutBlobOptions
        {
            Metadata = new Dictionary<string, string> { ["a"] = new string('v', BlobStoreLimits.MaxMetadataBytes) },
        }));
        Assert.Equal(BlobErrorCode.InvalidArgument, ex.ErrorCode);
        Assert.False(await Store.ExistsAsync(Key("big-meta"), Ct));
    }

    [Fact]
    public async Task A_content_type_of_70000_characters_is_refused_and_nothing_is_stored()
    {
        var huge = "audio/" + new string('x', 70_000);
        var put = await Assert.ThrowsAsync<BlobStoreException>(() => PutAsync("ct/huge", [1], new PutBlobOptions { ContentType = huge }));
        Assert.Equal(BlobErrorCode.InvalidArgument, put.ErrorCode);
        var start = await Assert.ThrowsAsync<BlobStoreException>(() => Store.StartMultipartUploadAsync(Key("ct/huge"), new PutBlobOptions { ContentType = huge }, Ct));
        Assert.Equal(BlobErrorCode.InvalidArgument, start.ErrorCode);
        Assert.False(await Store.ExistsAsync(Key("ct/huge"), Ct));

        // The folder stays listable and the key writable.
        await PutAsync("ct/fine", [2], new PutBlobOptions { ContentType = "audio/mpeg" });
        Assert.Equal(["ct/fine"], await ListKeysAsync("ct/"));
    }

    [Fact]
    public async Task A_content_type_at_the_length_limit_round_trips_and_one_longer_is_refused()
    {
        var longest = "application/" + new string('x', BlobStoreLimits.MaxContentTypeLength - "application/".Length);
        await PutAsync("ct/limit", [1], new PutBlobOptions { ContentType = longest });
        Assert.Equal(longest, (await Store.GetPropertiesAsync(Key("ct/limit"), Ct)).ContentType);
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => PutAsync("ct/over", [1], new PutBlobOptions { ContentType = longest + "x" }));
        Assert.Equal(BlobErrorCode.InvalidArgument, ex.ErrorCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("audio")]
    [InlineData("audio/")]
    [InlineData("/mpeg")]
    [InlineData("audio/mp eg")]
    [InlineData(" audio/mpeg")]
    [InlineData("audio/mpeg ")]
    [InlineData("audio/mpeg\r\nx-injected: 1")]
    [InlineData("audio/mpeg\0")]
    [InlineData("audio/mpeg; charset")]
    [InlineData("audio/mpeg; =utf-8")]
    [InlineData("text/plain; charset=\"utf-8")]
    [InlineData("t\u00EBxt/plain")]
    [InlineData("audio/mpeg, text/plain")]
    public async Task A_content_type_that_is_not_a_media_type_is_refused(string contentType)
    {
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => PutAsync("ct/bad", [1], new PutBlobOptions { ContentType = contentType }));
        Assert.Equal(BlobErrorCode.InvalidArgument, ex.ErrorCode);
        Assert.False(await Store.ExistsAsync(Key("ct/bad"), Ct));
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/vnd.musiclocker+json")]
    [InlineData("audio/mp4; codecs=\"mp4a.40.2\"")]
    public async Task A_media_type_with_parameters_round_trips(string contentType)
    {
        await PutAsync("ct/ok", [1], new PutBlobOptions { ContentType = contentType });
        Assert.Equal(contentType, (await Store.GetPropertiesAsync(Key("ct/ok"), Ct)).ContentType);
    }

    [Fact]
    public async Task Missing_blob_properties_throw_not_found()
    {
        var ex = await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.GetPropertiesAsync(Key("nope/none"), Ct));
        Assert.Equal(BlobErrorCode.BlobNotFound, ex.ErrorCode);
        Assert.Equal("nope/none", ex.Key);
    }

    [Fact]
    public async Task Missing_blob_read_throws_not_found()
    {
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(Key("nope"), null, Ct));
        Assert.False(await Store.ExistsAsync(Key("nope"), Ct));
    }

    [Fact]
    public async Task Zero_byte_blob_round_trips()
    {
        await PutAsync("empty", []);
        var props = await Store.GetPropertiesAsync(Key("empty"), Ct);
        Assert.Equal(0, props.Length);
        await using var download = await Store.OpenReadAsync(Key("empty"), null, Ct);
        Assert.Equal(0, download.Length);
        Assert.Equal(0, await download.Content.ReadAsync(new byte[16], Ct));
    }

    [Fact]
    public async Task Zero_byte_blob_has_no_satisfiable_range()
    {
        await PutAsync("empty", []);
        await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => ReadAsync("empty", new ByteRange(0)));
        await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => ReadAsync("empty", ByteRange.Suffix(10)));
    }

    [Fact]
    public async Task Put_replaces_the_blob_and_changes_its_etag()
    {
        var first = await PutAsync("x", TestData.Bytes(10, 1));
        var second = await PutAsync("x", TestData.Bytes(20, 2));
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(TestData.Bytes(20, 2), await ReadAsync("x"));
    }

    [Fact]
    public async Task Put_from_a_stream_that_returns_one_byte_at_a_time_stores_every_byte()
    {
        using var source = new GeneratedStream(70_000, seed: 7, maxPerRead: 1);
        await Store.PutAsync(Key("trickle"), source, null, Ct);
        await using var download = await Store.OpenReadAsync(Key("trickle"), null, Ct);
        Assert.Equal(source.Sha256, await TestData.Sha256Async(download.Content, Ct));
    }

    [Fact]
    public async Task An_open_read_keeps_reading_the_version_it_opened()
    {
        var v1 = TestData.Bytes(300_000, 1);
        await PutAsync("pinned", v1);
        await using var download = await Store.OpenReadAsync(Key("pinned"), null, Ct);
        var first = new byte[1000];
        await download.Content.ReadExactlyAsync(first, Ct);
        await PutAsync("pinned", TestData.Bytes(300_000, 2));

        var rest = new byte[v1.Length - 1000];
        await download.Content.ReadExactlyAsync(rest, Ct);
        Assert.Equal(v1, first.Concat(rest).ToArray());
    }

    // ---------------------------------------------------------------- ranges

    private static readonly byte[] RangeBlob = TestData.Bytes(1000, 99);

    private async Task<BlobDownload> OpenRangeAsync(ByteRange range)
    {
        await PutAsync("r", RangeBlob);
        return await Store.OpenReadAsync(Key("r"), new ReadBlobOptions { Range = range }, Ct);
    }

    private async Task AssertRangeAsync(ByteRange range, int expectedOffset, int expectedLength)
    {
        await using var download = await OpenRangeAsync(range);
        Assert.Equal(expectedOffset, download.Offset);
        Assert.Equal(expectedLength, download.Length);
        Assert.Equal(RangeBlob.Length, download.Properties.Length);
        var bytes = new byte[expectedLength];
        await download.Content.ReadExactlyAsync(bytes, Ct);
        Assert.Equal(RangeBlob.AsSpan(expectedOffset, expectedLength).ToArray(), bytes);
        Assert.Equal(0, await download.Content.ReadAsync(new byte[1], Ct));
    }

    [Fact]
    public Task Range_of_the_first_byte() => AssertRangeAsync(new ByteRange(0, 1), 0, 1);

    [Fact]
    public Task Range_of_the_last_byte() => AssertRangeAsync(new ByteRange(999, 1), 999, 1);

    [Fact]
    public Task Open_ended_range_reads_to_the_end() => AssertRangeAsync(new ByteRange(250), 250, 750);

    [Fact]
    public Task Range_in_the_middle() => AssertRangeAsync(new ByteRange(100, 300), 100, 300);

    [Fact]
    public Task Range_running_past_the_end_is_clamped() => AssertRangeAsync(new ByteRange(990, 100), 990, 10);

    [Fact]
    public Task Suffix_range_reads_the_last_bytes() => AssertRangeAsync(ByteRange.Suffix(10), 990, 10);

    [Fact]
    public Task Suffix_longer_than_the_blob_reads_the_whole_blob() => AssertRangeAsync(ByteRange.Suffix(5000), 0, 1000);

    [Fact]
    public Task Whole_range_reads_everything() => AssertRangeAsync(ByteRange.All, 0, 1000);

    [Fact]
    public async Task Range_starting_at_the_length_is_not_satisfiable()
    {
        await PutAsync("r", RangeBlob);
        var ex = await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => ReadAsync("r", new ByteRange(1000)));
        Assert.Equal(1000, ex.BlobLength);
        Assert.Equal(BlobErrorCode.RangeNotSatisfiable, ex.ErrorCode);
    }

    [Fact]
    public async Task Range_starting_past_the_end_is_not_satisfiable()
    {
        await PutAsync("r", RangeBlob);
        await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => ReadAsync("r", new ByteRange(5000, 10)));
    }

    [Fact]
    public async Task Random_ranges_equal_slices_of_the_blob()
    {
        var blob = TestData.Bytes(200_000, 5);
        await PutAsync("slices", blob);
        var random = new Random(17);
        for (int i = 0; i < 25; i++)
        {
            int offset = random.Next(blob.Length);
            int length = random.Next(1, blob.Length - offset + 1);
            Assert.Equal(blob.AsSpan(offset, length).ToArray(), await ReadAsync("slices", new ByteRange(offset, length)));
        }
    }

    // ---------------------------------------------------------------- conditions

    [Fact]
    public async Task Create_only_put_succeeds_when_the_key_is_free()
    {
        await PutAsync("c", [1, 2], new PutBlobOptions { Conditions = BlobRequestConditions.CreateOnly });
        Assert.Equal(new byte[] { 1, 2 }, await ReadAsync("c"));
    }

    [Fact]
    public async Task Create_only_put_fails_when_the_key_exists_and_keeps_the_blob()
    {
        RequireFeature(BlobStoreGaps.ConditionalWrites, "If-None-Match on writes");
        await PutAsync("c", [1]);
        var ex = await Assert.ThrowsAsync<BlobConditionFailedException>(() => PutAsync("c", [2], new PutBlobOptions { Conditions = BlobRequestConditions.CreateOnly }));
        Assert.Equal("c", ex.Key);
        Assert.Equal(new byte[] { 1 }, await ReadAsync("c"));
    }

    [Fact]
    public async Task If_match_put_with_the_current_etag_replaces()
    {
        var v1 = await PutAsync("m", [1]);
        var v2 = await PutAsync("m", [2], new PutBlobOptions { Conditions = BlobRequestConditions.Matching(v1.ETag) });
        Assert.NotEqual(v1.ETag, v2.ETag);
        Assert.Equal(new byte[] { 2 }, await ReadAsync("m"));
    }

    [Fact]
    public async Task If_match_put_with_a_stale_etag_fails_and_keeps_the_current_blob()
    {
        RequireFeature(BlobStoreGaps.ConditionalWrites, "If-Match on writes");
        var v1 = await PutAsync("m", [1]);
        await PutAsync("m", [2]);
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => PutAsync("m", [3], new PutBlobOptions { Conditions = BlobRequestConditions.Matching(v1.ETag) }));
        Assert.Equal(new byte[] { 2 }, await ReadAsync("m"));
    }

    [Fact]
    public async Task If_match_put_on_a_missing_blob_fails()
    {
        RequireFeature(BlobStoreGaps.ConditionalWrites, "If-Match on writes");
        var other = await PutAsync("other", [1]);
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => PutAsync("missing", [3], new PutBlobOptions { Conditions = BlobRequestConditions.Matching(other.ETag) }));
        Assert.False(await Store.ExistsAsync(Key("missing"), Ct));
    }

    [Fact]
    public async Task Fifty_concurrent_create_only_puts_of_one_key_have_exactly_one_winner()
    {
        RequireFeature(BlobStoreGaps.ConditionalWrites, "If-None-Match on writes");
        await AssertOneWinnerAsync("race/one", writers: 50, size: 4096, BlobRequestConditions.CreateOnly);
    }

    [Fact]
    public async Task Concurrent_if_match_writers_on_one_version_have_exactly_one_winner()
    {
        RequireFeature(BlobStoreGaps.ConditionalWrites, "If-Match on writes");
        var v1 = await PutAsync("race/match", [0]);
        await AssertOneWinnerAsync("race/match", writers: 20, size: 2048, BlobRequestConditions.Matching(v1.ETag));
    }

    /// <summary>Races conditional puts of one key: exactly one must win, and the blob must hold the winner's bytes.</summary>
    private async Task AssertOneWinnerAsync(string key, int writers, int size, BlobRequestConditions conditions)
    {
        var tasks = Enumerable.Range(1, writers).Select(i => Task.Run(async () =>
        {
            try
            {
                await PutAsync(key, TestData.Bytes(size, i), new PutBlobOptions { Conditions = conditions });
                return i;
            }
            catch (BlobConditionFailedException)
            {
                return -1;
            }
        })).ToArray();
        var results = await Task.WhenAll(tasks);
        int winner = Assert.Single(results, r => r >= 0);
        Assert.Equal(TestData.Bytes(size, winner), await ReadAsync(key));
    }

    [Fact]
    public async Task Read_with_a_stale_etag_fails()
    {
        RequireFeature(BlobStoreGaps.ConditionalReads, "If-Match on reads");
        var v1 = await PutAsync("v", [1]);
        var v2 = await PutAsync("v", [2]);
        Assert.Equal(new byte[] { 2 }, await ReadAsync("v", ifMatch: v2.ETag));
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => ReadAsync("v", ifMatch: v1.ETag));
    }

    [Fact]
    public async Task Conflicting_conditions_are_refused_before_any_work()
    {
        var v = await PutAsync("cc", [1]);
        await Assert.ThrowsAsync<ArgumentException>(() => PutAsync("cc", [2], new PutBlobOptions
        {
            Conditions = new BlobRequestConditions { IfMatch = v.ETag, IfNoneMatchAny = true },
        }));
        Assert.Equal(new byte[] { 1 }, await ReadAsync("cc"));
    }

    // ---------------------------------------------------------------- delete

    [Fact]
    public async Task Delete_removes_the_blob()
    {
        await PutAsync("d", [1]);
        Assert.True(await Store.DeleteAsync(Key("d"), null, Ct));
        Assert.False(await Store.ExistsAsync(Key("d"), Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => ReadAsync("d"));
    }

    [Fact]
    public async Task Delete_of_a_missing_blob_returns_false()
    {
        Assert.False(await Store.DeleteAsync(Key("never/there"), null, Ct));
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_fails_and_keeps_the_blob()
    {
        RequireFeature(BlobStoreGaps.ConditionalDeletes, "If-Match on deletes");
        var v1 = await PutAsync("d", [1]);
        var v2 = await PutAsync("d", [2]);
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Store.DeleteAsync(Key("d"), BlobRequestConditions.Matching(v1.ETag), Ct));
        Assert.Equal(new byte[] { 2 }, await ReadAsync("d"));
        Assert.True(await Store.DeleteAsync(Key("d"), BlobRequestConditions.Matching(v2.ETag), Ct));
        Assert.False(await Store.ExistsAsync(Key("d"), Ct));
    }

    // ---------------------------------------------------------------- copy

    [Fact]
    public async Task Copy_makes_an_identical_blob_with_the_same_content_type_and_metadata()
    {
        var bytes = TestData.Bytes(70_000, 3);
        await PutAsync("src/a", bytes, new PutBlobOptions { ContentType = "audio/mp4", Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        var copy = await Store.CopyAsync(Key("src/a"), Key("dst/b"), null, Ct);
        Assert.Equal(bytes.Length, copy.Length);
        Assert.Equal(bytes, await ReadAsync("dst/b"));
        var props = await Store.GetPropertiesAsync(Key("dst/b"), Ct);
        Assert.Equal("audio/mp4", props.ContentType);
        Assert.Equal("v", props.Metadata["k"]);
        Assert.Equal(bytes, await ReadAsync("src/a"));
    }

    [Fact]
    public async Task Copy_of_a_missing_source_throws_not_found()
    {
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.CopyAsync(Key("nope"), Key("dst"), null, Ct));
        Assert.False(await Store.ExistsAsync(Key("dst"), Ct));
    }

    [Fact]
    public async Task Create_only_copy_onto_an_existing_blob_fails()
    {
        RequireFeature(BlobStoreGaps.ConditionalWrites, "If-None-Match on copies");
        await PutAsync("src", [1]);
        await PutAsync("dst", [2]);
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Store.CopyAsync(Key("src"), Key("dst"), BlobRequestConditions.CreateOnly, Ct));
        Assert.Equal(new byte[] { 2 }, await ReadAsync("dst"));
    }

    // ---------------------------------------------------------------- keys

    [Fact]
    public async Task Unicode_keys_round_trip_and_list_as_distinct_keys()
    {
        string[] keys = ["ünïcödé/Björk – Jóga.mp3", "日本語/曲.m4a", "emoji/🎵🎶.mp3", "nfc/\u00e9", "nfc/e\u0301"];
        for (int i = 0; i < keys.Length; i++)
        {
            await PutAsync(keys[i], TestData.Bytes(10 + i, i));
        }

        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(TestData.Bytes(10 + i, i), await ReadAsync(keys[i]));
        }

        var listed = await ListKeysAsync("");
        Assert.Equal(keys.OrderBy(k => k, Comparer<string>.Create(CompareUtf8)), listed);
    }

    [Fact]
    public async Task Keys_with_url_and_shell_special_characters_round_trip()
    {
        string[] keys = ["a b/c+d.mp3", "100%/x?y#z&w=1", "quote'\"/semi;colon", "tilde~/star*[1]", "colon:/pipe|<>"];
        foreach (var k in keys)
        {
            await PutAsync(k, Encoding.UTF8.GetBytes(k));
        }

        foreach (var k in keys)
        {
            Assert.Equal(Encoding.UTF8.GetBytes(k), await ReadAsync(k));
        }

        Assert.Equal(keys.Length, (await ListKeysAsync("")).Count);
    }

    [Fact]
    public async Task A_key_and_a_key_below_it_coexist()
    {
        await PutAsync("album", [1]);
        await PutAsync("album/track", [2]);
        Assert.Equal(new byte[] { 1 }, await ReadAsync("album"));
        Assert.Equal(new byte[] { 2 }, await ReadAsync("album/track"));
        Assert.Equal(["album", "album/track"], await ListKeysAsync("album"));
    }

    [Fact]
    public async Task A_long_deep_key_round_trips()
    {
        var key = string.Join('/', Enumerable.Range(0, 40).Select(i => $"segment{i:D2}-ab")); // 40 × 14 + 39 = 599 bytes
        key += "/" + new string('z', 200);
        Assert.True(Encoding.UTF8.GetByteCount(key) <= BlobKey.MaxUtf8Length);
        await PutAsync(key, [7]);
        Assert.Equal(new byte[] { 7 }, await ReadAsync(key));
        Assert.Equal([key], await ListKeysAsync("segment00"));
    }

    // ---------------------------------------------------------------- listing

    [Fact]
    public async Task Listing_2500_keys_pages_through_all_of_them_in_order()
    {
        var keys = Enumerable.Range(0, 2500).Select(i => $"many/{i % 7}/{i:D5}").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (k, ct) =>
            await Store.PutBytesAsync(Key(k), Encoding.ASCII.GetBytes(k), null, ct));
        await PutAsync("other/x", [1]);

        var listed = await ListKeysAsync("many/");
        keys.Sort(StringComparer.Ordinal);
        Assert.Equal(keys, listed);
    }

    [Fact]
    public async Task Listing_by_a_partial_segment_prefix_matches_text_not_segments()
    {
        foreach (var k in new[] { "music/album/1", "music/alpha", "music/al", "music/b/1", "musicbox", "mus" })
        {
            await PutAsync(k, [1]);
        }

        Assert.Equal(["music/al", "music/album/1", "music/alpha"], await ListKeysAsync("music/al"));
        Assert.Equal(["music/al", "music/album/1", "music/alpha", "music/b/1", "musicbox"], await ListKeysAsync("music"));
        Assert.Empty(await ListKeysAsync("music/zzz"));
        Assert.Empty(await ListKeysAsync("nothing/"));
    }

    [Fact]
    public async Task Listing_orders_keys_by_their_bytes()
    {
        string[] keys = ["a/b", "a-", "a0", "a", "B", "b", "é", "z"];
        foreach (var k in keys)
        {
            await PutAsync(k, [1]);
        }

        Assert.Equal(["B", "a", "a-", "a/b", "a0", "b", "z", "é"], await ListKeysAsync(""));
    }

    [Fact]
    public async Task Listing_reports_length_and_etag()
    {
        var put = await PutAsync("sized", TestData.Bytes(321));
        var item = Assert.Single(await ListAsync("sized"));
        Assert.Equal(321, item.Length);
        Assert.Equal(put.ETag, item.ETag);
        Assert.Equal(Key("sized"), item.Key);
    }

    [Fact]
    public async Task Listing_an_empty_store_yields_nothing()
    {
        Assert.Empty(await ListAsync(""));
    }

    [Fact]
    public async Task Deleted_blobs_are_not_listed()
    {
        await PutAsync("l/1", [1]);
        await PutAsync("l/2", [1]);
        await Store.DeleteAsync(Key("l/1"), null, Ct);
        Assert.Equal(["l/2"], await ListKeysAsync("l/"));
    }

    // ---------------------------------------------------------------- multipart

    private async Task<(byte[] Whole, UploadedPart[] Parts, MultipartUpload Upload)> UploadPartsAsync(IBlobStore store, string key, params int[] sizes)
    {
        var upload = await store.StartMultipartUploadAsync(Key(key), null, Ct);
        var whole = new List<byte>();
        var parts = new UploadedPart[sizes.Length];
        for (int i = 0; i < sizes.Length; i++)
        {
            var bytes = TestData.Bytes(sizes[i], 100 + i);
            whole.AddRange(bytes);
            parts[i] = await store.UploadPartAsync(upload, i + 1, new MemoryStream(bytes), Ct);
            Assert.Equal(i + 1, parts[i].PartNumber);
            Assert.Equal(sizes[i], parts[i].Length);
        }

        return (whole.ToArray(), parts, upload);
    }

    [Fact]
    public async Task Multipart_upload_joins_parts_in_order()
    {
        var (whole, parts, upload) = await UploadPartsAsync(Store, "mp/whole", PartSize, PartSize, 1);
        var props = await Store.CompleteMultipartUploadAsync(upload, parts, Ct);
        Assert.Equal(whole.Length, props.Length);
        await using var download = await Store.OpenReadAsync(Key("mp/whole"), null, Ct);
        Assert.Equal(SHA256.HashData(whole), await TestData.Sha256Async(download.Content, Ct));
        Assert.Equal(props.ETag, download.Properties.ETag);
    }

    [Fact]
    public async Task Multipart_upload_keeps_content_type_and_metadata()
    {
        var upload = await Store.StartMultipartUploadAsync(Key("mp/meta"), new PutBlobOptions { ContentType = "audio/aac", Metadata = new Dictionary<string, string> { ["a"] = "b" } }, Ct);
        var part = await Store.UploadPartAsync(upload, 1, new MemoryStream([1, 2, 3]), Ct);
        await Store.CompleteMultipartUploadAsync(upload, [part], Ct);
        var props = await Store.GetPropertiesAsync(Key("mp/meta"), Ct);
        Assert.Equal("audio/aac", props.ContentType);
        Assert.Equal("b", props.Metadata["a"]);
    }

    [Fact]
    public async Task Nothing_is_visible_before_a_multipart_upload_completes()
    {
        var (_, parts, upload) = await UploadPartsAsync(Store, "mp/hidden", 1000);
        Assert.False(await Store.ExistsAsync(Key("mp/hidden"), Ct));
        Assert.Empty(await ListAsync("mp/"));
        await Store.CompleteMultipartUploadAsync(upload, parts, Ct);
        Assert.True(await Store.ExistsAsync(Key("mp/hidden"), Ct));
    }

    [Fact]
    public async Task Multipart_upload_resumes_from_a_new_store_instance()
    {
        var upload = await Store.StartMultipartUploadAsync(Key("mp/resume"), null, Ct);
        var p1Bytes = TestData.Bytes(PartSize, 1);
        var p1 = await Store.UploadPartAsync(upload, 1, new MemoryStream(p1Bytes), Ct);

        // A new process knows only the key and the upload id it saved.
        var second = await ReopenAsync(Store);
        var resumed = new MultipartUpload(Key("mp/resume"), upload.UploadId);
        var p2Bytes = TestData.Bytes(777, 2);
        var p2 = await second.UploadPartAsync(resumed, 2, new MemoryStream(p2Bytes), Ct);
        await second.CompleteMultipartUploadAsync(resumed, [p1, p2], Ct);

        Assert.Equal(p1Bytes.Concat(p2Bytes).ToArray(), await Store.ReadAllBytesAsync(Key("mp/resume"), cancellationToken: Ct));
    }

    [Fact]
    public async Task Listing_parts_lets_a_new_instance_resume_without_its_own_records()
    {
        RequireFeature(BlobStoreGaps.ListParts, "ListParts");
        var (whole, parts, upload) = await UploadPartsAsync(Store, "mp/list", PartSize, 10);
        var second = await ReopenAsync(Store);
        var listed = await second.ListPartsAsync(new MultipartUpload(upload.Key, upload.UploadId), Ct);
        Assert.Equal(parts, listed);
        await second.CompleteMultipartUploadAsync(upload, listed, Ct);
        Assert.Equal(whole, await ReadAsync("mp/list"));
    }

    [Fact]
    public async Task A_part_uploaded_again_replaces_the_earlier_one()
    {
        RequireFeature(BlobStoreGaps.PartReplacement, "replacing a part with other bytes");
        var upload = await Store.StartMultipartUploadAsync(Key("mp/again"), null, Ct);
        await Store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(100, 1)), Ct);
        var again = await Store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(200, 2)), Ct);
        await Store.CompleteMultipartUploadAsync(upload, [again], Ct);
        Assert.Equal(TestData.Bytes(200, 2), await ReadAsync("mp/again"));
    }

    [Fact]
    public async Task Completing_with_a_stale_part_etag_fails_as_invalid_part()
    {
        RequireFeature(BlobStoreGaps.CompletionPartValidation, "part ETag checks on CompleteMultipartUpload");
        RequireFeature(BlobStoreGaps.PartReplacement, "replacing a part with other bytes");
        var upload = await Store.StartMultipartUploadAsync(Key("mp/stale"), null, Ct);
        var first = await Store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(100, 1)), Ct);
        await Store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(100, 2)), Ct);
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => Store.CompleteMultipartUploadAsync(upload, [first], Ct));
        Assert.Equal(BlobErrorCode.InvalidPart, ex.ErrorCode);
        Assert.False(await Store.ExistsAsync(Key("mp/stale"), Ct));
    }

    [Fact]
    public async Task Completing_with_parts_out_of_order_is_refused()
    {
        var (_, parts, upload) = await UploadPartsAsync(Store, "mp/order", PartSize, 10);
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => Store.CompleteMultipartUploadAsync(upload, [parts[1], parts[0]], Ct));
        Assert.Equal(BlobErrorCode.InvalidPart, ex.ErrorCode);
    }

    [Fact]
    public async Task Completing_with_a_part_never_stored_fails_as_invalid_part()
    {
        RequireFeature(BlobStoreGaps.CompletionPartValidation, "part checks on CompleteMultipartUpload");
        var (_, parts, upload) = await UploadPartsAsync(Store, "mp/missing", PartSize);
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => Store.CompleteMultipartUploadAsync(upload, [parts[0], parts[0] with { PartNumber = 2 }], Ct));
        Assert.Equal(BlobErrorCode.InvalidPart, ex.ErrorCode);
    }

    [Fact]
    public async Task Aborting_removes_the_upload_and_its_parts()
    {
        RequireFeature(BlobStoreGaps.AbortMultipart, "AbortMultipartUpload");
        var (_, parts, upload) = await UploadPartsAsync(Store, "mp/abort", 1000);
        await Store.AbortMultipartUploadAsync(upload, Ct);
        var ex = await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.CompleteMultipartUploadAsync(upload, parts, Ct));
        Assert.Equal(BlobErrorCode.UploadNotFound, ex.ErrorCode);
        Assert.False(await Store.ExistsAsync(Key("mp/abort"), Ct));
        await Store.AbortMultipartUploadAsync(upload, Ct); // aborting again does nothing
    }

    [Fact]
    public async Task Aborting_with_another_key_leaves_the_upload_alone()
    {
        RequireFeature(BlobStoreGaps.AbortMultipart, "AbortMultipartUpload");
        var (whole, parts, upload) = await UploadPartsAsync(Store, "mp/owner", 1000);
        var ex = await Record.ExceptionAsync(() => Store.AbortMultipartUploadAsync(upload with { Key = Key("mp/intruder") }, Ct));
        Assert.True(ex is null or BlobNotFoundException { ErrorCode: BlobErrorCode.UploadNotFound }, $"Aborting with another key must name no upload, not: {ex}");
        await Store.CompleteMultipartUploadAsync(upload, parts, Ct);
        Assert.Equal(whole, await ReadAsync("mp/owner"));
        Assert.False(await Store.ExistsAsync(Key("mp/intruder"), Ct));
    }

    [Fact]
    public async Task Create_only_multipart_completion_fails_when_the_key_exists()
    {
        RequireFeature(BlobStoreGaps.ConditionalWrites, "If-None-Match on multipart completion");
        await PutAsync("mp/exists", [9]);
        var upload = await Store.StartMultipartUploadAsync(Key("mp/exists"), new PutBlobOptions { Conditions = BlobRequestConditions.CreateOnly }, Ct);
        var part = await Store.UploadPartAsync(upload, 1, new MemoryStream([1]), Ct);
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Store.CompleteMultipartUploadAsync(upload, [part], Ct));
        Assert.Equal(new byte[] { 9 }, await ReadAsync("mp/exists"));
    }

    [Fact]
    public async Task Part_numbers_outside_1_to_10000_are_refused()
    {
        var upload = await Store.StartMultipartUploadAsync(Key("mp/range"), null, Ct);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.UploadPartAsync(upload, 0, new MemoryStream([1]), Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.UploadPartAsync(upload, 10_001, new MemoryStream([1]), Ct));
    }

    // ---------------------------------------------------------------- large blobs, failures, cancellation

    [Fact]
    public async Task A_200_MB_blob_is_written_and_read_as_a_stream_without_holding_it_in_memory()
    {
        // One large-blob test at a time in the process, so the heap measured is this test's (other providers' suites
        // run in parallel, and the in-memory store's 200 MB would otherwise count here).
        await LargeBlobGate.WaitAsync(Ct);
        try
        {
            await LargeBlobRoundTripAsync();
        }
        finally
        {
            LargeBlobGate.Release();
        }
    }

    private static readonly SemaphoreSlim LargeBlobGate = new(1, 1);

    private async Task LargeBlobRoundTripAsync()
    {
        const long size = 200L * 1024 * 1024;
        GC.Collect();
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        void Sample(long produced)
        {
            // Live objects only (a full collection at each sample): garbage from tests running in parallel must not count.
            if (produced % (16 * 1024 * 1024) < 128 * 1024)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }
        }

        using var source = new GeneratedStream(size, seed: 42) { Progress = Sample };
        var props = await Store.PutAsync(Key("big/200mb.bin"), source, null, Ct);
        Assert.Equal(size, props.Length);

        await using var download = await Store.OpenReadAsync(Key("big/200mb.bin"), null, Ct);
        Assert.Equal(size, download.Length);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[256 * 1024];
        long read = 0;
        int n;
        while ((n = await download.Content.ReadAsync(buffer, Ct)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            read += n;
            Sample(read);
        }

        Assert.Equal(size, read);
        Assert.Equal(source.Sha256, hash.GetHashAndReset());
        if (!HoldsBlobsInProcessMemory)
        {
            Assert.True(peak < 64L * 1024 * 1024, $"The live managed heap grew by {peak / (1024 * 1024)} MB while streaming a 200 MB blob; the store must not buffer it.");
        }
    }

    [Fact]
    public async Task Cancelling_mid_write_leaves_no_visible_blob()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var source = new GeneratedStream(8L * 1024 * 1024) { OnPosition = (1024 * 1024, cts.Cancel) };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync(Key("cancel/write"), source, null, cts.Token));
        Assert.False(await Store.ExistsAsync(Key("cancel/write"), Ct));
        Assert.Empty(await ListAsync("cancel/"));
    }

    [Fact]
    public async Task A_source_stream_failing_mid_write_keeps_the_previous_version()
    {
        await PutAsync("fail/keep", [1, 2, 3]);
        using var source = new GeneratedStream(4L * 1024 * 1024) { FailAfter = 1024 * 1024 };
        var ex = await Record.ExceptionAsync(() => Store.PutAsync(Key("fail/keep"), source, null, Ct));
        Assert.NotNull(ex);
        Assert.True(ex is IOException || ex.InnerException is IOException || ex is BlobStoreException, $"Unexpected {ex.GetType()}: {ex.Message}");
        Assert.Equal(new byte[] { 1, 2, 3 }, await ReadAsync("fail/keep"));
    }

    [Fact]
    public async Task Cancelling_mid_read_throws_operation_canceled()
    {
        await PutAsync("cancel/read", TestData.Bytes(2 * 1024 * 1024));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var download = await Store.OpenReadAsync(Key("cancel/read"), null, cts.Token);
        var buffer = new byte[64 * 1024];
        await download.Content.ReadExactlyAsync(buffer, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            while (await download.Content.ReadAsync(buffer, cts.Token) > 0)
            {
            }
        });
    }

    [Fact]
    public async Task A_cancelled_token_stops_every_operation_before_it_starts()
    {
        await PutAsync("pre", [1]);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.GetPropertiesAsync(Key("pre"), cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutBytesAsync(Key("pre2"), new byte[] { 1 }, null, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.DeleteAsync(Key("pre"), null, cts.Token));
        Assert.True(await Store.ExistsAsync(Key("pre"), Ct));
        Assert.False(await Store.ExistsAsync(Key("pre2"), Ct));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Lists keys under a prefix.</summary>
    protected async Task<List<string>> ListKeysAsync(string prefix) => (await ListAsync(prefix)).Select(i => i.Key.Value).ToList();

    /// <summary>Lists items under a prefix.</summary>
    protected async Task<List<BlobItem>> ListAsync(string prefix)
    {
        var items = new List<BlobItem>();
        await foreach (var item in Store.ListAsync(prefix, Ct))
        {
            items.Add(item);
        }

        return items;
    }

    private static int CompareUtf8(string? a, string? b) =>
        ((ReadOnlySpan<byte>)Encoding.UTF8.GetBytes(a ?? string.Empty)).SequenceCompareTo(Encoding.UTF8.GetBytes(b ?? string.Empty));
}
