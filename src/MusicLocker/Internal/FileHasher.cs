using System.Buffers;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace MusicLocker.Internal;

/// <summary>
/// The two hashes of an upload, fed in file order. Content hash: SHA-256 of every byte. Audio hash: XXH128 (xxHash,
/// 128 bits, seed 0, the canonical big-endian digest <c>xxhsum -H2</c> prints) of the bytes in the audio payload range
/// the prober reports (<c>MediaInfo.AudioOffset</c>, <c>AudioLength</c>: for MP3/ADTS the frames between leading ID3v2
/// and trailing ID3v1/APE tags, Xing/Info frame included; for MP4 the <c>mdat</c> payload), so editing tags changes the
/// content hash but not the audio hash. Both lower-case hex (64 and 32 digits).
/// The audio hash is a fingerprint, not a proof: it finds the track that may hold the same audio at a tenth of
/// SHA-256's cost (the upload's largest cost was two SHA-256 streams), and a match is trusted only after the audio bytes
/// are compared (<see cref="AudioComparer"/>). The two hashes keep separate state, so <see cref="AppendContent"/> and
/// <see cref="AppendAudio"/> of one block may run on two threads at once.
/// </summary>
internal sealed class FileHasher : IDisposable
{
    private readonly IncrementalHash _content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly XxHash128 _audio = new();
    private readonly long _audioStart;
    private readonly long _audioEnd;
    private long _position;

    public FileHasher(long audioOffset, long audioLength)
    {
        _audioStart = audioOffset;
        _audioEnd = audioOffset + audioLength;
    }

    /// <summary>Bytes fed to the content hash so far.</summary>
    public long Position => _position;

    /// <summary>Feeds the next block to both hashes.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        AppendAudio(bytes, _position);
        AppendContent(bytes);
    }

    /// <summary>Feeds the next block (in file order) to the content hash.</summary>
    public void AppendContent(ReadOnlySpan<byte> bytes)
    {
        _content.AppendData(bytes);
        _position += bytes.Length;
    }

    /// <summary>Feeds the part of a block at <paramref name="position"/> (blocks in file order) that lies in the audio payload to the audio hash.</summary>
    public void AppendAudio(ReadOnlySpan<byte> bytes, long position)
    {
        long start = Math.Max(position, _audioStart);
        long end = Math.Min(position + bytes.Length, _audioEnd);
        if (end > start)
        {
            _audio.Append(bytes.Slice((int)(start - position), (int)(end - start)));
        }
    }

    /// <summary>SHA-256 of the bytes fed so far (a resume checkpoint: the stored prefix's hash), without ending the hash.</summary>
    public string PrefixHash() => Convert.ToHexStringLower(_content.GetCurrentHash());

    public (string Content, string Audio) Finish() =>
        (Convert.ToHexStringLower(_content.GetHashAndReset()), Convert.ToHexStringLower(_audio.GetHashAndReset()));

    /// <summary>Both hashes of a whole seekable stream (from its position 0), read once (a scan: nothing is stored).</summary>
    public static async Task<(string Content, string Audio)> HashAsync(Stream stream, long audioOffset, long audioLength, CancellationToken cancellationToken)
    {
        using var hasher = new FileHasher(audioOffset, audioLength);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            stream.Position = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, n));
            }

            return hasher.Finish();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        _content.Dispose();
    }
}
