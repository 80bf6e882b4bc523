using System.Buffers.Binary;
using System.Text;

namespace MusicLocker.Media.Tests;

/// <summary>
/// Builds small files whose tables and headers claim far more than they hold: the inputs of the outside review of
/// issue 9 (§5b) and their neighbours. Each is a valid AAC-in-MP4 or MP3 in every other respect, so only the claim is wrong.
/// </summary>
internal static class HostileFiles
{
    /// <summary>The sample tables of one AAC track; null tables are left out.</summary>
    public sealed record Mp4Tables
    {
        public uint Timescale { get; init; } = 44100;

        /// <summary>(sample count, sample delta) runs.</summary>
        public (uint Count, uint Delta)[] Stts { get; init; } = [];

        /// <summary>(first chunk, samples per chunk) runs.</summary>
        public (uint FirstChunk, uint PerChunk)[] Stsc { get; init; } = [];

        public uint StszConstantSize { get; init; }

        /// <summary>The stsz sample_count field (by default the number of <see cref="StszSizes"/>).</summary>
        public uint? StszCount { get; init; }

        public uint[] StszSizes { get; init; } = [];

        /// <summary>Chunk offsets relative to the mdat payload, or absolute when <see cref="AbsoluteOffsets"/>.</summary>
        public long[] ChunkOffsets { get; init; } = [0];

        public bool AbsoluteOffsets { get; init; }

        public bool Co64 { get; init; }

        /// <summary>A box whose entry count field claims this many entries, with <see cref="ExtraEntries"/> entries present.</summary>
        public (string Type, uint ClaimedEntries, int EntrySize)? ExtraTable { get; init; }

        public int ExtraEntries { get; init; } = 4;

        public int MdatSize { get; init; } = 20_000;

        /// <summary>When above 0: a udta/meta/ilst with a '©nam' item of this many bytes of text.</summary>
        public int TitleBytes { get; init; }

        /// <summary>Bytes placed inside ilst after the '©nam' item (needs <see cref="TitleBytes"/>).</summary>
        public byte[] IlstExtra { get; init; } = [];

        /// <summary>Bytes placed inside meta after ilst (needs <see cref="TitleBytes"/>).</summary>
        public byte[] MetaExtra { get; init; } = [];

        /// <summary>Bytes placed inside udta after meta (needs <see cref="TitleBytes"/>).</summary>
        public byte[] UdtaExtra { get; init; } = [];

        /// <summary>The ftyp major brand.</summary>
        public string Brand { get; init; } = "M4A ";

        /// <summary>The sample entry type ('mp4a'; 'aavd' for Audible).</summary>
        public string SampleEntry { get; init; } = "mp4a";

        /// <summary>The mdhd duration (in <see cref="Timescale"/>).</summary>
        public uint MediaDuration { get; init; }
    }

    /// <summary>The review's file: stts claims 31 M one-second samples, stsc 2^32−1 samples in one chunk, 22 KB in all.</summary>
    public static Mp4Tables ReviewedMp4 => new()
    {
        Stts = [(31_000_000, 44100)],
        Stsc = [(1, uint.MaxValue)],
        StszSizes = [.. Enumerable.Repeat(200u, 100)],
        ChunkOffsets = [0],
    };

    /// <summary>An honest file of the same shape: 100 AAC samples of 1024 at 44.1 kHz, 200 bytes each, in one chunk.</summary>
    public static Mp4Tables PlainMp4 => new()
    {
        Stts = [(100, 1024)],
        Stsc = [(1, 100)],
        StszSizes = [.. Enumerable.Repeat(200u, 100)],
        ChunkOffsets = [0],
    };

