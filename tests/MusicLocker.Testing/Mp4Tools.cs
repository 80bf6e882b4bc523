using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace MusicLocker.Testing;

/// <summary>
/// MP4 helpers for the fast-start tests: a top-level box listing of our own (independent of the code under test), and
/// Debian's ffmpeg/ffprobe as fixture maker and oracle.
/// </summary>
public static class Mp4Tools
{
    /// <summary>One top-level box.</summary>
    public readonly record struct TopBox(string Type, long Offset, long Size);

    /// <summary>The top-level boxes of a file (64-bit and size-0 boxes understood).</summary>
    public static List<TopBox> TopLevelBoxes(ReadOnlySpan<byte> file)
    {
        var boxes = new List<TopBox>();
        long pos = 0;
        while (pos + 8 <= file.Length)
        {
            long size = BinaryPrimitives.ReadUInt32BigEndian(file[(int)pos..]);
            string type = Encoding.Latin1.GetString(file.Slice((int)pos + 4, 4));
            size = size == 1 ? (long)BinaryPrimitives.ReadUInt64BigEndian(file[((int)pos + 8)..]) : size == 0 ? file.Length - pos : size;
            boxes.Add(new TopBox(type, pos, size));
            if (size < 8)
            {
                break;
            }

            pos += size;
        }

        return boxes;
    }

    /// <summary>The box types in file order, e.g. "ftyp moov free mdat".</summary>
    public static string Layout(ReadOnlySpan<byte> file) => string.Join(' ', TopLevelBoxes(file).Select(b => b.Type));

    /// <summary>Skips (or under CI fails) a test that needs ffmpeg and ffprobe.</summary>
    public static void RequireFfmpeg() =>
        TestEnvironment.RequireServer(TestEnvironment.HasExecutable("ffmpeg") && TestEnvironment.HasExecutable("ffprobe"), "ffmpeg/ffprobe are not installed (apt-get install ffmpeg; tests/install-prerequisites.sh)");

    /// <summary>
    /// Makes an AAC M4A with ffmpeg: <paramref name="tracks"/> sine tracks of <paramref name="seconds"/> each, moov at the end
    /// (ffmpeg's default) or in front (<c>-movflags +faststart</c>), with a title tag.
    /// </summary>
    public static async Task MakeM4aAsync(string path, bool fastStart, double seconds = 3, int tracks = 1)
    {
        var args = new List<string> { "-v", "error", "-y" };
        for (int i = 0; i < tracks; i++)
        {
            args.AddRange(["-f", "lavfi", "-i", FormattableString.Invariant($"sine=frequency={440 + (220 * i)}:duration={seconds}")]);
        }

        for (int i = 0; i < tracks; i++)
        {
            args.AddRange(["-map", FormattableString.Invariant($"{i}:a")]);
        }

        args.AddRange(["-c:a", "aac", "-b:a", "64k", "-metadata", "title=Fast start", "-metadata", "artist=Tests"]);
        if (fastStart)
        {
            args.AddRange(["-movflags", "+faststart"]);
        }

        args.Add(path);
        await RunAsync("ffmpeg", args).ConfigureAwait(false);
    }

    /// <summary>The MD5 of the decoded audio of every audio stream (<c>ffmpeg -f md5</c>): equal for equal audio.</summary>
    public static Task<string> DecodedMd5Async(string path) =>
        RunAsync("ffmpeg", ["-v", "error", "-i", path, "-map", "0:a", "-f", "md5", "-"]);

    /// <summary>
    /// Every audio packet as ffprobe demuxes it — stream, pts, dts, duration, size and SHA-256 of its data — without its
    /// byte position (which fast start moves).
    /// </summary>
    public static async Task<string> PacketsAsync(string path)
    {
        string flat = await RunAsync("ffprobe", ["-v", "error", "-show_packets", "-show_data_hash", "sha256", "-show_entries", "packet=stream_index,pts,dts,duration,size,data_hash", "-of", "flat", path]).ConfigureAwait(false);
        var kept = flat.Split('\n').Where(l => !l.Contains(".side_data_list.", StringComparison.Ordinal) && l.Length > 0);
        return string.Join('\n', kept);
    }

