using System.Buffers;
using System.Globalization;
using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Streaming;

/// <summary>
/// "Start at 1:23" for MP3 and ADTS without transcoding: the byte offset of the frame that holds a time, from the
/// track's <see cref="SeekIndex"/> and one ranged read of the bytes between the index entry before the time and the
/// entry after it. <see cref="BlobRangeReader.WriteFromTimeAsync"/> finds the frame and streams from it in that same read.
/// An interval longer than <see cref="MaxTailWindow"/> (a tag of megabytes between two streams joined into one file) takes
/// two reads: its first and its last <see cref="MaxTailWindow"/> bytes.
/// </summary>
public static class TimeSeek
{
    /// <summary>The most bytes read after the last index entry (the last interval of a track plus trailing tags), and the
    /// most of any one interval read at once (a longer one is read at its start and at its end).</summary>
    public const int MaxTailWindow = 1024 * 1024;

    // A frame header (ADTS: 7 bytes, MP3: 4) must be whole past the next entry's offset for the walk to parse it.
    private const int HeaderSlack = 16;

    private static readonly SearchValues<char> SecondsChars = SearchValues.Create("0123456789.");

    /// <summary>
    /// Parses the <c>t</c> query value: non-negative seconds, decimal (<c>83</c>, <c>83.5</c>), invariant culture.
    /// <see langword="false"/> for anything else (negative, NaN, infinity, exponent, over a day — ask the caller to answer 400).
    /// </summary>
    public static bool TryParseSeconds(string? value, out TimeSpan time)
    {
        time = default;
        // Only digits and a point: decimal.TryParse also takes trailing NULs ("5\0", i.e. ?t=5%00) as 5.
        if (string.IsNullOrEmpty(value) || value.Length > 32 || value.AsSpan().ContainsAnyExcept(SecondsChars)
            || !decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds)
            || seconds > 86_400m)
        {
            return false;
        }

