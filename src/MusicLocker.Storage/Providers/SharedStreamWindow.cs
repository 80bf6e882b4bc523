namespace MusicLocker.Storage.Providers;

/// <summary>
/// The window <c>[start, start + length)</c> of a seekable stream that other windows read too: every read seeks and reads
/// under one lock, so parts of one source are sent in parallel without a copy. Seekable within the window (an SDK may read
/// a body twice: to sign it, to send it). Does not own the source.
/// </summary>
internal sealed class SharedStreamWindow(Stream source, SemaphoreSlim gate, long start, long length) : ReadOnlyWindowStream(length)
{
    protected override int ReadAt(long position, Span<byte> destination)
    {
        gate.Wait();
        try
        {
            source.Position = start + position;
            return source.Read(destination);
        }
        finally
        {
            gate.Release();
        }
    }

    protected override async ValueTask<int> ReadAtAsync(long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            source.Position = start + position;
            return await source.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }
}
