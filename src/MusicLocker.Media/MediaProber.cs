using Microsoft.Extensions.Logging;
using MusicLocker.Media.Diagnostics;
using MusicLocker.Media.Internal;
using MusicLocker.Media.Parsing;
using MusicLocker.Media.Tags.Id3v2;

namespace MusicLocker.Media;

/// <summary>
/// Detects and parses MP3, ADTS AAC and MP4/M4A files by their content: format, exact duration, tags, cover art
/// location, seek index. Immutable and thread-safe. Every refusal is a <see cref="MediaFormatException"/>.
/// </summary>
/// <remarks>
/// <para><see cref="ProbeAsync(IRandomAccessSource, CancellationToken)"/> reads ranges: the head (tags, first frames, or
/// the MP4 boxes up to <c>moov</c>, jumping over pictures and <c>mdat</c>) and the tail (trailing tags): at most 4 reads
/// for an MP3 with a Xing/VBRI header and for MP4. An MP3 without such a header, and ADTS, hold no frame count, so the
/// rest of the file is then read once, sequentially, and every frame is counted (unless <see cref="MediaProbeOptions.FrameWalkLimit"/>
/// bounds the walk: then the duration is estimated and says so). So is an MP3 whose header counts frames its bytes cannot
/// hold (a cut upload, a forged count): every entry point reports the same frames and duration.</para>
/// <para><see cref="ProbeStreamAsync"/> and <see cref="MediaStreamParser"/> read a stream once, front to back (an upload).</para>
/// <para>Each probe is one <c>media.probe</c> span and one count of <c>musiclocker.media.probes</c> (source and meter
/// <c>MusicLocker.Media</c>); warnings and refusals are logged to <see cref="MediaProbeOptions.LoggerFactory"/>.</para>
/// </remarks>
public sealed class MediaProber
{
    private const int StreamReadSize = 1024 * 1024;

    private readonly ProbeObserver _observer;

    /// <summary>Creates a prober. The options are copied and validated here: later changes to the object have no effect.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range (the message names it).</exception>
    public MediaProber(MediaProbeOptions? options = null)
    {
        Options = (options ?? MediaProbeOptions.Default).Clone();
        Options.Validate();
        _observer = Options.LoggerFactory is { } factory ? new ProbeObserver(factory.CreateLogger("MusicLocker.Media.MediaProber")) : ProbeObserver.None;
    }

    /// <summary>The options (a copy of those given).</summary>
    public MediaProbeOptions Options { get; }

    /// <summary>Starts a single-pass probe of a stream pushed in chunks.</summary>
    public MediaStreamParser CreateStreamParser() => new(Options, _observer, DateTimeOffset.UtcNow);

    /// <summary>Probes a file held in memory (one pass over it).</summary>
    /// <exception cref="MediaFormatException">The file is not accepted.</exception>
    public MediaInfo Probe(ReadOnlySpan<byte> data)
    {
        var parser = new MediaStreamParser(Options, observer: null, started: default);
        var activity = ProbeObserver.Start();
        try
        {
            parser.Append(data);
            return _observer.Succeeded(activity, parser.Complete());
        }
        catch (MediaFormatException e)
        {
            _observer.Failed(activity, e);
            throw;
        }
    }

