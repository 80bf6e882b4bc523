using System.Buffers.Binary;
using MusicLocker.Media.Internal;

namespace MusicLocker.Media.Formats.Mp4.FastStart;

// ISO/IEC 14496-12 §8.7.5: stco (version 0; entry_count; 32-bit chunk_offset[]) and co64 (64-bit chunk_offset[]), the
// absolute file position of each chunk, in moov > trak > mdia > minf > stbl. §8.7.9 saio: absolute offsets too.

/// <summary>
/// A <c>moov</c> held in memory, parsed down to its chunk offset tables, and rewritten for a new place in the file:
/// every container on the way to a table is rewritten with its new size, every table with shifted offsets (a
/// <c>stco</c> whose offsets no longer fit in 32 bits becomes a <c>co64</c>), every other box copied byte for byte.
/// </summary>
internal sealed class MoovRewriter
{
    private readonly byte[] _moov;
    private readonly long _moovOffset;
    private readonly MediaProbeOptions _options;
    private readonly Node _root;
    private readonly List<Node> _tables = [];
    private int _boxCount;

    public MoovRewriter(byte[] moov, long moovOffset, MediaProbeOptions options)
    {
        _moov = moov;
        _moovOffset = moovOffset;
        _options = options;
        int header = BinaryPrimitives.ReadUInt32BigEndian(moov) == 1 ? 16 : 8;
        _root = new Node(FourCC.Moov, 0, moov.Length, header);
        ParseChildren(_root, 1);
    }

    /// <summary>Why the <c>moov</c> cannot be moved safely (a box with absolute offsets this rewriter does not shift), or null.</summary>
    public string? UnsupportedReason { get; private set; }

