using System.Runtime.CompilerServices;
using MusicLocker.Storage;

namespace MusicLocker.Crypto.Tests;

/// <summary>A pass-through store that counts requests and the bytes written and read through it.</summary>
internal sealed class CountingBlobStore(IBlobStore inner) : IBlobStore
{
    private long _bytesWritten;
    private long _bytesRead;
    private int _reads;
    private int _writes;

    public IBlobStore Inner => inner;

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>OpenReadAsync calls.</summary>
    public int Reads => _reads;

    /// <summary>Puts and uploaded parts.</summary>
    public int Writes => _writes;

    /// <summary>The ranges asked of OpenReadAsync, in order.</summary>
    public List<(string Key, ByteRange Range)> ReadRanges { get; } = [];

    public List<string> WrittenKeys { get; } = [];

    public void Reset()
    {
        _bytesWritten = _bytesRead = 0;
        _reads = _writes = 0;
        lock (ReadRanges)
        {
            ReadRanges.Clear();
            WrittenKeys.Clear();
        }
    }

    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) => inner.GetPropertiesAsync(key, cancellationToken);

    public async Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        lock (ReadRanges)
        {
            ReadRanges.Add((key.Value, options?.Range ?? ByteRange.All));
        }

        var download = await inner.OpenReadAsync(key, options, cancellationToken);
        Interlocked.Add(ref _bytesRead, download.Length);
        return SyncOnlyDownloads ? new BlobDownload(new SyncOnlyStream(download.Content), download.Properties, download.Offset, download.Length) : download;
    }

    public async Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        var props = await inner.PutAsync(key, content, options, cancellationToken);
        Written(key.Value, props.Length);
        return props;
    }

    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default) =>
        inner.CopyAsync(source, destination, destinationConditions, cancellationToken);

    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, conditions, cancellationToken);

    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in inner.ListAsync(prefix, cancellationToken))
        {
            yield return item;
        }
    }

    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.StartMultipartUploadAsync(key, options, cancellationToken);

    /// <summary>SHA-256 of every part body sent, in order: (part number, hash).</summary>
    public List<(int PartNumber, string Sha256)> PartHashes { get; } = [];

    /// <summary>When set, download streams refuse asynchronous reads (to prove a synchronous read never blocks on one).</summary>
    public bool SyncOnlyDownloads { get; set; }

    /// <summary>Every part body sent, in order: (part number, ciphertext).</summary>
    public List<(int PartNumber, byte[] Body)> PartBodies { get; } = [];

    /// <summary>When set, the next multipart completion fails (after the decorator stored everything it stores first).</summary>
    public bool FailNextCompletion { get; set; }

    /// <summary>When set, awaited by every part write before it reads the part's body (a test holds a send there).</summary>
    public Func<int, Task>? BeforePartRead { get; set; }

    public async Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        if (BeforePartRead is { } gate)
        {
            await gate(partNumber);
        }

        var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        lock (ReadRanges)
        {
            PartHashes.Add((partNumber, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(copy.ToArray()))));
            PartBodies.Add((partNumber, copy.ToArray()));
        }

        copy.Position = 0;
        var part = await inner.UploadPartAsync(upload, partNumber, copy, cancellationToken);
        Written($"{upload.Key}#part{partNumber}", part.Length);
        return part;
    }

    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default) => inner.ListPartsAsync(upload, cancellationToken);

    public Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        if (FailNextCompletion)
        {
            FailNextCompletion = false;
            throw new BlobStoreException(BlobErrorCode.Unavailable, "Injected completion failure.", upload.Key.Value);
        }

        return inner.CompleteMultipartUploadAsync(upload, parts, cancellationToken);
    }

    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default) => inner.AbortMultipartUploadAsync(upload, cancellationToken);

    private void Written(string key, long length)
    {
        Interlocked.Increment(ref _writes);
        Interlocked.Add(ref _bytesWritten, length);
        lock (ReadRanges)
        {
            WrittenKeys.Add(key);
        }
    }
}

/// <summary>A read-only stream whose asynchronous reads fail: a synchronous caller must stay synchronous.</summary>
internal sealed class SyncOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw new InvalidOperationException("An asynchronous read under a synchronous one (sync over async).");

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new InvalidOperationException("An asynchronous read under a synchronous one (sync over async).");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
