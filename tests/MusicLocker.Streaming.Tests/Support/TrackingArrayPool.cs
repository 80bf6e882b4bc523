using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace MusicLocker.Streaming.Tests.Support;

/// <summary>An <see cref="ArrayPool{T}"/> that counts every rent and return, and refuses a buffer returned twice or not its own.</summary>
internal sealed class TrackingArrayPool : ArrayPool<byte>
{
    private readonly ConcurrentDictionary<byte[], byte> _out = new(ReferenceEqualityComparer.Instance);
    private int _rents;

    public int Outstanding => _out.Count;

    public int Rents => Volatile.Read(ref _rents);

    public List<string> Errors { get; } = [];

    public override byte[] Rent(int minimumLength)
    {
        var buffer = new byte[minimumLength];
        _out[buffer] = 0;
        Interlocked.Increment(ref _rents);
        return buffer;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        if (!_out.TryRemove(array, out _))
        {
            lock (Errors)
            {
                Errors.Add($"A buffer of {array.Length} bytes was returned that is not out (twice, or never rented here): {RuntimeHelpers.GetHashCode(array)}");
            }
        }
    }
}
