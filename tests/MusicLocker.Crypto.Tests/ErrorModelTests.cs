using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>
/// One error model: <see cref="EncryptionException.ErrorCode"/>, codes from <c>Unknown = 0</c>, each code surfacing
/// through <see cref="IBlobStore"/> as a deliberate <see cref="BlobErrorCode"/>, and typed errors (with bounded
/// messages) for everything a caller can cause with data.
/// </summary>
public sealed class ErrorModelTests
{
    /// <summary>The table of docs/errors.md (section Crypto), held against the code.</summary>
    public static readonly TheoryData<EncryptionErrorCode, BlobErrorCode> Table = new()
    {
        { EncryptionErrorCode.Unknown, BlobErrorCode.Unknown },
        { EncryptionErrorCode.CiphertextInvalid, BlobErrorCode.IntegrityCheckFailed },
        { EncryptionErrorCode.KeyCommitmentMismatch, BlobErrorCode.IntegrityCheckFailed },
        { EncryptionErrorCode.UnsupportedFormat, BlobErrorCode.IntegrityCheckFailed },
        { EncryptionErrorCode.KeyUnwrapFailed, BlobErrorCode.IntegrityCheckFailed },
        { EncryptionErrorCode.KeyRecordInvalid, BlobErrorCode.IntegrityCheckFailed },
        { EncryptionErrorCode.KeyNotFound, BlobErrorCode.AccessDenied },
        { EncryptionErrorCode.KeyDestroyed, BlobErrorCode.KeyDestroyed },
        { EncryptionErrorCode.ConcurrentUpdate, BlobErrorCode.Unavailable },
        { EncryptionErrorCode.KeyRingInvalid, BlobErrorCode.AccessDenied },
        { EncryptionErrorCode.KeyServiceFailed, BlobErrorCode.Unavailable },
        { EncryptionErrorCode.KeyServiceRefused, BlobErrorCode.AccessDenied },
        { EncryptionErrorCode.KeyRingUnavailable, BlobErrorCode.AccessDenied },
        { EncryptionErrorCode.KeyVersionExhausted, BlobErrorCode.InvalidArgument },
        { EncryptionErrorCode.UploadIdInvalid, BlobErrorCode.InvalidArgument },
        { EncryptionErrorCode.PartConflict, BlobErrorCode.InvalidPart },
        { EncryptionErrorCode.KeyContextInvalid, BlobErrorCode.InvalidKey },
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Unknown_is_zero_and_the_default()
    {
        Assert.Equal(0, (int)EncryptionErrorCode.Unknown);
        Assert.Equal(EncryptionErrorCode.Unknown, default);
        Assert.Equal(EncryptionErrorCode.Unknown, new EncryptionException("x").ErrorCode);
        Assert.Equal(BlobErrorCode.Unknown, ((BlobStoreException)new EncryptionException("x")).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_code_surfaces_as_its_storage_code(EncryptionErrorCode code, BlobErrorCode expected)
    {
        var ex = new EncryptionException(code, "m", "k");
        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal(expected, ((BlobStoreException)ex).ErrorCode);

        // Only what a retry can fix is transient: a key service that could not be reached, and contention on a key record.
        Assert.Equal(code is EncryptionErrorCode.KeyServiceFailed or EncryptionErrorCode.ConcurrentUpdate, ex.IsTransient);
    }

    [Fact]
    public void The_table_names_every_code_and_only_unknown_is_unknown()
    {
        var named = Table.Select(row => (EncryptionErrorCode)row.Data.Item1).ToHashSet();
        Assert.Equal(Enum.GetValues<EncryptionErrorCode>().ToHashSet(), named);
        foreach (var code in Enum.GetValues<EncryptionErrorCode>().Where(c => c != EncryptionErrorCode.Unknown))
        {
            Assert.NotEqual(BlobErrorCode.Unknown, ((BlobStoreException)new EncryptionException(code, "m")).ErrorCode);
        }
    }

    [Fact]
    public async Task Tampered_ciphertext_read_through_the_store_is_an_integrity_failure()
    {
        using var f = await CryptoFixture.CreateAsync();
        var data = TestData.Bytes(50_000, 3);
        await f.Store.PutBytesAsync(BlobKey.Parse("ann/a.mp3"), data, null, Ct);
        await f.TamperAsync("ann/a.mp3", b =>
        {
            b[^5] ^= 1;
            return b;
        });

        // A caller written against IBlobStore only sees a storage code.
        IBlobStore store = f.Store;
        var ex = await Assert.ThrowsAnyAsync<BlobStoreException>(() => store.ReadAllBytesAsync(BlobKey.Parse("ann/a.mp3"), null, cancellationToken: Ct));
        Assert.Equal(BlobErrorCode.IntegrityCheckFailed, ex.ErrorCode);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public async Task A_key_without_a_user_segment_in_the_readme_owner_mapping_is_a_typed_error()
    {
        using var f = await CryptoFixture.CreateAsync();

        // The README's mapping, verbatim: keys "users/{id}/...".
        var store = new EncryptedBlobStore(f.Inner, f.Keys, new EncryptedBlobStoreOptions
        {
            OwnerOf = key => new KeyOwner("my-app", key.Value.Split('/')[1]),
        });
        var loose = BlobKey.Parse("loose.mp3");
        var bad = await Assert.ThrowsAsync<EncryptionException>(() => store.PutBytesAsync(loose, new byte[] { 1, 2, 3 }, null, Ct));
        Assert.Equal(EncryptionErrorCode.KeyContextInvalid, bad.ErrorCode);
        Assert.Equal(BlobErrorCode.InvalidKey, ((BlobStoreException)bad).ErrorCode);
        Assert.Equal("loose.mp3", bad.Key);
        Assert.IsType<IndexOutOfRangeException>(bad.InnerException);
        Assert.Equal(EncryptionErrorCode.KeyContextInvalid, (await Assert.ThrowsAsync<EncryptionException>(() => store.StartMultipartUploadAsync(loose, null, Ct))).ErrorCode);

        // Nothing was stored for the refused key, and a good key still works.
        Assert.False(await f.Inner.ExistsAsync(loose, Ct));
        await store.PutBytesAsync(BlobKey.Parse("users/ann/a.mp3"), new byte[] { 1, 2, 3 }, null, Ct);
        Assert.Equal([1, 2, 3], await store.ReadAllBytesAsync(BlobKey.Parse("users/ann/a.mp3"), null, cancellationToken: Ct));

        // A user segment that is no valid id (too long) is the same typed error, not an ArgumentException.
        var longId = BlobKey.Parse("users/" + new string('u', 300) + "/a.mp3");
        Assert.Equal(EncryptionErrorCode.KeyContextInvalid, (await Assert.ThrowsAsync<EncryptionException>(() => store.PutBytesAsync(longId, new byte[] { 1 }, null, Ct))).ErrorCode);
    }

    [Fact]
    public async Task A_mapping_that_returns_no_owner_is_refused()
    {
        using var f = await CryptoFixture.CreateAsync();
        var store = new EncryptedBlobStore(f.Inner, f.Keys, new EncryptedBlobStoreOptions { OwnerOf = _ => default });
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => store.PutBytesAsync(BlobKey.Parse("a/b"), new byte[] { 1 }, null, Ct));
        Assert.Equal(EncryptionErrorCode.KeyContextInvalid, ex.ErrorCode);
    }

    [Fact]
    public async Task A_cancellation_inside_the_owner_mapping_stays_a_cancellation()
    {
        using var f = await CryptoFixture.CreateAsync();
        var store = new EncryptedBlobStore(f.Inner, f.Keys, new EncryptedBlobStoreOptions { OwnerOf = _ => throw new OperationCanceledException() });
        await Assert.ThrowsAsync<OperationCanceledException>(() => store.PutBytesAsync(BlobKey.Parse("a/b"), new byte[] { 1 }, null, Ct));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\u0001b")]
    [InlineData("")]
    public void An_invalid_owner_id_is_a_typed_error(string userId)
    {
        var ex = Assert.Throws<EncryptionException>(() => new KeyOwner("t", userId));
        Assert.Equal(EncryptionErrorCode.KeyContextInvalid, ex.ErrorCode);
        Assert.Equal(EncryptionErrorCode.KeyContextInvalid, Assert.Throws<EncryptionException>(() => new KeyOwner(userId.Length == 0 ? "/" : userId, "u")).ErrorCode);
    }

    [Fact]
    public void Unpaired_surrogates_do_not_merge_two_owners_and_pairs_are_fine()
    {
        // Both would encode to the same UTF-8 (U+FFFD), so they would share key contexts; both are refused instead.
        Assert.Throws<EncryptionException>(() => new KeyOwner("t", "\ud800"));
        Assert.Throws<EncryptionException>(() => new KeyOwner("t", "\udbff"));
        Assert.Equal("t/\ud83c\udfb5", new KeyOwner("t", "\ud83c\udfb5").ToString());
        Assert.Equal(string.Empty, default(KeyOwner).ToString());
    }

    [Fact]
    public async Task An_oversized_key_context_is_a_typed_error()
    {
        using var folder = new TempFolder();
        using var ring = await LocalKeyRing.CreateAsync(Path.Combine(folder.Path, "ring.json"), Ct);
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => ring.GenerateKeyAsync(new KeyContext("t", "u", new string('o', 70_000)), Ct));
        Assert.Equal(EncryptionErrorCode.KeyContextInvalid, ex.ErrorCode);
        Assert.True(ex.Message.Length < 2_000, $"The message is {ex.Message.Length} characters.");
    }

    [Fact]
    public async Task Key_ring_errors_quote_a_long_context_in_bounded_form()
    {
        using var folder = new TempFolder();
        using var ring = await LocalKeyRing.CreateAsync(Path.Combine(folder.Path, "ring.json"), Ct);
        string big = new('x', 60_000);
        var context = new KeyContext(big, big, big);
        using var key = await ring.GenerateKeyAsync(context, Ct);
        var other = context with { ObjectId = big + "y" };
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => ring.UnwrapKeyAsync(key.WrappedKey, other, Ct));
        Assert.Equal(EncryptionErrorCode.KeyUnwrapFailed, ex.ErrorCode);
        Assert.True(ex.Message.Length < 2_000, $"The message is {ex.Message.Length} characters (a context of 180 KB must not be copied into it).");
        Assert.Contains("60001 chars", ex.Message, StringComparison.Ordinal);
        Assert.True(other.ToString().Length < 1_000);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\0path/ring.json")]
    public async Task A_key_ring_path_that_is_no_path_is_key_ring_unavailable(string path)
    {
        var open = await Assert.ThrowsAsync<EncryptionException>(() => LocalKeyRing.OpenAsync(path, Ct));
        Assert.Equal(EncryptionErrorCode.KeyRingUnavailable, open.ErrorCode);
        var create = await Assert.ThrowsAsync<EncryptionException>(() => LocalKeyRing.CreateAsync(path, Ct));
        Assert.Equal(EncryptionErrorCode.KeyRingUnavailable, create.ErrorCode);
    }

    [Fact]
    public async Task A_huge_upload_id_is_refused_with_a_bounded_message()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: 16 * 1024);
        var upload = new MultipartUpload(BlobKey.Parse("ann/u.mp3"), new string('A', 1_000_000) + ".AAAA");
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => f.Store.UploadPartAsync(upload, 1, new MemoryStream([1]), Ct));
        Assert.Equal(EncryptionErrorCode.UploadIdInvalid, ex.ErrorCode);
        Assert.True(ex.Message.Length < 2_000, $"The message is {ex.Message.Length} characters.");
    }

