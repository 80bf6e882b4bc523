using System.Security.Cryptography;
using System.Text;

namespace MusicLocker.Internal;

/// <summary>
/// Cursors handed to callers name the user and listing they belong to, so a cursor of another user or listing (or a
/// forged one) is refused with <see cref="LockerErrorCode.InvalidCursor"/> instead of reaching the catalog.
/// </summary>
internal static class LockerCursor
{
    public static string? Wrap(string userId, string listing, string? inner) =>
        inner is null ? null : Tag(userId, listing) + "." + inner;

    public static string? Unwrap(string userId, string listing, string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        string tag = Tag(userId, listing) + ".";
        if (!cursor.StartsWith(tag, StringComparison.Ordinal) || cursor.Length == tag.Length)
        {
            throw new LockerException(LockerErrorCode.InvalidCursor, $"The cursor was not made by this {listing} listing for this user; start from the first page.");
        }

        return cursor[tag.Length..];
    }

    private static string Tag(string userId, string listing)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(listing + "\n" + userId), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
