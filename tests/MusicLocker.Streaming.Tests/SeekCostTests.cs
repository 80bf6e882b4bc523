using MusicLocker.Crypto;
using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;
using MusicLocker.Streaming.Tests.Support;
using MusicLocker.Testing;

namespace MusicLocker.Streaming.Tests;

/// <summary>What a seek costs in storage round trips: the player's first byte waits for every one of them.</summary>
public sealed class SeekCostTests
{
    private const long TrackLength = 100L * 1000 * 1000;
    private const int ChunkSize = 16 * 1024;
    private const int EncryptedChunkSize = ChunkSize + 16;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(TrackLength / 2, 256 * 1024)]
    [InlineData((TrackLength / 2) + 12_345, 1)]
    [InlineData(TrackLength - 1000, 1000)]
    public async Task A_seek_into_a_100_MB_encrypted_track_costs_two_storage_reads_of_only_the_covering_chunks(long offset, int length)
    {
        using var folder = new TempFolder();
        using var ring = await LocalKeyRing.CreateAsync(Path.Combine(folder.Path, "keyring.json"), Ct);
        var keyStore = new CountingBlobStore(new InMemoryBlobStore());
        var tracks = new CountingBlobStore(new InMemoryBlobStore());
        var store = new EncryptedBlobStore(tracks, new UserKeyManager(ring, new BlobUserKeyStore(keyStore)), new EncryptedBlobStoreOptions { Owner = new("t1", "ann") });
        var key = BlobKey.Parse("ann/long-mix.mp3");
        await store.PutAsync(key, new PatternStream(TrackLength), cancellationToken: Ct);
        tracks.ResetCounts();
        keyStore.ResetCounts();

        var (written, bytes) = await PipeRead.RangeAsync(new BlobRangeReader(store), key, offset, length, cancellationToken: Ct);

        Assert.Equal(length, written);
        Assert.Equal(PatternStream.Expected(offset, length), bytes);

        // One HEAD (the object's wrapped key and header) and one ranged GET of the chunks that hold the range.
        Assert.True(tracks.PropertyReads + tracks.Reads <= 2, $"{tracks.PropertyReads} property reads and {tracks.Reads} ranged reads for one seek");
        Assert.Equal(1, tracks.Reads);
        long coveringChunks = ((offset + length - 1) / ChunkSize) - (offset / ChunkSize) + 1;
        bool reachesEnd = offset + length == TrackLength;
        Assert.True(tracks.BytesRead <= (coveringChunks + (reachesEnd ? 1 : 0)) * EncryptedChunkSize, $"{tracks.BytesRead} ciphertext bytes read for {coveringChunks} covering chunks");
        Assert.Equal(0, keyStore.Reads + keyStore.PropertyReads); // the user key was cached by the upload
    }

    /// <summary>A synthetic track of any length (nothing held in memory): byte i is a function of i.</summary>
    private sealed class PatternStream(long length) : ForwardOnlyReadStream
    {
        private long _position;

        public static byte At(long i) => (byte)((i * 31) ^ (i >> 13));

        public static byte[] Expected(long offset, int length)
        {
            var bytes = new byte[length];
            for (int i = 0; i < length; i++)
            {
                bytes[i] = At(offset + i);
            }

            return bytes;
        }

        public override long Length => length;

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, length - _position);
            for (int i = 0; i < n; i++)
            {
                buffer[i] = At(_position + i);
            }

            _position += n;
            return n;
        }
    }
}