    [Fact]
    public async Task A_foreign_blob_among_the_user_key_records_does_not_stop_a_master_key_rotation()
    {
        using var f = await CryptoFixture.CreateAsync();
        await f.Store.PutBytesAsync(BlobKey.Parse("ann/a.mp3"), new byte[] { 1, 2, 3 }, null, Ct);

        // Names under the record prefix that no record has: an empty user, an invalid id, a stray file.
        foreach (var name in new[] { "t-t1/u-.json", "t-t1/u-a%2Fb.json", "t-x/readme.txt", "u-ann.json" })
        {
            await f.KeyRecords.PutBytesAsync(BlobKey.Parse(BlobUserKeyStore.DefaultPrefix + name), new byte[] { 1 }, null, Ct);
        }

        var owners = await f.UserKeyStore.ListOwnersAsync(Ct).ToListAsync(Ct);
        Assert.Equal([new KeyOwner("t1", "ann")], owners);
        var result = await f.Keys.RotateMasterKeyAsync(Ct);
        Assert.Equal(1, result.Users);
    }

    [Fact]
    public async Task An_owner_with_the_longest_ids_has_a_record_and_is_found_by_master_key_rotation()
    {
        using var f = await CryptoFixture.CreateAsync();

        // 255 three-byte characters: the percent-escaped record name would be 2 295 characters, past the key limit.
        string longId = new('\u97f3', KeyOwner.MaxIdLength);
        var owner = new KeyOwner(longId, longId);
        var store = new EncryptedBlobStore(f.Inner, f.Keys, new EncryptedBlobStoreOptions { Owner = owner });
        await store.PutBytesAsync(BlobKey.Parse("a.mp3"), new byte[] { 1, 2, 3 }, null, Ct);
        Assert.Equal([1, 2, 3], await store.ReadAllBytesAsync(BlobKey.Parse("a.mp3"), null, cancellationToken: Ct));

        await f.Store.PutBytesAsync(BlobKey.Parse("ann/a.mp3"), new byte[] { 4 }, null, Ct);
        Assert.Equal(2, (await f.UserKeyStore.ListOwnersAsync(Ct).ToListAsync(Ct)).Distinct().Count());
        Assert.Contains(owner, await f.UserKeyStore.ListOwnersAsync(Ct).ToListAsync(Ct));

        // Master-key rotation reaches it: after the old master key is gone, it still reads.
        await f.Ring.RotateAsync(Ct);
        Assert.Equal(2, (await f.Keys.RotateMasterKeyAsync(Ct)).Users);
        await f.Ring.RemoveVersionAsync(1, Ct);
        f.Keys.PurgeCache();
        Assert.Equal([1, 2, 3], await store.ReadAllBytesAsync(BlobKey.Parse("a.mp3"), null, cancellationToken: Ct));

        // Destroying it works as for anyone.
        await f.Keys.DestroyUserKeyAsync(owner, Ct);
        await Assert.ThrowsAsync<KeyDestroyedException>(() => store.ReadAllBytesAsync(BlobKey.Parse("a.mp3"), null, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_malformed_user_key_record_is_key_record_invalid()
    {
        using var f = await CryptoFixture.CreateAsync();
        await f.Store.PutBytesAsync(BlobKey.Parse("ann/a.mp3"), new byte[] { 1, 2, 3 }, null, Ct);
        var recordKey = BlobKey.Parse(BlobUserKeyStore.DefaultPrefix + "t-t1/u-ann.json");
        await f.KeyRecords.PutBytesAsync(recordKey, "{\"format\":1,\"current\":1,\"versions\":[{\"version\":1}]}"u8.ToArray(), null, Ct);
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => f.UserKeyStore.ReadAsync(new KeyOwner("t1", "ann"), Ct));
        Assert.Equal(EncryptionErrorCode.KeyRecordInvalid, ex.ErrorCode);
        Assert.Equal(BlobErrorCode.IntegrityCheckFailed, ((BlobStoreException)ex).ErrorCode);
    }

    [Fact]
    public async Task A_user_key_record_written_before_source_generation_still_reads()
    {
        // The layout the hand-written writer produced (docs/encryption-format.md): "O" dates, base64 keys.
        var store = new InMemoryBlobStore();
        var json = """{"format":1,"current":2,"versions":[{"version":1,"created":"2026-01-02T03:04:05.0000000+00:00","wrapped":"AQID","retired":"2026-02-03T04:05:06.0000000+00:00"},{"version":2,"created":"2026-02-03T04:05:06.0000000+00:00","wrapped":"BAUG"}]}"""u8.ToArray();
        await store.PutBytesAsync(BlobKey.Parse(BlobUserKeyStore.DefaultPrefix + "t-t1/u-ann.json"), json, null, Ct);
        var record = (await new BlobUserKeyStore(store).ReadAsync(new KeyOwner("t1", "ann"), Ct)).Record;
        Assert.Equal(2, record.CurrentVersion);
        Assert.Equal([1, 2, 3], record.Versions[0].WrappedKey.ToArray());
        Assert.Equal(new DateTimeOffset(2026, 2, 3, 4, 5, 6, TimeSpan.Zero), record.Versions[0].RetiredAt);
        Assert.Null(record.Versions[1].RetiredAt);

        var tombstone = """{"format":1,"destroyedAt":"2026-03-04T05:06:07.0000000+00:00"}"""u8.ToArray();
        await store.PutBytesAsync(BlobKey.Parse(BlobUserKeyStore.DefaultPrefix + "t-t1/u-bob.json"), tombstone, null, Ct);
        Assert.True((await new BlobUserKeyStore(store).ReadAsync(new KeyOwner("t1", "bob"), Ct)).Record.IsDestroyed);
    }
}
