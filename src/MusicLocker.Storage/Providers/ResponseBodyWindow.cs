namespace MusicLocker.Storage.Providers;

/// <summary>
/// The first <c>length</c> bytes of a response body, forward-only, ending there even when the server sent more; a body
/// that ends early is an <see cref="IOException"/>. Disposing it disposes the body and the response (its connection).
/// </summary>
internal sealed class ResponseBodyWindow(Stream body, IDisposable response, long length) : ReadOnlyWindowStream(length)
{
    public override bool CanSeek => false;

    protected override int ReadAt(long position, Span<byte> destination) => body.Read(destination);

    protected override ValueTask<int> ReadAtAsync(long position, Memory<byte> destination, CancellationToken cancellationToken) =>
        body.ReadAsync(destination, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}