    /// <summary>The new <c>moov</c> for <paramref name="map"/>; how many tables it holds and how many became <c>co64</c>.</summary>
    /// <exception cref="MediaFormatException">A chunk offset points past the file or inside the <c>moov</c> (<see cref="MediaErrorCode.Corrupt"/>).</exception>
    public byte[] Rewrite(OffsetMap map, out int tables, out int upgraded)
    {
        foreach (var table in _tables)
        {
            CheckOffsets(table, map);
        }

        // Widening a table makes moov longer, which moves every offset after it further: repeat until no table changes.
        // Each round widens at least one table, so this ends after at most one round per table.
        long length;
        while (true)
        {
            length = Measure(_root);
            bool changed = false;
            foreach (var table in _tables)
            {
                if (!table.Wide && !table.Upgrade && Overflows(table, map, length))
                {
                    table.Upgrade = true;
                    changed = true;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        if (length > uint.MaxValue && _root.HeaderSize == 8)
        {
            ThrowHelper.ThrowLimit("The rewritten moov box", uint.MaxValue, nameof(MediaProbeOptions.MaxBoxPayloadSize), _moovOffset);
        }

        byte[] result = new byte[length];
        int written = Write(_root, result, map, length);
        System.Diagnostics.Debug.Assert(written == result.Length, "Measure and Write agree");
        tables = _tables.Count;
        upgraded = 0;
        foreach (var table in _tables)
        {
            upgraded += table.Upgrade ? 1 : 0;
        }

        return result;
    }

    private static bool IsContainer(uint type) => type is FourCC.Trak or FourCC.Mdia or FourCC.Minf or FourCC.Stbl;

    private static bool IsTable(uint type) => type is FourCC.Stco or FourCC.Co64;

    private void ParseChildren(Node parent, int depth)
    {
        if (depth > _options.MaxBoxDepth)
        {
            ThrowHelper.ThrowLimit("The MP4 box nesting", _options.MaxBoxDepth, nameof(MediaProbeOptions.MaxBoxDepth), _moovOffset + parent.Start);
        }

        parent.Children = [];
        int pos = parent.Start + parent.HeaderSize;
        int end = parent.Start + parent.Length;
        while (pos < end)
        {
            if (++_boxCount > _options.MaxBoxCount)
            {
                ThrowHelper.ThrowLimit("The number of MP4 boxes in moov", _options.MaxBoxCount, nameof(MediaProbeOptions.MaxBoxCount), _moovOffset + pos);
            }

            bool parsed = Mp4BoxHeader.TryParse(_moov.AsSpan(pos, end - pos), out var box, out _);
            long size = !parsed ? -2 : box.Size < 0 ? end - pos : box.Size;
            if (!parsed || size < box.HeaderSize || size > end - pos)
            {
                if (parsed && (IsContainer(box.Type) || IsTable(box.Type)))
                {
                    ThrowHelper.ThrowCorrupt($"The '{FourCC.ToText(box.Type)}' box inside '{FourCC.ToText(parent.Type)}' claims {size:N0} bytes; its parent has {end - pos:N0} left", _moovOffset + pos);
                }

                // Damage outside the track structure (a udta running past moov, stray bytes): copied as it is, as the
                // prober reads it (metadata damage costs metadata, never the track).
                parent.Children.Add(new Node(0, pos, end - pos, 0));
                break;
            }

            var child = new Node(box.Type, pos, (int)size, box.HeaderSize);
            if (IsContainer(box.Type))
            {
                ParseChildren(child, depth + 1);
            }
            else if (IsTable(box.Type))
            {
                ParseTable(child);
            }
            else if (box.Type == Saio)
            {
                UnsupportedReason ??= $"The track at {_moovOffset + parent.Start:N0} has sample auxiliary information offsets (saio), which fast start does not shift";
            }

            parent.Children.Add(child);
            pos += (int)size;
        }
    }

    private const uint Saio = 0x7361696F;

    private void ParseTable(Node table)
    {
        table.Wide = table.Type == FourCC.Co64;
        int payload = table.Length - table.HeaderSize;
        if (payload < 8)
        {
            ThrowHelper.ThrowCorrupt($"The '{FourCC.ToText(table.Type)}' box is {table.Length} bytes, too short for its version and entry count", _moovOffset + table.Start);
        }

        uint count = BinaryPrimitives.ReadUInt32BigEndian(_moov.AsSpan(table.Start + table.HeaderSize + 4));
        int room = (payload - 8) / table.EntrySize;
        if (count > (uint)room)
        {
            ThrowHelper.ThrowCorrupt($"The '{FourCC.ToText(table.Type)}' box claims {count:N0} chunk offsets but holds room for {room:N0} (truncated table)", _moovOffset + table.Start);
        }

        table.Count = (int)count;
        _tables.Add(table);
    }

    private ulong Entry(Node table, int index)
    {
        int at = table.Start + table.HeaderSize + 8 + (index * table.EntrySize);
        return table.Wide ? BinaryPrimitives.ReadUInt64BigEndian(_moov.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(_moov.AsSpan(at));
    }

    private void CheckOffsets(Node table, OffsetMap map)
    {
        for (int i = 0; i < table.Count; i++)
        {
            ulong offset = Entry(table, i);
            if (map.Map(offset, 0) < 0)
            {
                string where = offset > (ulong)map.SourceLength ? $"past the end of the file ({map.SourceLength:N0} bytes)" : "inside the moov box";
                ThrowHelper.ThrowCorrupt($"Chunk offset {offset:N0} (entry {i} of the '{FourCC.ToText(table.Type)}' box) points {where}", _moovOffset + table.Start + table.HeaderSize + 8 + ((long)i * table.EntrySize));
            }
        }
    }

    private bool Overflows(Node table, OffsetMap map, long newMoovLength)
    {
        for (int i = 0; i < table.Count; i++)
        {
            if (map.Map(Entry(table, i), newMoovLength) > uint.MaxValue)
            {
                return true;
            }
        }

        return false;
    }

    private static long Measure(Node node)
    {
        if (node.Children is { } children)
        {
            long sum = node.HeaderSize;
            foreach (var child in children)
            {
                sum += Measure(child);
            }

            node.NewLength = sum;
        }
        else
        {
            node.NewLength = node.Upgrade ? node.Length + (4L * node.Count) : node.Length;
        }

        return node.NewLength;
    }

    /// <summary>Writes <paramref name="node"/> as measured; returns its length.</summary>
    private int Write(Node node, Span<byte> destination, OffsetMap map, long newMoovLength)
    {
        int length = (int)node.NewLength;
        if (node.Children is { } children)
        {
            WriteHeader(destination, node.Type, node.NewLength, node.HeaderSize);
            int at = node.HeaderSize;
            foreach (var child in children)
            {
                at += Write(child, destination[at..], map, newMoovLength);
            }

            return length;
        }

        if (node.Count == 0 && !node.IsTable)
        {
            _moov.AsSpan(node.Start, node.Length).CopyTo(destination);
            return length;
        }

        bool wide = node.Wide || node.Upgrade;
        WriteHeader(destination, node.Upgrade ? FourCC.Co64 : node.Type, node.NewLength, node.HeaderSize);
        int src = node.Start + node.HeaderSize;
        int dst = node.HeaderSize;
        BinaryPrimitives.WriteUInt32BigEndian(destination[dst..], BinaryPrimitives.ReadUInt32BigEndian(_moov.AsSpan(src)));
        BinaryPrimitives.WriteUInt32BigEndian(destination[(dst + 4)..], (uint)node.Count);
        dst += 8;
        for (int i = 0; i < node.Count; i++)
        {
            long moved = map.Map(Entry(node, i), newMoovLength);
            if (wide)
            {
                BinaryPrimitives.WriteUInt64BigEndian(destination[dst..], (ulong)moved);
                dst += 8;
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[dst..], (uint)moved);
                dst += 4;
            }
        }

        // Bytes after the entries (padding some writers leave) stay after them.
        int used = node.HeaderSize + 8 + (node.Count * node.EntrySize);
        _moov.AsSpan(node.Start + used, node.Length - used).CopyTo(destination[dst..]);
        return length;
    }

    private static void WriteHeader(Span<byte> destination, uint type, long size, int headerSize)
    {
        if (headerSize == 16)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, 1);
            BinaryPrimitives.WriteUInt32BigEndian(destination[4..], type);
            BinaryPrimitives.WriteUInt64BigEndian(destination[8..], (ulong)size);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)size);
            BinaryPrimitives.WriteUInt32BigEndian(destination[4..], type);
        }
    }

    /// <summary>A box of the moov: a container (children), a chunk offset table, or bytes copied as they are (type 0: unparsed).</summary>
    private sealed class Node(uint type, int start, int length, int headerSize)
    {
        public uint Type { get; } = type;

        public int Start { get; } = start;

        public int Length { get; } = length;

        public int HeaderSize { get; } = headerSize;

        public List<Node>? Children { get; set; }

        public bool IsTable => Type is FourCC.Stco or FourCC.Co64;

        public bool Wide { get; set; }

        public int EntrySize => Wide ? 8 : 4;

        public int Count { get; set; }

        public bool Upgrade { get; set; }

        public long NewLength { get; set; }
    }
}
