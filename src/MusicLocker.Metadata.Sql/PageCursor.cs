using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// An opaque keyset cursor: the sort-key values of the last row of a page, tagged with the listing they belong to, as
/// base64url. Values are strings, 64-bit integers or GUIDs. A cursor comes back from the caller, so decoding trusts
/// nothing: the listing tag, the number of values and each value's type must be exactly what that listing writes, and a
/// string must be valid UTF-8 without NUL; anything else is a <see cref="MetadataArgumentException"/>.
/// </summary>
internal static class PageCursor
{
    /// <summary>A text sort key.</summary>
    public const byte StringTag = 1;

    /// <summary>An integer sort key.</summary>
    public const byte Int64Tag = 2;

    /// <summary>A unique id sort key.</summary>
    public const byte GuidTag = 3;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Encode(byte kind, ReadOnlySpan<object> values)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        buffer.GetSpan(1)[0] = kind;
        buffer.Advance(1);
        foreach (var value in values)
        {
            switch (value)
            {
                case string s:
                    int length = Encoding.UTF8.GetByteCount(s);
                    var span = buffer.GetSpan(5 + length);
                    span[0] = StringTag;
                    BinaryPrimitives.WriteInt32LittleEndian(span[1..], length);
                    Encoding.UTF8.GetBytes(s, span[5..]);
                    buffer.Advance(5 + length);
                    break;
                case Guid g:
                    var guidSpan = buffer.GetSpan(17);
                    guidSpan[0] = GuidTag;
                    g.TryWriteBytes(guidSpan[1..]);
                    buffer.Advance(17);
                    break;
                default:
                    var longSpan = buffer.GetSpan(9);
                    longSpan[0] = Int64Tag;
                    BinaryPrimitives.WriteInt64LittleEndian(longSpan[1..], Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                    buffer.Advance(9);
                    break;
            }
        }

        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }

    /// <summary>The values of a cursor of listing <paramref name="kind"/> whose keys have the types <paramref name="types"/>.</summary>
    public static object[] Decode(string cursor, byte kind, ReadOnlySpan<byte> types, string paramName)
    {
        if (cursor.Length > MetadataLimits.MaxCursorLength)
        {
            throw Invalid(paramName, null);
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException exception)
        {
            throw Invalid(paramName, exception);
        }

        if (bytes.Length == 0 || bytes[0] != kind)
        {
            throw Invalid(paramName, null);
        }

        var values = new object[types.Length];
        int at = 1;
        for (int i = 0; i < types.Length; i++)
        {
            if (at >= bytes.Length || bytes[at] != types[i])
            {
                throw Invalid(paramName, null);
            }

            values[i] = bytes[at] switch
            {
                StringTag => ReadString(bytes, ref at, paramName),
                GuidTag when at + 17 <= bytes.Length => ReadGuid(bytes, ref at),
                Int64Tag when at + 9 <= bytes.Length => ReadInt64(bytes, ref at),
                _ => throw Invalid(paramName, null),
            };
        }

        return at == bytes.Length ? values : throw Invalid(paramName, null);
    }

    private static string ReadString(byte[] bytes, ref int at, string paramName)
    {
        int length = at + 5 <= bytes.Length ? BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 1)) : -1;
        if (length < 0 || length > bytes.Length - at - 5)
        {
            throw Invalid(paramName, null);
        }

        string value;
        try
        {
            value = StrictUtf8.GetString(bytes, at + 5, length);
        }
        catch (DecoderFallbackException exception)
        {
            throw Invalid(paramName, exception);
        }

        at += 5 + length;
        return value.Contains('\0', StringComparison.Ordinal) ? throw Invalid(paramName, null) : value;
    }

    private static Guid ReadGuid(byte[] bytes, ref int at)
    {
        var value = new Guid(bytes.AsSpan(at + 1, 16));
        at += 17;
        return value;
    }

    private static long ReadInt64(byte[] bytes, ref int at)
    {
        long value = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at + 1));
        at += 9;
        return value;
    }

    private static MetadataArgumentException Invalid(string paramName, Exception? inner) =>
        new(paramName, "The cursor was not produced by this listing (or by another sort order); start again without a cursor.", inner);
}
