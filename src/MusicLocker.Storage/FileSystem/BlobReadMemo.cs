using System.Collections.Concurrent;

namespace MusicLocker.Storage.FileSystem;

/// <summary>
/// What a read of a key recomputes every time and need not: the key's file path (a pure function of the key), and the
/// parsed header of the header bytes last read from its file. A header is reused only when the bytes just read from
/// the file the caller has open are byte for byte the bytes it was parsed from — so it is a memo of a pure function, not
/// a cache that could go stale: a replaced blob has a new ETag in its header, hence other bytes, and is parsed again.
/// Bounded: past <see cref="Capacity"/> keys the memo starts over.
/// </summary>
/// <remarks>
/// A ranged read of a warm blob paid a fixed ~7 µs on top of the raw <c>pread</c> (1.23× at 1 MiB in
/// <c>Storage/FileSystemRangeReadBenchmarks</c>): building the path, the JSON parse of the header and the properties
/// objects. The header bytes are still read from the open file on every read (one 4 KiB <c>pread</c>), because they are
/// what proves the version.
/// </remarks>
internal sealed class BlobReadMemo(string blobsRoot)
{
    /// <summary>The most keys held (a few hundred bytes each).</summary>
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>The memo of <paramref name="key"/> (already validated): its path, computed once.</summary>
    /// <exception cref="InvalidBlobKeyException">The key's path is too long for this store (never memoised).</exception>
    public Entry For(BlobKey key)
    {
        if (_entries.TryGetValue(key.Value, out var entry))
        {
            return entry;
        }

        entry = new Entry(FileSystemPaths.BlobPath(blobsRoot, key));
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            // Crude but bounded and lock-free on the hit path: a store reading more distinct keys than this starts over.
            _entries.Clear();
            Volatile.Write(ref _count, 1);
        }

        return _entries.GetOrAdd(key.Value, entry);
    }

    /// <summary>One key: its path and the header last parsed from its file.</summary>
    internal sealed class Entry(string path)
    {
        private volatile ParsedHeader? _header;

        public string Path { get; } = path;

        /// <summary>The header parsed from exactly <paramref name="bytes"/> when they were seen last, else <see langword="null"/>.</summary>
        public BlobFileHeader? Find(ReadOnlySpan<byte> bytes) =>
            _header is { } seen && bytes.SequenceEqual(seen.Bytes) ? seen.Header : null;

        /// <summary>Remembers that <paramref name="bytes"/> parse to <paramref name="header"/> (one object: never a torn pair).</summary>
        public void Remember(ReadOnlySpan<byte> bytes, BlobFileHeader header) => _header = new ParsedHeader(bytes.ToArray(), header);
    }

    private sealed record ParsedHeader(byte[] Bytes, BlobFileHeader Header);
}
