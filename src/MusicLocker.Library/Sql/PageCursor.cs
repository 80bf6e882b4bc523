using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace MusicLocker.Library.Sql;

/// <summary>
/// An opaque keyset cursor: the sort-key values of the last row of a page, tagged with the listing they belong to, as
/// base64url. Values are strings, 64-bit integers or GUIDs.
/// </summary>
internal static class PageCursor
{
    private const byte StringTag = 1;
    private const byte Int64Tag = 2;
    private const byte GuidTag = 3;

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

    public static object[] Decode(string cursor, byte kind, int count, string paramName = "cursor")
    {
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

        var values = new object[count];
        int at = 1;
        for (int i = 0; i < count; i++)
        {
            if (at >= bytes.Length)
            {
                throw Invalid(paramName, null);
            }

            switch (bytes[at])
            {
                case StringTag when at + 5 <= bytes.Length:
                    int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 1));
                    if (length < 0 || at + 5 + length > bytes.Length)
                    {
                        throw Invalid(paramName, null);
                    }

                    values[i] = Encoding.UTF8.GetString(bytes, at + 5, length);
                    at += 5 + length;
                    break;
                case GuidTag when at + 17 <= bytes.Length:
                    values[i] = new Guid(bytes.AsSpan(at + 1, 16));
                    at += 17;
                    break;
                case Int64Tag when at + 9 <= bytes.Length:
                    values[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at + 1));
                    at += 9;
                    break;
                default:
                    throw Invalid(paramName, null);
            }
        }

        return at == bytes.Length ? values : throw Invalid(paramName, null);
    }

    private static ArgumentException Invalid(string paramName, Exception? inner) =>
        new("The cursor was not produced by this listing (or by another sort order); start again without a cursor.", paramName, inner);
}
