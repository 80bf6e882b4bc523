using System.Collections.Concurrent;
using MusicLocker.Storage.Providers;

namespace MusicLocker.Storage.Tests.Providers;

/// <summary>
/// An in-process multipart target that records every call and every body it read, retries a part the way a provider's
/// pipeline does (opening the body again for each try), and can fail a part for good or hold parts to measure parallelism.
/// </summary>
internal sealed class FakeUploadTarget : IChunkedUploadTarget<string, FakeUploadTarget.StoredPart, byte[]>
{
    private readonly ConcurrentDictionary<int, int> _transientFailures = new();
    private int _inFlight;
    private int _maxInFlight;

    /// <summary>Calls in order: <c>single</c>, <c>begin</c>, <c>complete</c>, <c>abort</c> (parts are in <see cref="Tries"/>).</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Every try of every part: its number and the bytes read from the body on that try.</summary>
    public ConcurrentQueue<(int PartNumber, byte[] Bytes)> Tries { get; } = new();

    /// <summary>The body of the single request, if there was one.</summary>
    public byte[]? Single { get; private set; }

    /// <summary>The most parts that were in flight at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Fail this part for good (after reading its body).</summary>
    public int? FailPart { get; set; }

    /// <summary>Called inside every part, while it counts as in flight (e.g. to hold it).</summary>
    public Func<int, CancellationToken, Task>? InsidePart { get; set; }

    /// <summary>Whether the token handed to <see cref="AbortAsync"/> was already cancelled.</summary>
    public bool? AbortTokenWasCancelled { get; private set; }

    /// <summary>Make the first <paramref name="tries"/> tries of a part fail after reading the body (a dropped connection).</summary>
    public void FailTransiently(int partNumber, int tries) => _transientFailures[partNumber] = tries;

    public async Task<byte[]> PutSingleAsync(PartBody content, CancellationToken cancellationToken)
    {
        Calls.Enqueue("single");
        Single = await ReadAsync(content, cancellationToken);
        return Single;
    }

    public Task<string> BeginAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("begin");
        return Task.FromResult("session-1");
    }

    public async Task<StoredPart> PutPartAsync(string session, int partNumber, PartBody content, CancellationToken cancellationToken)
    {
        Assert.Equal("session-1", session);
        int now = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, now);
        try
        {
            if (InsidePart is { } inside)
            {
                await inside(partNumber, cancellationToken);
            }

            while (true)
            {
                var bytes = await ReadAsync(content, cancellationToken);
                Tries.Enqueue((partNumber, bytes));
                Assert.Equal(content.Length, bytes.Length);
                if (FailPart == partNumber)
                {
                    throw new BlobStoreException(BlobErrorCode.AccessDenied, $"part {partNumber} refused");
                }

                if (_transientFailures.TryGetValue(partNumber, out int left) && left > 0)
                {
                    _transientFailures[partNumber] = left - 1;
                    continue; // the pipeline retries: the body is opened again
                }

                return new StoredPart(partNumber, bytes);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public Task<byte[]> CompleteAsync(string session, IReadOnlyList<StoredPart> parts, CancellationToken cancellationToken)
    {
        Calls.Enqueue("complete");
        for (int i = 0; i < parts.Count; i++)
        {
            Assert.Equal(i + 1, parts[i].PartNumber);
        }

        return Task.FromResult(parts.SelectMany(p => p.Bytes).ToArray());
    }

    public Task AbortAsync(string session, CancellationToken cancellationToken)
    {
        Calls.Enqueue("abort");
        AbortTokenWasCancelled = cancellationToken.IsCancellationRequested;
        return Task.CompletedTask;
    }

    private static async Task<byte[]> ReadAsync(PartBody content, CancellationToken cancellationToken)
    {
        await using var stream = content.Open();
        Assert.Equal(0, stream.Position);
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, 7, cancellationToken); // small reads: windows are read in many pieces
        return buffer.ToArray();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    internal sealed record StoredPart(int PartNumber, byte[] Bytes);
}
