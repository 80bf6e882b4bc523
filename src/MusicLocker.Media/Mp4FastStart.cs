using MusicLocker.Media.Formats.Mp4.FastStart;

namespace MusicLocker.Media;

/// <summary>
/// "Fast start" for MP4/M4A: moves a <c>moov</c> that follows the media data (<c>mdat</c>) in front of it, so a player
/// that reads the file front to back (a browser's first request) has the sample tables before the audio. Nothing is
/// re-encoded: the output is the boxes before the first <c>mdat</c> (<c>ftyp</c>, …), the new <c>moov</c>, then every
/// other box in its order, byte for byte. The new <c>moov</c> is the old one with every chunk offset (<c>stco</c> and
/// <c>co64</c> of every <c>trak</c>) moved by the bytes it moved; a 32-bit <c>stco</c> whose moved offsets no longer fit
/// becomes a <c>co64</c> (which makes <c>moov</c> larger and moves the offsets again, until nothing changes).
/// Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Memory is bounded by the <c>moov</c> (at most <see cref="MediaProbeOptions.MaxBoxPayloadSize"/>, held twice: old and
/// new), never by the file: <see cref="PlanAsync"/> reads the top-level box headers and the <c>moov</c>, and
/// <see cref="FastStartPlan.WriteToAsync"/> / <see cref="FastStartPlan.OpenRead"/> copy everything else through in
/// range reads. Damaged input is a <see cref="MediaFormatException"/> (<see cref="MediaErrorCode.Corrupt"/>: a box past
/// the end, a chunk offset past the file or inside <c>moov</c>, a truncated table, two <c>moov</c> boxes;
/// <see cref="MediaErrorCode.LimitExceeded"/>: a <c>moov</c> or box count over the options' limits).
/// </remarks>
public sealed class Mp4FastStart
{
    /// <summary>Creates a rewriter. The options are copied and validated here (the limits of <see cref="MediaProbeOptions"/> apply).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range (the message names it).</exception>
    public Mp4FastStart(MediaProbeOptions? options = null)
    {
        Options = (options ?? MediaProbeOptions.Default).Clone();
        Options.Validate();
    }

    /// <summary>The options (a copy of those given).</summary>
    public MediaProbeOptions Options { get; }

    /// <summary>
    /// Decides what fast start does to <paramref name="source"/> and, when it applies, builds the new <c>moov</c>. Reads
    /// the top-level box headers and the <c>moov</c> only. The plan reads <paramref name="source"/> again when it is
    /// written or opened, so the source must stay open and unchanged until then.
    /// </summary>
    /// <exception cref="MediaFormatException">An MP4 whose structure is damaged or over the limits (see the remarks on the class).</exception>
    public Task<FastStartPlan> PlanAsync(IRandomAccessSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new FastStartPlanner(source, Options).PlanAsync(cancellationToken);
    }

    /// <summary>
    /// Plans and, when fast start applies, writes the rewritten file to <paramref name="destination"/>; a file it does not
    /// apply to writes nothing (the plan's <see cref="FastStartPlan.Decision"/> and <see cref="FastStartPlan.Reason"/> say why).
    /// </summary>
    /// <exception cref="MediaFormatException">An MP4 whose structure is damaged or over the limits, or a source that changed while it was read.</exception>
    public async Task<FastStartPlan> RewriteAsync(IRandomAccessSource source, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var plan = await PlanAsync(source, cancellationToken).ConfigureAwait(false);
        if (plan.IsApplicable)
        {
            await plan.WriteToAsync(destination, cancellationToken).ConfigureAwait(false);
        }

        return plan;
    }
}
