using System.Buffers.Text;
using System.Text;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>
/// The ids players see: opaque strings with a kind prefix. Tracks and playlists carry their id (<c>tr-</c>, <c>pl-</c>);
/// albums and artists carry their names (<c>al-</c>, <c>ar-</c>, base64url). An id names nothing by itself: every lookup
/// goes through the authenticated user's locker, so another user's id finds nothing (answered as not found, code 70).
/// </summary>
internal static class SubsonicIds
{
    public const string TrackPrefix = "tr-";
    public const string AlbumPrefix = "al-";
    public const string ArtistPrefix = "ar-";
    public const string PlaylistPrefix = "pl-";

    /// <summary>Longest id accepted (a name-carrying id of two maximal tags is far shorter).</summary>
    private const int MaxLength = 8192;

    public static string Track(Guid id) => TrackPrefix + id.ToString("N");

    public static string Playlist(Guid id) => PlaylistPrefix + id.ToString("N");

    public static string Album(string? albumArtist, string? title) => AlbumPrefix + Encode(Pack(albumArtist) + "\u001F" + Pack(title));

    public static string Artist(string? name) => ArtistPrefix + Encode(Pack(name));

    public static bool TryTrack(string id, out Guid trackId) => TryGuid(id, TrackPrefix, out trackId);

    public static bool TryPlaylist(string id, out Guid playlistId) => TryGuid(id, PlaylistPrefix, out playlistId);

    public static bool TryAlbum(string id, out string? albumArtist, out string? title)
    {
        albumArtist = title = null;
        if (!TryDecode(id, AlbumPrefix, out var text))
        {
            return false;
        }

        int separator = text.IndexOf('\u001F', StringComparison.Ordinal);
        return separator >= 0 && TryUnpack(text[..separator], out albumArtist) && TryUnpack(text[(separator + 1)..], out title);
    }

    public static bool TryArtist(string id, out string? name)
    {
        name = null;
        return TryDecode(id, ArtistPrefix, out var text) && TryUnpack(text, out name);
    }

    /// <summary>A missing name and an empty one differ: "0" for none, "1" and the text otherwise.</summary>
    private static string Pack(string? value) => value is null ? "0" : "1" + value;

    private static bool TryUnpack(string packed, out string? value)
    {
        value = null;
        if (packed == "0")
        {
            return true;
        }

        if (packed.Length == 0 || packed[0] != '1')
        {
            return false;
        }

        value = packed[1..];
        return true;
    }

    private static string Encode(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    private static bool TryDecode(string id, string prefix, out string text)
    {
        text = string.Empty;
        if (id.Length > MaxLength || !id.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = id.AsSpan(prefix.Length);
        byte[] bytes = new byte[Base64Url.GetMaxDecodedLength(encoded.Length)];
        if (Base64Url.DecodeFromChars(encoded, bytes, out int consumed, out int written) != System.Buffers.OperationStatus.Done || consumed != encoded.Length)
        {
            return false;
        }

        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool TryGuid(string id, string prefix, out Guid value)
    {
        value = Guid.Empty;
        return id.Length == prefix.Length + 32 && id.StartsWith(prefix, StringComparison.Ordinal) && Guid.TryParseExact(id.AsSpan(prefix.Length), "N", out value);
    }
}