    /// <summary>Every hostile MP4 variant, by name.</summary>
    public static readonly Dictionary<string, Mp4Tables> Mp4Variants = new()
    {
        ["review: stts 31M one-second samples, stsc 2^32-1 per chunk"] = ReviewedMp4,
        ["huge stts, stsz of one sample"] = ReviewedMp4 with { StszSizes = [200] },
        ["stsz constant size, count 2^32-1"] = ReviewedMp4 with { StszConstantSize = 1, StszCount = uint.MaxValue, StszSizes = [] },
        ["stsz constant size 1, 2^32-1 one-second samples"] = ReviewedMp4 with { Stts = [(uint.MaxValue, 44100)], StszConstantSize = 1, StszCount = uint.MaxValue, StszSizes = [] },
        ["co64 offsets past the end of the file"] = ReviewedMp4 with { Co64 = true, AbsoluteOffsets = true, ChunkOffsets = [long.MaxValue - 10, 1L << 40, 30_000] },
        ["many chunks, 2^32-1 samples each, constant size"] = ReviewedMp4 with { StszConstantSize = 1, StszCount = uint.MaxValue, StszSizes = [], ChunkOffsets = [.. Enumerable.Range(0, 50_000).Select(i => (long)(i % 19_000))] },
        ["stts of 2^32-1 zero-length samples"] = ReviewedMp4 with { Stts = [(uint.MaxValue, 0), (uint.MaxValue, 44100)] },
        ["ctts claims 2^32-1 entries"] = ReviewedMp4 with { ExtraTable = ("ctts", uint.MaxValue, 8) },
        ["elst claims 2^32-1 entries"] = ReviewedMp4 with { ExtraTable = ("elst", uint.MaxValue, 12) },
        ["stsz sample count 2^32-1, 100 sizes present"] = ReviewedMp4 with { StszCount = uint.MaxValue },
    };

    /// <summary>An ftyp, a moov with one AAC LC 44.1 kHz stereo track and the given tables, and an mdat.</summary>
    public static byte[] Mp4(Mp4Tables t)
    {
        byte[] ftyp = Box("ftyp", [.. Encoding.Latin1.GetBytes(t.Brand), 0, 0, 0, 0, .. "M4A mp42isom"u8]);
        byte[] moov = Moov(t, mdatPayload: 0);
        long payload = ftyp.Length + moov.Length + 8;
        moov = Moov(t, payload); // same size: only the offsets change
        return [.. ftyp, .. moov, .. Box("mdat", new byte[t.MdatSize])];
    }

