using System.Buffers;

namespace MusicLocker.Media.Internal;

/// <summary>LEB128 unsigned varints and zigzag signed mapping (as in Protocol Buffers).</summary>
internal static class VarInt
{
    public static void Write(IBufferWriter<byte> writer, ulong value)
    {
        Span<byte> span = writer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        writer.Advance(n);
    }

    public static ulong Read(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if ((uint)pos >= (uint)data.Length)
            {
                ThrowHelper.ThrowCorrupt("Seek index ends inside a number.");
            }

            byte b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        return ThrowHelper.ThrowCorrupt<ulong>("Seek index number is longer than 10 bytes.");
    }

    public static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    public static long UnZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);
}
