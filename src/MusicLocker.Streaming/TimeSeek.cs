using System.Buffers;
using System.Globalization;
using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Streaming;

/// <summary>
/// "Start at 1:23" for MP3 and ADTS without transcoding: the byte offset of the frame that holds a time, from the
/// track's <see cref="SeekIndex"/> and ONE ranged read of the bytes between the index entry before the time and the
/// entry after it. <see cref="BlobRangeReader.WriteFromTimeAsync"/> finds the frame and streams from it in that same read.
/// </summary>
public static class TimeSeek
{
    /// <summary>The most bytes read after the last index entry (the last interval of a track plus trailing tags).</summary>
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
    /// negative time, the last frame past the end), reading only the bytes of one index interval.
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
    /// Opens ONE ranged read at the index entry before <paramref name="time"/> covering the interval to the next entry and
    /// then <paramref name="extra"/> bytes more (saturating: to the end of the blob), reads the interval into a buffer
    /// rented from <paramref name="pool"/> and finds the frame holding the time in it. The read stays open after the
    /// interval, so the caller can stream on from the frame without a second storage request.
    /// </summary>
    internal static async Task<FrameWindow> OpenWindowAsync(IBlobStore store, BlobKey key, SeekIndex index, TimeSpan time, long extra, ETag? ifMatch, ArrayPool<byte> pool, CancellationToken cancellationToken)
    {
        if (index.Count == 0)
        {
            throw new MediaFormatException(MediaErrorCode.Empty, $"The seek index of '{key}' has no entry: the track has no MP3/ADTS frame to seek to.");
        }

        var entry = index.Find(time);
        int want = WindowLength(index, entry);
        long? readLength = extra > long.MaxValue - want - entry.ByteOffset ? null : want + extra;
        BlobDownload download;
        try
        {
            download = await store.OpenReadAsync(key, new ReadBlobOptions { Range = new ByteRange(entry.ByteOffset, readLength), IfMatch = ifMatch }, cancellationToken).ConfigureAwait(false);
        }
        catch (RangeNotSatisfiableException ex)
        {
            throw new MediaFormatException(MediaErrorCode.Corrupt, $"The seek index of '{key}' points past the end of the stored track.", entry.ByteOffset, ex);
        }

        var window = new FrameWindow(download, pool.Rent(want), pool, entry);
        try
        {
            await window.FillAsync(want, cancellationToken).ConfigureAwait(false);
            try
            {
                window.Frame = index.FindFrame(time, window.Bytes);
            }
            catch (ArgumentException ex)
            {
                throw new MediaFormatException(MediaErrorCode.Corrupt, $"'{key}' ends before the frame that holds {time} (the seek index belongs to another version).", window.BufferedEnd, ex);
            }

            return window;
        }
        catch
        {
            await window.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The bytes from an entry to the next one (+ header slack), or <see cref="MaxTailWindow"/> after the last entry.</summary>
    private static int WindowLength(SeekIndex index, SeekPoint entry)
    {
        int i = IndexOf(index, entry.Timestamp);
        long windowLength = i + 1 < index.Count
            ? index[i + 1].ByteOffset - entry.ByteOffset + HeaderSlack
            : MaxTailWindow;
        return windowLength <= 0 || windowLength > MaxTailWindow ? MaxTailWindow : (int)windowLength;
    }

    private static int IndexOf(SeekIndex index, long timestamp)
    {
        int lo = 0, hi = index.Count - 1;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo + 1) / 2);
            if (index[mid].Timestamp <= timestamp)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }
}
