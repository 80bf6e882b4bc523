using System.Buffers;
using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>
/// A multipart part encrypted by <see cref="EncryptedBlobStore.EncryptPartAsync"/> and not yet stored: its ciphertext
/// (in a pooled buffer this object owns) and the claim that binds its part number to this body. Store it with
/// <see cref="EncryptedBlobStore.UploadPartAsync(EncryptedPart, CancellationToken)"/>, then dispose it. Splitting the
/// two lets a caller encrypt part n + 1 while part n is claimed and written, and still send the parts in order.
/// </summary>
/// <remarks>
/// Thread-safe: it may be sent more than once (a retry sends the same ciphertext), and disposed while a send is running
/// (the buffer goes back to the pool when the last send ends; a send after disposal is refused). The ciphertext is never
/// exposed. A body whose claim is refused (its part number was taken by other bytes) can never be stored: its buffer is
/// cleared when it goes back, so ciphertext under nonces another body holds does not outlive the object.
/// </remarks>
public sealed class EncryptedPart : IDisposable
{
    private readonly Lock _gate = new();
    private byte[]? _ciphertext;
    private int _sending;
    private bool _disposed;
    private bool _claimed;

    internal EncryptedPart(EncryptedBlobStore store, MultipartUpload upload, MultipartUpload inner, DateTimeOffset startedAt, int partNumber, long length, byte[] ciphertext, int ciphertextLength, byte[] claim)
    {
        Store = store;
        Upload = upload;
        Inner = inner;
        StartedAt = startedAt;
        PartNumber = partNumber;
        Length = length;
        _ciphertext = ciphertext;
        CiphertextLength = ciphertextLength;
        Claim = claim;
    }

    /// <summary>The upload the part belongs to.</summary>
    public MultipartUpload Upload { get; }

    /// <summary>The part's number (from 1).</summary>
    public int PartNumber { get; }

    /// <summary>The part's plaintext length in bytes.</summary>
    public long Length { get; }

    /// <summary>The bytes the inner store is sent (the chunks, and for part 1 the object's header).</summary>
    public int CiphertextLength { get; }

    internal EncryptedBlobStore Store { get; }

    internal MultipartUpload Inner { get; }

    internal DateTimeOffset StartedAt { get; }

    internal byte[] Claim { get; }

    /// <summary>Whether a claim or send of this part has taken its part number.</summary>
    internal bool IsClaimed
    {
        get
        {
            lock (_gate)
            {
                return _claimed;
            }
        }
    }

    /// <summary>Throws once the part is disposed (a claim alone needs no ciphertext, so it takes no lease on it).</summary>
    internal void ThrowIfDisposed()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }
    }

    /// <summary>Records that a claim took this part's number for its body.</summary>
    internal void MarkClaimed()
    {
        lock (_gate)
        {
            _claimed = true;
        }
    }

    /// <summary>Takes the ciphertext for one send; <see cref="EndSend"/> gives it back. Throws once disposed.</summary>
    internal byte[] BeginSend()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _sending++;
            return _ciphertext!;
        }
    }

    /// <summary>Ends a send; <paramref name="claimed"/> says its claim was taken (by this body).</summary>
    internal void EndSend(bool claimed)
    {
        lock (_gate)
        {
            _claimed |= claimed;
            _sending--;
            if (_disposed && _sending == 0)
            {
                ReturnBuffer();
            }
        }
    }

    /// <summary>Returns the ciphertext buffer to the pool once no send uses it (cleared unless a send claimed the part).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_sending == 0)
            {
                ReturnBuffer();
            }
        }
    }

    private void ReturnBuffer()
    {
        if (_ciphertext is { } buffer)
        {
            _ciphertext = null;
            ArrayPool<byte>.Shared.Return(buffer, clearArray: !_claimed);
        }
    }
}