        time = TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
        return true;
    }

    /// <summary>
    /// Finds the MP3/ADTS frame of <paramref name="key"/> that holds <paramref name="time"/> (the first frame for 0 or a
    /// negative time, the last frame past the end), reading only the bytes of one index interval (its first and last
    /// <see cref="MaxTailWindow"/> bytes, in two reads, when a tag between joined streams makes it longer than that).
    /// </summary>
    /// <param name="store">The store (plain or encrypted).</param>
    /// <param name="key">The track.</param>
    /// <param name="index">The track's seek index (from <see cref="MediaInfo.SeekIndex"/>, kept with its catalog entry).</param>
    /// <param name="time">The time to start at.</param>
    /// <param name="ifMatch">The version the index was built from: another version throws <see cref="BlobConditionFailedException"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The frame: its <see cref="SeekPoint.ByteOffset"/> is where to start the stream, its <see cref="SeekPoint.Time"/> when it starts.</returns>
    /// <exception cref="MediaFormatException">With <see cref="MediaErrorCode.Corrupt"/>: the stored bytes are not MP3/ADTS frames where
    /// the index points (another file, or an index of another version); with <see cref="MediaErrorCode.Empty"/>: the index is empty.</exception>
    /// <exception cref="BlobStoreException">The storage read failed.</exception>
    public static async Task<SeekPoint> FindFrameAsync(IBlobStore store, BlobKey key, SeekIndex index, TimeSpan time, ETag? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(index);
        var window = await OpenWindowAsync(store, key, index, time, 0, ifMatch, ArrayPool<byte>.Shared, cancellationToken).ConfigureAwait(false);
        await using (window.ConfigureAwait(false))
        {
            return window.Frame;
        }
    }

    /// <summary>
    /// Opens one ranged read (two for a long interval: see the remarks) at the index entry before <paramref name="time"/> covering the interval to the next entry and
    /// then <paramref name="extra"/> bytes more (saturating: to the end of the blob), reads the interval into a buffer
    /// rented from <paramref name="pool"/> and finds the frame holding the time in it. The read stays open after the
    /// interval, so the caller can stream on from the frame without a second storage request.
    /// </summary>
    /// <remarks>
    /// An interval longer than <see cref="MaxTailWindow"/> (a tag or junk of megabytes between two streams joined into one
    /// file) is read in two parts: its first <see cref="MaxTailWindow"/> bytes, and, when the frames there stop before the
    /// time, a second read of its last <see cref="MaxTailWindow"/> bytes, where the frames before the next entry are (see
    /// <see cref="SeekIndex.FindFrame(TimeSpan, ReadOnlySpan{byte}, long, ReadOnlySpan{byte})"/>). That second read stays
    /// open instead of the first: two storage reads in all.
    /// </remarks>
    internal static async Task<FrameWindow> OpenWindowAsync(IBlobStore store, BlobKey key, SeekIndex index, TimeSpan time, long extra, ETag? ifMatch, ArrayPool<byte> pool, CancellationToken cancellationToken)
    {
        if (index.Count == 0)
        {
            throw new MediaFormatException(MediaErrorCode.Empty, $"The seek index of '{key}' has no entry: the track has no MP3/ADTS frame to seek to.");
        }

        int i = index.IndexOf(time);
        var entry = index[i];
        long? nextEntry = i + 1 < index.Count ? index[i + 1].ByteOffset : null;
        int want = WindowLength(entry, nextEntry);
        var window = await FillWindowAsync(store, key, entry.ByteOffset, want, extra, ifMatch, pool, cancellationToken).ConfigureAwait(false);
        FrameWindow? tail = null;
        try
        {
            long blobLength = window.Download.Properties.Length;
            long tailEnd = nextEntry is { } nextOffset ? nextOffset + HeaderSlack : blobLength; // where the interval's bytes end
            bool cut = window.Bytes.Length == want && window.BufferedEnd < tailEnd; // the first read holds only the interval's first MaxTailWindow bytes
            if (!cut || nextEntry is not null)
            {
                try
                {
                    window.Frame = index.FindFrame(time, window.Bytes);
                    return window;
                }
                catch (ArgumentException) when (cut)
                {
                    // The interval was cut at MaxTailWindow and its frames stop before the time: a long tag. Its last bytes.
                }
                catch (ArgumentException ex)
                {
                    throw EndsEarly(key, time, window.BufferedEnd, ex);
                }
            }

            // The interval's last MaxTailWindow bytes (in the last interval, the file's), overlapping the first read when the
            // interval is shorter than two of them (so the walk goes on from exactly where the first read's frames stopped,
            // when they stopped in reach). In a last interval cut short, always: frames that run past the first read's end
            // are taken only where the file ends, and there a long tag may hide frames after it.
            long tailStart = Math.Max(entry.ByteOffset, tailEnd - MaxTailWindow);
            tail = await FillWindowAsync(store, key, tailStart, (int)(tailEnd - tailStart), extra, ifMatch, pool, cancellationToken).ConfigureAwait(false);
            try
            {
                tail.Frame = index.FindFrame(time, window.Bytes, tailStart, tail.Bytes);
            }
            catch (ArgumentException ex)
            {
                throw EndsEarly(key, time, tail.BufferedEnd, ex);
            }

            if (tail.Frame.ByteOffset < tailStart)
            {
                // Found in the first read (a last interval cut short): that read serves the body.
                window.Frame = tail.Frame;
                await tail.DisposeAsync().ConfigureAwait(false);
                tail = null;
                return window;
            }

            await window.DisposeAsync().ConfigureAwait(false); // should it throw, the tail is disposed below too
            var found = tail;
            tail = null;
            return found;
        }
        catch
        {
            if (tail is not null)
            {
                await tail.DisposeAsync().ConfigureAwait(false);
            }

            await window.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a read at <paramref name="start"/> for <paramref name="want"/> + <paramref name="extra"/> bytes and reads the first <paramref name="want"/> into a pooled buffer.</summary>
    private static async Task<FrameWindow> FillWindowAsync(IBlobStore store, BlobKey key, long start, int want, long extra, ETag? ifMatch, ArrayPool<byte> pool, CancellationToken cancellationToken)
    {
        long? readLength = extra > long.MaxValue - want - start ? null : want + extra;
        BlobDownload download;
        try
        {
            download = await store.OpenReadAsync(key, new ReadBlobOptions { Range = new ByteRange(start, readLength), IfMatch = ifMatch }, cancellationToken).ConfigureAwait(false);
        }
        catch (RangeNotSatisfiableException ex)
        {
            throw new MediaFormatException(MediaErrorCode.Corrupt, $"The seek index of '{key}' points past the end of the stored track.", start, ex);
        }

        var window = new FrameWindow(download, pool.Rent(want), pool, start);
        try
        {
            await window.FillAsync(want, cancellationToken).ConfigureAwait(false);
            return window;
        }
        catch
        {
            await window.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static MediaFormatException EndsEarly(BlobKey key, TimeSpan time, long at, ArgumentException ex) =>
        new(MediaErrorCode.Corrupt, $"'{key}' ends before the frame that holds {time} (the seek index belongs to another version).", at, ex);

    /// <summary>The bytes from an entry to the next one (+ header slack), or <see cref="MaxTailWindow"/> after the last entry.</summary>
    private static int WindowLength(SeekPoint entry, long? nextEntry)
    {
        long windowLength = nextEntry is { } next ? next - entry.ByteOffset + HeaderSlack : MaxTailWindow;
        return windowLength <= 0 || windowLength > MaxTailWindow ? MaxTailWindow : (int)windowLength;
    }
}
