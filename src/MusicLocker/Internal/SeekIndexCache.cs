using System.Collections.Concurrent;
using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// Parsed seek indexes by track version (storage key and the stored object's ETag), so a time seek into a track version
/// this process has seeked before costs one storage read — the stream, whose head holds the frame — instead of two (the
/// index lives in the track's sidecar). An index is a function of the stored audio bytes, and an ETag names exactly one
/// version of them, so an entry never goes stale; a replaced track has a new ETag and misses. It holds frame offsets,
/// no key material. Bounded: past <see cref="Capacity"/> versions, or <see cref="MaxEntries"/> index entries in all, the
/// cache starts over.
/// </summary>
internal sealed class SeekIndexCache
{
    /// <summary>The most track versions held.</summary>
    public const int Capacity = 512;

    /// <summary>The most index entries held in all (16 bytes each at most: ~16 MiB).</summary>
    public const long MaxEntries = 1L << 20;

    private readonly ConcurrentDictionary<(string Key, ETag Version), SeekIndex> _indexes = new();
    private long _entries;
    private int _count;

    public bool TryGet(BlobKey key, ETag version, out SeekIndex index) => _indexes.TryGetValue((key.Value, version), out index!);

    public void Add(BlobKey key, ETag version, SeekIndex index)
    {
        if (index.Count > MaxEntries)
        {
            return;
        }

        if (Interlocked.Increment(ref _count) > Capacity || Interlocked.Add(ref _entries, index.Count) > MaxEntries)
        {
            _indexes.Clear();
            Volatile.Write(ref _count, 1);
            Volatile.Write(ref _entries, index.Count);
        }

        _indexes[(key.Value, version)] = index;
    }
}
