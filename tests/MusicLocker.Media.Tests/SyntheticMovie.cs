using System.Buffers.Binary;

namespace MusicLocker.Media.Tests;

/// <summary>
/// A movie larger than 4 GiB that exists only as a few regions of bytes (ftyp, the mdat header, moov and a tail box);
/// every other byte reads as zero. For the offset-widening tests, which need chunk offsets near 2^32.
/// </summary>
internal sealed class SyntheticMovie
{
    private SyntheticMovie(SparseSource source, long mediaDataOffset, long moovLength, List<ulong> chunkOffsets, byte[] tail)
    {
        Source = source;
        MediaDataOffset = mediaDataOffset;
        MoovLength = moovLength;
        ChunkOffsets = chunkOffsets;
        Tail = tail;
    }

    public IRandomAccessSource Source { get; }

    public long MediaDataOffset { get; }

    public long MoovLength { get; }

    /// <summary>Every chunk offset of tracks A, B, C in order.</summary>
    public List<ulong> ChunkOffsets { get; }

    public byte[] Tail { get; }

    /// <summary>
    /// ftyp, a 64-bit mdat of <paramref name="mdatPayload"/> bytes, then moov: track A (stco of <paramref name="countA"/>
    /// entries, the last just under 2^32), track B (stco of one entry, <paramref name="bOffsetBelowLimitBy"/> under
    /// overflowing once moov moves in front), track C (co64), then a free box.
    /// </summary>
    public static SyntheticMovie Build(long mdatPayload, int countA, int bOffsetBelowLimitBy)
    {
        byte[] ftyp = Box("ftyp", [.. "M4A "u8, 0, 0, 0, 0, .. "M4A mp42"u8]);
        long mediaDataOffset = ftyp.Length;
        byte[] mdatHeader = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mdatHeader, 1);
        "mdat"u8.CopyTo(mdatHeader.AsSpan(4));
        BinaryPrimitives.WriteUInt64BigEndian(mdatHeader.AsSpan(8), (ulong)(16 + mdatPayload));
        long payloadStart = mediaDataOffset + 16;

        var a = new List<ulong>();
        for (int i = 0; i < countA - 1; i++)
        {
            a.Add((ulong)(payloadStart + (i * 1000)));
        }

        a.Add(uint.MaxValue - 50);
        var c = new List<ulong> { (ulong)payloadStart, (1UL << 32) + 100 };

        // B depends on the moov's length, which does not depend on B's value: build once with a placeholder.
        byte[] moov = Moov(a, [0], c);
        ulong b = uint.MaxValue - (ulong)moov.Length - (ulong)bOffsetBelowLimitBy;
        moov = Moov(a, [b], c);

        byte[] tail = Box("free", [.. "the tail after moov, byte for byte"u8]);
        long moovOffset = payloadStart + mdatPayload;
        var source = new SparseSource(moovOffset + moov.Length + tail.Length, [(0, [.. ftyp, .. mdatHeader]), (moovOffset, moov), (moovOffset + moov.Length, tail)]);
        return new SyntheticMovie(source, mediaDataOffset, moov.Length, [.. a, b, .. c], tail);
    }

    private static byte[] Moov(List<ulong> a, List<ulong> b, List<ulong> c) =>
        Box("moov", [.. Box("mvhd", new byte[100]), .. Track(Table("stco", a)), .. Track(Table("stco", b)), .. Track(Table("co64", c))]);

    private static byte[] Track(byte[] table) =>
        Box("trak", [.. Box("tkhd", new byte[84]), .. Box("mdia", [.. Box("mdhd", new byte[24]), .. Box("minf", Box("stbl", [.. Box("stsd", new byte[8]), .. table]))])]);

    private static byte[] Table(string type, List<ulong> entries)
    {
        bool wide = type == "co64";
        byte[] payload = new byte[8 + (entries.Count * (wide ? 8 : 4))];
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), (uint)entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            if (wide)
            {
                BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(8 + (i * 8)), entries[i]);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(8 + (i * 4)), (uint)entries[i]);
            }
        }

        return Box(type, payload);
    }

    private static byte[] Box(string type, byte[] payload)
    {
        byte[] box = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        System.Text.Encoding.ASCII.GetBytes(type, box.AsSpan(4));
        payload.CopyTo(box, 8);
        return box;
    }

    private sealed class SparseSource(long length, List<(long Offset, byte[] Bytes)> regions) : IRandomAccessSource
    {
        public long Length => length;

        public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = (int)Math.Clamp(length - offset, 0, buffer.Length);
            var span = buffer.Span[..n];
            span.Clear();
            foreach (var (start, bytes) in regions)
            {
                long from = Math.Max(start, offset);
                long to = Math.Min(start + bytes.Length, offset + n);
                if (from < to)
                {
                    bytes.AsSpan((int)(from - start), (int)(to - from)).CopyTo(span[(int)(from - offset)..]);
                }
            }

            return ValueTask.FromResult(n);
        }
    }
}
