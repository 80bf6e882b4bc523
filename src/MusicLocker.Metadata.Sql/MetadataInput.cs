using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// The one place every caller-supplied value is checked, at the API boundary and before any SQL runs, against the caps of
/// <see cref="MetadataLimits"/>. Every refusal is a <see cref="MetadataArgumentException"/> naming the parameter.
/// Text is refused (never repaired) when it holds a NUL (PostgreSQL cannot store it; it comes from tag terminators) or an
/// unpaired surrogate (SQLite would store U+FFFD, merging distinct values; Npgsql cannot encode it).
/// </summary>
internal static class MetadataInput
{
    /// <summary>A user id: 1 to 200 characters, not blank, no control characters, no <c>/</c>, well-formed UTF-16.</summary>
    public static void UserId([NotNull] string? userId, string parameter = "userId")
    {
        Identifier(userId, parameter, MetadataLimits.MaxUserIdLength);
        if (userId.Contains('/', StringComparison.Ordinal))
        {
            throw Invalid(parameter, "A user id cannot contain '/': it separates the user's storage key prefix (users/{userId}/).");
        }
    }

    /// <summary>Required text without control characters (ids, hashes, codecs, keys).</summary>
    public static void Identifier([NotNull] string? value, string parameter, int maxLength)
    {
        NotNull(value, parameter);
        Text(value, parameter, maxLength, required: true);
        foreach (char c in value)
        {
            if (char.IsControl(c))
            {
                throw Invalid(parameter, $"Control character U+{(int)c:X4} is not allowed here.");
            }
        }
    }

    /// <summary>Free text (tags, names): at most <paramref name="maxLength"/> characters, no NUL, well-formed UTF-16; blank only when optional.</summary>
    public static void Text(string? value, string parameter, int maxLength, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                throw Invalid(parameter, "A value is required.");
            }