    /// <summary>Probes a stream read once to its end (an upload on its way to storage): exact duration and seek index.</summary>
    /// <exception cref="MediaFormatException">The file is not accepted.</exception>
    public async Task<MediaInfo> ProbeStreamAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var activity = ProbeObserver.Start();
        var parser = new MediaStreamParser(Options, observer: null, started: default);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                parser.Append(buffer.AsSpan(0, n));
            }

            return _observer.Succeeded(activity, parser.Complete());
        }
        catch (Exception e) // recorded (a refusal, a cancellation, the source's own error) and rethrown
        {
            _observer.Failed(activity, e);
            throw;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Probes a local file with range reads.</summary>
    /// <exception cref="MediaFormatException">The file is not accepted; or, with <see cref="MediaErrorCode.NotFound"/> or
    /// <see cref="MediaErrorCode.Unreadable"/>, it cannot be opened or read (the message names the path).</exception>
    public async Task<MediaInfo> ProbeFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var activity = ProbeObserver.Start();
        try
        {
            using var source = new FileRandomAccessSource(path);
            return _observer.Succeeded(activity, await ProbeSourceAsync(source, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) // recorded and rethrown
        {
            _observer.Failed(activity, e);
            throw;
        }
    }

    /// <summary>Probes bytes that can be read at any position (a stored object), with as few range reads as the format allows.</summary>
    /// <exception cref="MediaFormatException">The file is not accepted.</exception>
    public async Task<MediaInfo> ProbeAsync(IRandomAccessSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var activity = ProbeObserver.Start();
        try
        {
            return _observer.Succeeded(activity, await ProbeSourceAsync(source, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) // recorded (a refusal, a cancellation, the source's own error) and rethrown
        {
            _observer.Failed(activity, e);
            throw;
        }
    }

    private async Task<MediaInfo> ProbeSourceAsync(IRandomAccessSource source, CancellationToken cancellationToken)
    {
        long length = source.Length;
        if (length == 0)
        {
            ThrowHelper.ThrowEmpty("The file is empty (0 bytes)");
        }

        // A cut file whose Xing/VBRI header still counts the whole track is walked instead, so the count is exact.
        return await ProbeRangesAsync(source, length, probeMode: true, cancellationToken).ConfigureAwait(false)
            ?? (await ProbeRangesAsync(source, length, probeMode: false, cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<MediaInfo?> ProbeRangesAsync(IRandomAccessSource source, long length, bool probeMode, CancellationToken cancellationToken)
    {
        var core = new MediaParserCore(Options, probeMode, fileLength: length);
        var pool = System.Buffers.ArrayPool<byte>.Shared;
        byte[] buffer = [];
        byte[]? tailBuffer = null;
        try
        {
            long windowStart = 0;
            int windowLength = 0;
            long pos = 0;
            int need = 0;
            while (pos < length && !core.HeadDone)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Options.FrameWalkLimit is { } limit && core.Streaming && core.WalkStart >= 0 && pos - core.WalkStart >= limit)
                {
                    core.StopWalk(); // bounded: the frames counted so far give an estimate
                    break;
                }

                long windowEnd = windowStart + windowLength;
                bool covered = pos >= windowStart && (pos + Math.Max(need, 1) <= windowEnd || (windowEnd == length && pos < windowEnd));
                if (!covered)
                {
                    long size = core.Streaming ? StreamReadSize : Math.Max(Options.RangeReadSize, Math.Max(need, core.PreferredRead));
                    size = Math.Min(size, length - pos);
                    if (buffer.Length < size)
                    {
                        if (buffer.Length > 0)
                        {
                            pool.Return(buffer);
                        }

                        buffer = pool.Rent((int)size);
                    }

                    windowStart = pos;
                    windowLength = await source.ReadAtAsync(pos, buffer.AsMemory(0, (int)size), cancellationToken).ConfigureAwait(false);
                    windowEnd = windowStart + windowLength;
                    if (windowLength < size)
                    {
                        // The object shrank under us: treat what we have as the end.
                        length = windowEnd;
                    }
                }

                bool final = windowEnd >= length;
                var span = buffer.AsSpan((int)(pos - windowStart), (int)(windowEnd - pos));
                long c = core.Parse(span, pos, final, out need);
                pos += c;
                if (final && (c == 0 || pos >= windowEnd))
                {
                    break;
                }

                if (c == 0 && need <= span.Length)
                {
                    need = span.Length + 1; // no progress: make the next window larger
                }
            }

            ReadOnlyMemory<byte> tail = ReadOnlyMemory<byte>.Empty;
            if (core.NeedsTail)
            {
                long tailLength = Math.Min(Options.TailSize, length);
                long tailStart = length - tailLength;
                if (windowStart <= tailStart && windowStart + windowLength >= length)
                {
                    tail = buffer.AsMemory((int)(tailStart - windowStart), (int)tailLength);
                }
                else
                {
                    tailBuffer = pool.Rent((int)tailLength);
                    int n = await source.ReadAtAsync(tailStart, tailBuffer.AsMemory(0, (int)tailLength), cancellationToken).ConfigureAwait(false);
                    tail = tailBuffer.AsMemory(0, n);
                    length = tailStart + n;
                }
            }

            if (probeMode && core.HeaderCountContradicted(tail.Span, length))
            {
                return null;
            }

            return core.Finish(tail.Span, length);
        }
        finally
        {
            if (buffer.Length > 0)
            {
                pool.Return(buffer);
            }

            if (tailBuffer is not null)
            {
                pool.Return(tailBuffer);
            }
        }
    }

    /// <summary>Reads the bytes of a picture located by a probe of the same file (undoing ID3v2 unsynchronisation).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The picture is larger than <paramref name="maxLength"/>.</exception>
    public static async Task<byte[]> ReadCoverArtAsync(IRandomAccessSource source, CoverArtInfo coverArt, int maxLength = 32 * 1024 * 1024, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(coverArt);
        if (coverArt.Length > maxLength || coverArt.Length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(coverArt), coverArt.Length, $"The picture is {coverArt.Length} bytes, more than maxLength ({maxLength}).");
        }

        var bytes = new byte[coverArt.Length];
        int n = await source.ReadAtAsync(coverArt.Offset, bytes, cancellationToken).ConfigureAwait(false);
        if (n < bytes.Length)
        {
            throw new MediaFormatException(MediaErrorCode.Corrupt, $"The picture ends {bytes.Length - n} bytes past the end of the file", coverArt.Offset + n);
        }

        if (coverArt.Encoding == CoverArtEncoding.Unsynchronised)
        {
            int decoded = Id3v2Unsync.Decode(bytes, bytes);
            Array.Resize(ref bytes, decoded);
        }

        return bytes;
    }
}
