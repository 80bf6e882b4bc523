using System.Buffers;
using MusicLocker.Media.Formats.Mp4.FastStart;

namespace MusicLocker.Media;

/// <summary>
/// What <see cref="Mp4FastStart.PlanAsync"/> found and, when fast start applies, the rewritten layout: the source's
/// boxes before the first <c>mdat</c>, the new <c>moov</c>, then the source's other boxes in their order.
/// The plan is bound to the source it was made from and reads it again (range reads) when written or opened.
/// </summary>
public sealed class FastStartPlan
{
    private const int CopyBufferSize = 256 * 1024;

    private readonly IRandomAccessSource _source;
    private readonly byte[]? _newMoov;

    private FastStartPlan(IRandomAccessSource source, FastStartDecision decision, string reason, long moovOffset, long moovLength, long mediaDataOffset, byte[]? newMoov, int tables, int upgraded)
    {
        _source = source;
        _newMoov = newMoov;
        Decision = decision;
        Reason = reason;
        SourceLength = source.Length;
        MoovOffset = moovOffset;
        MoovLength = moovLength;
        MediaDataOffset = mediaDataOffset;
        NewMoovLength = newMoov?.Length ?? moovLength;
        OutputLength = SourceLength - MoovLength + NewMoovLength;
        ChunkOffsetTables = tables;
        UpgradedTables = upgraded;
    }

    /// <summary>What fast start does to the file.</summary>
    public FastStartDecision Decision { get; }

    /// <summary>Whether the file is rewritten (<see cref="FastStartDecision.Rewrite"/>); otherwise it is left as it is.</summary>
    public bool IsApplicable => Decision == FastStartDecision.Rewrite;

    /// <summary>Why, in words (for a log or a report): what was found where.</summary>
    public string Reason { get; }

    /// <summary>The source's length.</summary>
    public long SourceLength { get; }

    /// <summary>The rewritten file's length (the source's when fast start does not apply).</summary>
    public long OutputLength { get; }

    /// <summary>Where the source's <c>moov</c> starts, or -1 when it was not looked for (not an MP4, fragmented).</summary>
    public long MoovOffset { get; }

    /// <summary>The source's <c>moov</c> box length, header included (0 when there is none).</summary>
    public long MoovLength { get; }

    /// <summary>The new <c>moov</c> box length (the old one's when fast start does not apply).</summary>
    public long NewMoovLength { get; }

    /// <summary>Where the first <c>mdat</c> starts in the source (where the new <c>moov</c> goes), or -1.</summary>
    public long MediaDataOffset { get; }

    /// <summary>How many chunk offset tables (<c>stco</c>, <c>co64</c>) the new <c>moov</c> holds, all shifted.</summary>
    public int ChunkOffsetTables { get; }

    /// <summary>How many 32-bit <c>stco</c> tables became <c>co64</c> because a shifted offset passed 4 GiB.</summary>
    public int UpgradedTables { get; }

    /// <summary>Writes the rewritten file to <paramref name="destination"/> (the <c>mdat</c> copied through in range reads of the source).</summary>
    /// <exception cref="InvalidOperationException">Fast start does not apply (<see cref="IsApplicable"/> is false).</exception>
    /// <exception cref="MediaFormatException">With <see cref="MediaErrorCode.Unreadable"/>: the source is shorter than when planned.</exception>
    public async Task WriteToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        EnsureApplicable();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long position = 0;
            while (position < OutputLength)
            {
                int n = await ReadAtAsync(position, buffer.AsMemory(0, (int)Math.Min(buffer.Length, OutputLength - position)), cancellationToken).ConfigureAwait(false);
                await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                position += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The rewritten file as a read-only, seekable stream over the source (nothing is copied ahead: each read is a range
    /// read of the source or of the new <c>moov</c>). Synchronous reads wait for the source's asynchronous ones.
    /// </summary>
    /// <exception cref="InvalidOperationException">Fast start does not apply (<see cref="IsApplicable"/> is false).</exception>
    public Stream OpenRead()
    {
        EnsureApplicable();
        return new FastStartReadStream(this);
    }

    internal static FastStartPlan NotApplicable(IRandomAccessSource source, FastStartDecision decision, string reason, long moovOffset = -1, long moovLength = 0, long mediaDataOffset = -1) =>
        new(source, decision, reason, moovOffset, moovLength, mediaDataOffset, null, 0, 0);

    internal static FastStartPlan Rewrite(IRandomAccessSource source, long moovOffset, long moovLength, long mediaDataOffset, byte[] newMoov, int tables, int upgraded) =>
        new(source, FastStartDecision.Rewrite, $"moov ({moovLength:N0} bytes at {moovOffset:N0}) follows mdat (at {mediaDataOffset:N0}): moved in front of it as {newMoov.Length:N0} bytes, {tables} chunk offset table(s) shifted, {upgraded} widened to co64", moovOffset, moovLength, mediaDataOffset, newMoov, tables, upgraded);

    /// <summary>
    /// Reads the rewritten file at <paramref name="position"/>: <c>[0, mdat)</c> of the source, the new <c>moov</c>,
    /// <c>[mdat, moov)</c> of the source, then what followed the old <c>moov</c>. Returns 0 only at the end.
    /// </summary>
    internal async ValueTask<int> ReadAtAsync(long position, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (position >= OutputLength || buffer.Length == 0)
        {
            return 0;
        }

        long moovEnd = MediaDataOffset + NewMoovLength;
        long movedEnd = moovEnd + (MoovOffset - MediaDataOffset);
        if (position >= MediaDataOffset && position < moovEnd)
        {
            int n = (int)Math.Min(buffer.Length, moovEnd - position);
            _newMoov.AsSpan((int)(position - MediaDataOffset), n).CopyTo(buffer.Span);
            return n;
        }

        // One source range per call: the one holding position, up to the end of its segment.
        (long from, long end) = position < MediaDataOffset
            ? (position, MediaDataOffset)
            : position < movedEnd
                ? (position - NewMoovLength, MoovOffset)
                : (position - NewMoovLength + MoovLength, SourceLength);
        int want = (int)Math.Min(buffer.Length, end - from);
        int read = await _source.ReadAtAsync(from, buffer[..want], cancellationToken).ConfigureAwait(false);
        if (read < want)
        {
            throw new MediaFormatException(MediaErrorCode.Unreadable, $"The source ended at byte {from + read:N0}, before the {SourceLength:N0} bytes fast start was planned for: it changed while being read", from + read);
        }

        return read;
    }

    private void EnsureApplicable()
    {
        if (!IsApplicable)
        {
            throw new InvalidOperationException($"Fast start does not apply to this file ({Decision}: {Reason}); use the source as it is.");
        }
    }
}
