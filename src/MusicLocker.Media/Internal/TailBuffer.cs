namespace MusicLocker.Media.Internal;

/// <summary>The last N bytes of a stream, kept as it passes (for trailing tags, found only once the stream ends).</summary>
internal sealed class TailBuffer(int capacity)
{
    private readonly byte[] _ring = new byte[capacity];
    private int _next;
    private int _count;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.Length >= _ring.Length)
        {
            data[^_ring.Length..].CopyTo(_ring);
            _next = 0;
            _count = _ring.Length;
            return;
        }

        int first = Math.Min(data.Length, _ring.Length - _next);
        data[..first].CopyTo(_ring.AsSpan(_next));
        data[first..].CopyTo(_ring);
        _next = (_next + data.Length) % _ring.Length;
        _count = Math.Min(_ring.Length, _count + data.Length);
    }

    public byte[] ToArray()
    {
        var result = new byte[_count];
        int start = (_next - _count + _ring.Length) % _ring.Length;
        int first = Math.Min(_count, _ring.Length - start);
        _ring.AsSpan(start, first).CopyTo(result);
        _ring.AsSpan(0, _count - first).CopyTo(result.AsSpan(first));
        return result;
    }
}
