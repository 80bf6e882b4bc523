using System.Buffers;

namespace MusicLocker.Crypto.Format;

/// <summary>
/// The read-only, forward-only stream shape both chunk streams share: every read, sync or async, goes to one
/// <see cref="ReadCoreAsync"/> whose synchronous form never awaits.
/// </summary>
internal abstract class ChunkReadStream : Stream
{
    public override bool CanRead => true;

    /// <summary>Told how many bytes each read handed to the caller (the store counts delivered plaintext with it).</summary>
    public Action<int>? Delivered { get; set; }

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadSync(buffer.AsMemory(offset, count));

    public override int Read(Span<byte> buffer)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            int n = ReadSync(rented.AsMemory(0, buffer.Length));
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var pending = ReadCoreAsync(buffer, useAsync: true, cancellationToken);
        if (Delivered is null)
        {
            return pending;
        }

        if (pending.IsCompletedSuccessfully)
        {
            return ValueTask.FromResult(Count(pending.Result));
        }

        return CountAsync(pending);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Reads into <paramref name="destination"/>; with <paramref name="useAsync"/> false it must complete synchronously.</summary>
    protected abstract ValueTask<int> ReadCoreAsync(Memory<byte> destination, bool useAsync, CancellationToken cancellationToken);

    private int ReadSync(Memory<byte> destination)
    {
        // With useAsync false nothing awaits, so the ValueTask has completed when it returns.
        var pending = ReadCoreAsync(destination, useAsync: false, CancellationToken.None);
        return Count(pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult());
    }

    private async ValueTask<int> CountAsync(ValueTask<int> pending) => Count(await pending.ConfigureAwait(false));

    private int Count(int read)
    {
        if (read > 0)
        {
            Delivered?.Invoke(read);
        }

        return read;
    }
}
