using System.Buffers;
using MusicLocker.Crypto.Format;
using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>
/// The split part upload (<see cref="EncryptedBlobStore.EncryptPartAsync"/> then
/// <see cref="EncryptedBlobStore.UploadPartAsync(EncryptedPart, CancellationToken)"/>): encrypting stores nothing; the
/// claim still binds a part number to one body; a part disposed under a running send keeps its bytes until the send
/// ends; and a part is refused once disposed, by another store, or past the upload's maximum age.
/// </summary>
public sealed class EncryptedPartTests
{
    private const int PartSize = 4 * CiphertextLayout.ChunkSize;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Parts_encrypted_ahead_of_their_sends_store_nothing_until_sent_and_complete_in_order()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/ahead.mp3"), null, Ct);
        var bodies = new[] { TestData.Bytes(PartSize, 1), TestData.Bytes(PartSize, 2), TestData.Bytes(PartSize, 3), TestData.Bytes(777, 4) };
        int writesBefore = f.Inner.Writes;

        var encrypted = new List<EncryptedPart>();
        for (int i = 0; i < bodies.Length; i++)
        {
            encrypted.Add(await f.Store.EncryptPartAsync(upload, i + 1, new MemoryStream(bodies[i]), Ct));
        }

        Assert.Empty(f.Inner.PartBodies);
        Assert.Equal(writesBefore, f.Inner.Writes); // no claim either
        Assert.Equal([PartSize, PartSize, PartSize, 777L], encrypted.Select(p => p.Length));
        Assert.Equal(CiphertextLayout.HeaderSize + (4 * CiphertextLayout.EncryptedChunkSize), encrypted[0].CiphertextLength);

        var parts = new List<UploadedPart>();
        foreach (var part in encrypted)
        {
            using (part)
            {
                parts.Add(await f.Store.UploadPartAsync(part, Ct));
            }
        }

        await f.Store.CompleteMultipartUploadAsync(upload, parts, Ct);
        Assert.Equal(bodies.SelectMany(b => b).ToArray(), await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(CiphertextLayout.ChunkSize - 1)]
    [InlineData(CiphertextLayout.ChunkSize)]
    [InlineData(2 * CiphertextLayout.ChunkSize)]
    [InlineData(PartSize - 1)]
    [InlineData(PartSize)]
    [InlineData(PartSize + 1)]
    public async Task A_last_part_of_any_length_from_a_memory_stream_positioned_mid_buffer_fits_its_ciphertext_buffer(int lastLength)
    {
        // The ciphertext buffer of a part read from memory is sized for that part's chunks (a short one ends with a final
        // chunk, tag only when its length is a multiple of 16 KiB); a too-long one is still refused, not overrun.
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse($"ann/last-{lastLength}.mp3"), null, Ct);
        var first = TestData.Bytes(PartSize, 1);
        var last = TestData.Bytes(lastLength, 2);
        var padded = new byte[100 + lastLength];
        last.CopyTo(padded, 100);
        using var source = new MemoryStream(padded, 0, padded.Length, writable: false, publiclyVisible: true) { Position = 100 };

        var parts = new List<UploadedPart>();
        using (var part = await f.Store.EncryptPartAsync(upload, 1, new MemoryStream(first), Ct))
        {
            parts.Add(await f.Store.UploadPartAsync(part, Ct));
        }

        if (lastLength > PartSize)
        {
            await Assert.ThrowsAsync<BlobStoreException>(() => f.Store.EncryptPartAsync(upload, 2, source, Ct));
            return;
        }

        using (var part = await f.Store.EncryptPartAsync(upload, 2, source, Ct))
        {
            Assert.Equal(lastLength, part.Length);
            parts.Add(await f.Store.UploadPartAsync(part, Ct));
        }