    /// <summary>ffprobe's error output when it reads the whole file (demux and decode); empty for a valid file.</summary>
    public static async Task<string> FfprobeErrorsAsync(string path)
    {
        var (exit, _, error) = await RunRawAsync("ffmpeg", ["-v", "error", "-i", path, "-map", "0:a", "-f", "null", "-"]).ConfigureAwait(false);
        return exit == 0 ? error.Trim() : $"exit {exit}: {error}";
    }

    /// <summary>Runs a tool; its standard output, or an exception naming the command and its error output.</summary>
    public static async Task<string> RunAsync(string tool, IEnumerable<string> args)
    {
        var list = args.ToList();
        var (exit, output, error) = await RunRawAsync(tool, list).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', list)} exited with {exit}: {error}");
        }

        return output;
    }

    private static async Task<(int Exit, string Output, string Error)> RunRawAsync(string tool, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }
}

/// <summary>Box surgery on whole files held in memory, to make fixtures the tools cannot make.</summary>
public static class Mp4Surgery
{
    /// <summary>
    /// The reverse of fast start, done independently of the code under test: the file's <c>moov</c> moved to the end,
    /// every <c>stco</c>/<c>co64</c> entry (found by their type inside <c>moov</c>) moved back by its length.
    /// </summary>
    public static byte[] MoveMoovToEnd(byte[] file)
    {
        var boxes = Mp4Tools.TopLevelBoxes(file);
        var moovBox = boxes.Single(b => b.Type == "moov");
        byte[] moov = file.AsSpan((int)moovBox.Offset, (int)moovBox.Size).ToArray();
        ForEachChunkOffset(moov, (span, wide) =>
        {
            if (wide)
            {
                ulong v = BinaryPrimitives.ReadUInt64BigEndian(span);
                BinaryPrimitives.WriteUInt64BigEndian(span, v > (ulong)moovBox.Offset ? v - (ulong)moovBox.Size : v);
            }
            else
            {
                uint v = BinaryPrimitives.ReadUInt32BigEndian(span);
                BinaryPrimitives.WriteUInt32BigEndian(span, v > moovBox.Offset ? v - (uint)moovBox.Size : v);
            }
        });

        var output = new MemoryStream();
        foreach (var box in boxes.Where(b => b.Type != "moov"))
        {
            output.Write(file, (int)box.Offset, (int)box.Size);
        }

        output.Write(moov);
        return output.ToArray();
    }

    /// <summary>Where each chunk offset table of a <c>moov</c> starts (the box's own offset inside <paramref name="moov"/>).</summary>
    public static List<(int Offset, bool Wide)> ChunkOffsetTables(byte[] moov)
    {
        var tables = new List<(int, bool)>();
        for (int i = 4; i + 4 <= moov.Length; i++)
        {
            var type = moov.AsSpan(i, 4);
            if (type.SequenceEqual("stco"u8) || type.SequenceEqual("co64"u8))
            {
                tables.Add((i - 4, type[0] == (byte)'c'));
            }
        }

        return tables;
    }

    /// <summary>Calls <paramref name="entry"/> with each chunk offset of every table of <paramref name="moov"/>.</summary>
    public static void ForEachChunkOffset(byte[] moov, Action<Span<byte>, bool> entry)
    {
        foreach (var (offset, wide) in ChunkOffsetTables(moov))
        {
            int count = (int)BinaryPrimitives.ReadUInt32BigEndian(moov.AsSpan(offset + 12));
            for (int i = 0; i < count; i++)
            {
                entry(moov.AsSpan(offset + 16 + (i * (wide ? 8 : 4)), wide ? 8 : 4), wide);
            }
        }
    }

    /// <summary>Every chunk offset of every table of <paramref name="moov"/>, in order.</summary>
    public static List<ulong> ChunkOffsets(byte[] moov)
    {
        var list = new List<ulong>();
        ForEachChunkOffset(moov, (span, wide) => list.Add(wide ? BinaryPrimitives.ReadUInt64BigEndian(span) : BinaryPrimitives.ReadUInt32BigEndian(span)));
        return list;
    }

    /// <summary>The bytes of the first top-level box of <paramref name="type"/>.</summary>
    public static byte[] Box(byte[] file, string type)
    {
        var box = Mp4Tools.TopLevelBoxes(file).First(b => b.Type == type);
        return file.AsSpan((int)box.Offset, (int)box.Size).ToArray();
    }
}
