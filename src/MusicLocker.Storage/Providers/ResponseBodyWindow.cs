using System.Runtime.CompilerServices;

namespace MusicLocker.Storage.Providers;

/// <summary>
/// The first <c>length</c> bytes of a response body, forward-only, ending there even when the server sent more, counted in
/// <c>musiclocker.storage.bytes_read</c> as they are read. A body that ends early or breaks (a connection reset) is a
/// transient <see cref="BlobStoreException"/> (<see cref="BlobErrorCode.Unavailable"/>) naming the blob, never a raw
/// <see cref="IOException"/>. Disposing it disposes the body and the response (its connection).
/// </summary>
internal sealed class ResponseBodyWindow : ReadOnlyWindowStream
{
    private readonly Stream _body;
    private readonly IDisposable _response;
    private readonly BlobKey _key;
    private readonly long _offset;

    public ResponseBodyWindow(Stream body, IDisposable response, BlobKey key, long offset, long length, string store)
        : base(length)
    {
        _body = body;
        _response = response;
        _key = key;
        _offset = offset;
        CountsReadsFor = store;
    }

    public override bool CanSeek => false;

    protected override int ReadAt(long position, Span<byte> destination)
    {
        try
        {
            return _body.Read(destination);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            throw Broken(position, ex);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<int> ReadAtAsync(long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        try
        {
            return await _body.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            throw Broken(position, ex);
        }
    }

    protected override Exception EndedEarly(long position) =>
        new BlobStoreException(BlobErrorCode.Unavailable, $"The response body of blob '{_key}' ended after {position} of {Length} bytes (blob offset {_offset + position}); the connection closed early. Read the blob again.", _key.Value);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
            _response.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>A network failure under the body: an I/O or HTTP error, or an SDK's spent retries of them.</summary>
    private static bool IsTransportFailure(Exception ex) => ex switch
    {
        IOException or HttpRequestException => true,
        AggregateException aggregate => aggregate.Flatten().InnerExceptions.All(static e => e is IOException or HttpRequestException),
        _ => false,
    };

    private BlobStoreException Broken(long position, Exception ex) =>
        new(BlobErrorCode.Unavailable, $"Reading the response body of blob '{_key}' failed after {position} of {Length} bytes (blob offset {_offset + position}): {ex.Message} Read the blob again.", _key.Value, ex);
}