        await f.Store.CompleteMultipartUploadAsync(upload, parts, Ct);
        Assert.Equal(first.Concat(last).ToArray(), await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task Two_bodies_encrypted_for_one_part_number_store_one_refuse_the_other_and_never_reuse_a_nonce()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/two-bodies.mp3"), null, Ct);
        var bodies = Enumerable.Range(1, 6).Select(i => TestData.Bytes(PartSize - (i * 10), i)).ToArray();
        var encrypted = new EncryptedPart[bodies.Length];
        for (int i = 0; i < bodies.Length; i++)
        {
            encrypted[i] = await f.Store.EncryptPartAsync(upload, 1, new MemoryStream(bodies[i]), Ct);
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = encrypted.Select(async (part, i) =>
        {
            await start.Task;
            try
            {
                using (part)
                {
                    return (Body: bodies[i], Part: (UploadedPart?)await f.Store.UploadPartAsync(part, Ct));
                }
            }
            catch (EncryptionException ex) when (ex.ErrorCode == EncryptionErrorCode.PartConflict)
            {
                return (Body: bodies[i], Part: null);
            }
        }).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(sends);

        var winner = Assert.Single(results, r => r.Part is not null);
        Assert.Single(f.Inner.PartBodies); // the refused bodies never left memory
        MultipartNonceTests.AssertNoKeystreamReuse(f.Inner, 1, bodies);
        await f.Store.CompleteMultipartUploadAsync(upload, [winner.Part!.Value], Ct);
        Assert.Equal(winner.Body, await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task One_part_sent_twice_at_once_stores_the_same_ciphertext_both_times()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/twice.mp3"), null, Ct);
        var body = TestData.Bytes(PartSize, 9);
        using var part = await f.Store.EncryptPartAsync(upload, 1, new MemoryStream(body), Ct);

        var sent = await Task.WhenAll(Task.Run(() => f.Store.UploadPartAsync(part, Ct), Ct), Task.Run(() => f.Store.UploadPartAsync(part, Ct), Ct));

        Assert.Equal(2, f.Inner.PartBodies.Count);
        Assert.Equal(f.Inner.PartBodies[0].Body, f.Inner.PartBodies[1].Body);
        Assert.All(sent, p => Assert.Equal(PartSize, p.Length));
        // Whichever write landed last is the part (as for any store's retry).
        await f.Store.CompleteMultipartUploadAsync(upload, await f.Store.ListPartsAsync(upload, Ct), Ct);
        Assert.Equal(body, await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_part_claimed_ahead_of_its_write_is_written_without_a_second_claim_and_another_body_is_refused_at_its_claim()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/claimed-ahead.mp3"), null, Ct);
        var body = TestData.Bytes(PartSize, 1);
        var other = TestData.Bytes(PartSize, 2);
        using var part = await f.Store.EncryptPartAsync(upload, 1, new MemoryStream(body), Ct);
        using var rival = await f.Store.EncryptPartAsync(upload, 1, new MemoryStream(other), Ct);

        int writes = f.Inner.Writes;
        await f.Store.ClaimPartAsync(part, Ct);
        await f.Store.ClaimPartAsync(part, Ct); // the same body again: its own claim
        Assert.Equal(writes + 1, f.Inner.Writes); // one claim record, no body yet
        Assert.Empty(f.Inner.PartBodies);

        Assert.Equal(EncryptionErrorCode.PartConflict, (await Assert.ThrowsAsync<EncryptionException>(() => f.Store.ClaimPartAsync(rival, Ct))).ErrorCode);
        Assert.Equal(EncryptionErrorCode.PartConflict, (await Assert.ThrowsAsync<EncryptionException>(() => f.Store.UploadPartAsync(rival, Ct))).ErrorCode);

        var stored = await f.Store.UploadPartAsync(part, Ct);
        Assert.Equal(writes + 2, f.Inner.Writes); // the body only: the claim was not written again
        Assert.Single(f.Inner.PartBodies);
        await f.Store.CompleteMultipartUploadAsync(upload, [stored], Ct);
        Assert.Equal(body, await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_part_disposed_while_its_send_runs_keeps_its_bytes_until_the_send_ends()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/disposed-mid-send.mp3"), null, Ct);
        var body = TestData.Bytes(PartSize, 5);
        var part = await f.Store.EncryptPartAsync(upload, 1, new MemoryStream(body), Ct);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Inner.BeforePartRead = _ =>
        {
            entered.TrySetResult();
            return release.Task;
        };

        var send = f.Store.UploadPartAsync(part, Ct);
        await entered.Task.WaitAsync(Ct);
        part.Dispose();

        // Had the buffer gone back to the pool, these rents (on the thread that disposed) would get it and overwrite it.
        int size = part.CiphertextLength;
        for (int i = 0; i < 8; i++)
        {
            var rented = ArrayPool<byte>.Shared.Rent(size);
            rented.AsSpan().Fill(0xEE);
            ArrayPool<byte>.Shared.Return(rented);
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => f.Store.UploadPartAsync(part, Ct));
        release.SetResult();
        var stored = await send;

        await f.Store.CompleteMultipartUploadAsync(upload, [stored], Ct);
        Assert.Equal(body, await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_disposed_part_or_one_sent_through_another_store_is_refused_and_nothing_is_stored()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        using var other = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/refused.mp3"), null, Ct);
        var part = await f.Store.EncryptPartAsync(upload, 1, new MemoryStream(TestData.Bytes(100, 1)), Ct);

        var foreign = await Assert.ThrowsAsync<ArgumentException>(() => other.Store.UploadPartAsync(part, Ct));
        Assert.Equal("part", foreign.ParamName);
        Assert.Equal("part", Assert.Throws<ArgumentException>(() => { _ = other.Store.ClaimPartAsync(part, Ct); }).ParamName);
        part.Dispose();
        part.Dispose(); // idempotent
        await Assert.ThrowsAsync<ObjectDisposedException>(() => f.Store.UploadPartAsync(part, Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => f.Store.ClaimPartAsync(part, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => f.Store.UploadPartAsync(null!, Ct));

        Assert.Empty(f.Inner.PartBodies);
        Assert.Empty(other.Inner.PartBodies);
    }

    [Fact]
    public async Task A_part_held_past_the_uploads_maximum_age_is_refused_when_sent()
    {
        var clock = new ManualTimeProvider();
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize, time: clock);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/held.mp3"), null, Ct);
        using var part = await f.Store.EncryptPartAsync(upload, 1, new MemoryStream(TestData.Bytes(100, 1)), Ct);
        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        var ex = await Assert.ThrowsAsync<EncryptionException>(() => f.Store.UploadPartAsync(part, Ct));
        Assert.Equal(EncryptionErrorCode.UploadIdInvalid, ex.ErrorCode);
        Assert.Empty(f.Inner.PartBodies);
    }

    [Fact]
    public async Task A_cancelled_send_stores_nothing_and_the_part_can_be_sent_again()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/cancelled.mp3"), null, Ct);
        var body = TestData.Bytes(PartSize, 3);
        using var part = await f.Store.EncryptPartAsync(upload, 1, new MemoryStream(body), Ct);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => f.Store.UploadPartAsync(part, new CancellationToken(canceled: true)));
        Assert.Empty(f.Inner.PartBodies);

        var stored = await f.Store.UploadPartAsync(part, Ct);
        await f.Store.CompleteMultipartUploadAsync(upload, [stored], Ct);
        Assert.Equal(body, await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }
}