            return;
        }

        if (required && string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(parameter, "The value cannot be empty or blank.");
        }

        if (value.Length > maxLength)
        {
            throw Invalid(parameter, $"The value is {value.Length:N0} characters; at most {maxLength:N0} are allowed.");
        }

        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '\0')
            {
                throw Invalid(parameter, $"The value holds a NUL character at index {i}; strip tag terminators before storing text.");
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw Invalid(parameter, $"The value holds an unpaired surrogate U+{(int)c:X4} at index {i}; it is not well-formed UTF-16.");
            }
        }
    }

    /// <summary>
    /// A storage key the user may name: well-formed, at most <see cref="MetadataLimits.MaxStorageKeyLength"/> characters,
    /// under <paramref name="prefix"/> with something after it, and without empty, <c>.</c> or <c>..</c> segments (which
    /// a store could resolve to another user's key).
    /// </summary>
    public static void StorageKey([NotNull] string? key, string prefix, string parameter)
    {
        Identifier(key, parameter, MetadataLimits.MaxStorageKeyLength);
        if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Length == prefix.Length)
        {
            throw Invalid(parameter, $"A storage key must lie under the user's own prefix '{prefix}'.");
        }

        foreach (var segment in key.AsSpan(prefix.Length).Split('/'))
        {
            var name = key.AsSpan(prefix.Length)[segment];
            if (name.IsEmpty || name is "." or "..")
            {
                throw Invalid(parameter, "A storage key cannot have empty, '.' or '..' segments.");
            }
        }
    }

    /// <summary>Checks every field of a track against <see cref="MetadataLimits"/>; the storage key must lie under <paramref name="storageKeyPrefix"/>.</summary>
    public static void Track([NotNull] NewTrack? track, string storageKeyPrefix, string parameter)
    {
        NotNull(track, parameter);
        Tags(track.Tags, parameter + ".Tags");
        if (track.Duration < TimeSpan.Zero)
        {
            throw Invalid(parameter + ".Duration", $"A track's duration cannot be negative (got {track.Duration}).");
        }

        Identifier(track.Codec, parameter + ".Codec", MetadataLimits.MaxIdentifierLength);
        if (track.BitrateKbps < 0)
        {
            throw Invalid(parameter + ".BitrateKbps", $"A bitrate cannot be negative (got {track.BitrateKbps}).");
        }

        Bytes(track.SizeBytes, parameter + ".SizeBytes");
        Identifier(track.ContentHash, parameter + ".ContentHash", MetadataLimits.MaxIdentifierLength);
        Identifier(track.AudioHash, parameter + ".AudioHash", MetadataLimits.MaxIdentifierLength);
        StorageKey(track.StorageKey, storageKeyPrefix, parameter + ".StorageKey");
    }

    /// <summary>Checks every tag against <see cref="MetadataLimits"/> (no NUL, no unpaired surrogate, capped length; 1-based numbers).</summary>
    public static void Tags([NotNull] TrackTags? tags, string parameter)
    {
        NotNull(tags, parameter);
        Text(tags.Title, parameter + ".Title", MetadataLimits.MaxTagLength, required: true);
        Text(tags.Artist, parameter + ".Artist", MetadataLimits.MaxTagLength, required: false);
        Text(tags.Album, parameter + ".Album", MetadataLimits.MaxTagLength, required: false);
        Text(tags.AlbumArtist, parameter + ".AlbumArtist", MetadataLimits.MaxTagLength, required: false);
        Text(tags.Genre, parameter + ".Genre", MetadataLimits.MaxTagLength, required: false);
        Text(tags.Comment, parameter + ".Comment", MetadataLimits.MaxCommentLength, required: false);
        OneBased(tags.TrackNumber, parameter + ".TrackNumber");
        OneBased(tags.TrackCount, parameter + ".TrackCount");
        OneBased(tags.DiscNumber, parameter + ".DiscNumber");
        OneBased(tags.DiscCount, parameter + ".DiscCount");
    }

    private static void OneBased(int? value, string parameter)
    {
        if (value is < 1)
        {
            throw Invalid(parameter, $"Track and disc numbers and counts are 1-based (got {value}).");
        }
    }

    /// <summary>A size in bytes: 0 to <see cref="MetadataLimits.MaxSizeBytes"/>.</summary>
    public static void Bytes(long value, string parameter)
    {
        if (value is < 0 or > MetadataLimits.MaxSizeBytes)
        {
            throw Invalid(parameter, $"A size is 0 to {MetadataLimits.MaxSizeBytes:N0} bytes (got {value:N0}).");
        }
    }

    /// <summary>A quota limit: 0 to <see cref="MetadataLimits.MaxQuotaBytes"/>.</summary>
    public static void QuotaBytes(long value, string parameter)
    {
        if (value is < 0 or > MetadataLimits.MaxQuotaBytes)
        {
            throw Invalid(parameter, $"A quota limit is 0 to {MetadataLimits.MaxQuotaBytes:N0} bytes (got {value:N0}).");
        }
    }

    /// <summary>A page size or count: 1 to <see cref="TrackQuery.MaxPageSize"/>.</summary>
    public static void PageSize(int pageSize, string parameter)
    {
        if (pageSize is < 1 or > TrackQuery.MaxPageSize)
        {
            throw Invalid(parameter, $"A page holds 1 to {TrackQuery.MaxPageSize} items (got {pageSize.ToString(CultureInfo.InvariantCulture)}).");
        }
    }

    /// <summary>A value that must be set.</summary>
    public static void NotNull([NotNull] object? value, string parameter)
    {
        if (value is null)
        {
            throw Invalid(parameter, "A value is required.");
        }
    }

    /// <summary>A value of an enum that must be one of its named members.</summary>
    public static void Defined<TEnum>(TEnum value, string parameter)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw Invalid(parameter, $"{value} is not a {typeof(TEnum).Name}.");
        }
    }

    /// <summary>The folded words of a search, refused past <see cref="MetadataLimits.MaxSearchLength"/> characters or <see cref="MetadataLimits.MaxSearchWords"/> words.</summary>
    public static IReadOnlyList<string> SearchWords([NotNull] string? text, string parameter)
    {
        NotNull(text, parameter);
        Text(text, parameter, MetadataLimits.MaxSearchLength, required: false);
        var words = CatalogText.Words(text);
        return words.Count <= MetadataLimits.MaxSearchWords
            ? words
            : throw Invalid(parameter, $"A search has at most {MetadataLimits.MaxSearchWords} words (got {words.Count}).");
    }

    public static MetadataArgumentException Invalid(string parameter, string message, Exception? inner = null) => new(parameter, message, inner);
}
