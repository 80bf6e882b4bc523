namespace MusicLocker.Storage;

/// <summary>The key rule an <see cref="InvalidBlobKeyException"/> reports (see <see cref="BlobKey"/> for the rules).</summary>
public enum BlobKeyRule
{
    /// <summary>A rule with no more specific member; see the message.</summary>
    Unknown = 0,

    /// <summary>The key is null or empty.</summary>
    Empty,

    /// <summary>The key starts with <c>/</c>.</summary>
    LeadingSlash,

    /// <summary>The key ends with <c>/</c>.</summary>
    TrailingSlash,

    /// <summary>The key has an empty segment (<c>a//b</c>).</summary>
    EmptySegment,

    /// <summary>The key has a <c>.</c> or <c>..</c> segment.</summary>
    DotSegment,

    /// <summary>The key has a backslash.</summary>
    Backslash,

    /// <summary>The key has a control character (U+0000–U+001F, U+007F–U+009F).</summary>
    ControlCharacter,

    /// <summary>The key has an unpaired UTF-16 surrogate.</summary>
    UnpairedSurrogate,

    /// <summary>The key is longer than <see cref="BlobKey.MaxUtf8Length"/> UTF-8 bytes.</summary>
    TooLong,

    /// <summary>A segment is longer than the provider can name (the file-system store: 250 UTF-8 bytes).</summary>
    SegmentTooLong,

    /// <summary>The provider's path for the key is longer than the operating system allows (the file-system store).</summary>
    PathTooLong,

    /// <summary>The key lies under a prefix a store reserves for itself (the encrypted store's key records).</summary>
    Reserved,
}
