using System.Text.Json;
using System.Text.Json.Serialization;

namespace MusicLocker.Crypto.Internal;

/// <summary>
/// Base64 key material that can be zeroed whatever happens: while a <see cref="Collect"/> scope is open on this thread,
/// every array it decodes is also added to the scope's list, so keys decoded before a parse error (whose half-built
/// document is unreachable) are still zeroed by the caller. Deserializing from a span is synchronous, so the scope is
/// per thread.
/// </summary>
internal sealed class SecretBytesConverter : JsonConverter<byte[]>
{
    [ThreadStatic]
    private static List<byte[]>? t_decoded;

    /// <summary>Records every array decoded on this thread into <paramref name="decoded"/> until the scope is disposed.</summary>
    public static Scope Collect(List<byte[]> decoded)
    {
        t_decoded = decoded;
        return default;
    }

    public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var bytes = reader.GetBytesFromBase64();
        t_decoded?.Add(bytes);
        return bytes;
    }

    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) => writer.WriteBase64StringValue(value);

    /// <summary>Ends a <see cref="Collect"/> scope.</summary>
    public readonly struct Scope : IDisposable
    {
        public void Dispose() => t_decoded = null;
    }
}