    private static byte[] Moov(Mp4Tables t, long mdatPayload)
    {
        var mvhd = new byte[100];
        BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(12), 1000);
        BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(16), 2500);
        var tkhd = new byte[84];
        tkhd[3] = 7;
        BinaryPrimitives.WriteUInt32BigEndian(tkhd.AsSpan(12), 1);
        var mdhd = new byte[24];
        BinaryPrimitives.WriteUInt32BigEndian(mdhd.AsSpan(12), t.Timescale);
        BinaryPrimitives.WriteUInt32BigEndian(mdhd.AsSpan(16), t.MediaDuration);
        byte[] hdlr = [0, 0, 0, 0, 0, 0, 0, 0, .. "soun"u8, .. new byte[12], 0];
        byte[] esds =
        [
            0, 0, 0, 0,
            0x03, 25, 0, 1, 0,
            0x04, 17, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0x05, 2, 0x12, 0x10,
            0x06, 1, 0x02,
        ];
        var mp4a = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(mp4a.AsSpan(6), 1);
        BinaryPrimitives.WriteUInt16BigEndian(mp4a.AsSpan(16), 2);
        BinaryPrimitives.WriteUInt16BigEndian(mp4a.AsSpan(18), 16);
        BinaryPrimitives.WriteUInt32BigEndian(mp4a.AsSpan(24), 44100u << 16);
        byte[] stsd = [0, 0, 0, 0, 0, 0, 0, 1, .. Box(t.SampleEntry, [.. mp4a, .. Box("esds", esds)])];

        var stbl = new List<byte>();
        stbl.AddRange(Box("stsd", stsd));
        stbl.AddRange(Box("stts", Table(t.Stts.Length, t.Stts.SelectMany(e => U32(e.Count).Concat(U32(e.Delta))))));
        stbl.AddRange(Box("stsc", Table(t.Stsc.Length, t.Stsc.SelectMany(e => U32(e.FirstChunk).Concat(U32(e.PerChunk)).Concat(U32(1))))));
        stbl.AddRange(Box("stsz", [0, 0, 0, 0, .. U32(t.StszConstantSize), .. U32(t.StszCount ?? (uint)t.StszSizes.Length), .. t.StszSizes.SelectMany(U32)]));
        var offsets = t.ChunkOffsets.Select(o => t.AbsoluteOffsets ? o : mdatPayload + o);
        stbl.AddRange(t.Co64
            ? Box("co64", Table(t.ChunkOffsets.Length, offsets.SelectMany(o => U64((ulong)o))))
            : Box("stco", Table(t.ChunkOffsets.Length, offsets.SelectMany(o => U32((uint)o)))));
        if (t.ExtraTable is { Type: "ctts" } ctts)
        {
            stbl.AddRange(Box("ctts", [0, 0, 0, 0, .. U32(ctts.ClaimedEntries), .. new byte[t.ExtraEntries * ctts.EntrySize]]));
        }

        byte[] edts = t.ExtraTable is { Type: "elst" } elst
            ? Box("edts", Box("elst", [0, 0, 0, 0, .. U32(elst.ClaimedEntries), .. new byte[t.ExtraEntries * elst.EntrySize]]))
            : [];
        byte[] minf = Box("minf", Box("stbl", [.. stbl]));
        byte[] mdia = Box("mdia", [.. Box("mdhd", mdhd), .. Box("hdlr", hdlr), .. minf]);
        byte[] trak = Box("trak", [.. Box("tkhd", tkhd), .. edts, .. mdia]);
        byte[] udta = t.TitleBytes > 0 ? Box("udta", [.. Ilst(t), .. t.UdtaExtra]) : [];
        return Box("moov", [.. Box("mvhd", mvhd), .. trak, .. udta]);
    }

    private static byte[] Ilst(Mp4Tables t)
    {
        var text = new byte[t.TitleBytes];
        text.AsSpan().Fill((byte)'a');
        byte[] data = Box("data", [0, 0, 0, 1, 0, 0, 0, 0, .. text]);
        byte[] hdlr = Box("hdlr", [0, 0, 0, 0, 0, 0, 0, 0, .. "mdir"u8, .. "appl"u8, .. new byte[9]]);
        return Box("meta", [0, 0, 0, 0, .. hdlr, .. Box("ilst", [.. Box("\u00A9nam", data), .. t.IlstExtra]), .. t.MetaExtra]);
    }

    /// <summary>A box header (8 bytes) claiming <paramref name="size"/> bytes, followed by <paramref name="payload"/> only.</summary>
    public static byte[] LyingBox(string type, uint size, int payload = 8)
    {
        var box = new byte[8 + payload];
        BinaryPrimitives.WriteUInt32BigEndian(box, size);
        Encoding.Latin1.GetBytes(type, box.AsSpan(4));
        return box;
    }

    /// <summary>A well-formed box.</summary>
    public static byte[] MakeBox(string type, ReadOnlySpan<byte> payload) => Box(type, payload);

    private static byte[] Table(int entries, IEnumerable<byte> body) => [0, 0, 0, 0, .. U32((uint)entries), .. body];

    private static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return b;
    }

    private static byte[] U64(ulong v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, v);
        return b;
    }

    private static byte[] Box(string type, ReadOnlySpan<byte> payload)
    {
        var box = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        Encoding.Latin1.GetBytes(type, box.AsSpan(4)); // ©nam is 0xA9 n a m
        payload.CopyTo(box.AsSpan(8));
        return box;
    }

    /// <summary>
    /// The first <paramref name="length"/> bytes of a fixture with a Xing/Info or VBRI header, the header's frame count
    /// set to <paramref name="frames"/> and its byte count (when there is one) to the bytes that remain: only the frame
    /// count lies.
    /// </summary>
    public static byte[] Mp3WithHeaderFrames(string fixture, int length, uint frames)
    {
        var data = Fixtures.Bytes(fixture)[..length];
        int vbri = data.AsSpan().IndexOf("VBRI"u8);
        if (vbri >= 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(vbri + 10), (uint)(length - (vbri - 36)));
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(vbri + 14), frames);
            return data;
        }

        int xing = data.AsSpan().IndexOf("Xing"u8);
        xing = xing >= 0 ? xing : data.AsSpan().IndexOf("Info"u8);
        uint flags = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(xing + 4));
        if ((flags & 1) == 0)
        {
            throw new InvalidOperationException($"{fixture} has no Xing frame count");
        }

        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(xing + 8), frames);
        if ((flags & 2) != 0)
        {
            // The header frame starts 36 bytes (MPEG-1 stereo) or 21 (MPEG-2 mono) … before the tag: find its sync.
            int frame = data.AsSpan(0, xing).LastIndexOf((byte)0xFF);
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(xing + 12), (uint)(length - frame));
        }

        return data;
    }
}
