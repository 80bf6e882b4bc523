namespace MusicLocker.Metadata;

/// <summary>One page of a keyset-paged listing.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items.</param>
/// <param name="NextCursor">Pass it back for the next page; <see langword="null"/> on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
