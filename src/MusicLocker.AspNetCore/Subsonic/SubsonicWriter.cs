using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>
/// Writes a <c>subsonic-response</c> as XML or JSON from one sequence of calls, following the Subsonic JSON mapping:
/// an element is an object, its attributes are properties, repeated elements are an array under the element's name, and
/// element text is the property <c>value</c>. XML goes through <see cref="XmlWriter"/>, JSON through
/// <see cref="Utf8JsonWriter"/>, both into one pooled buffer: no reflection serializer on the request path.
/// </summary>
internal abstract class SubsonicWriter : IDisposable
{
    public const string Namespace = "http://subsonic.org/restapi";
    public const string ApiVersion = "1.16.1";

    protected SubsonicWriter(ArrayBufferWriter<byte> buffer) => Buffer = buffer;

    protected ArrayBufferWriter<byte> Buffer { get; }

    public abstract string ContentType { get; }

    public static SubsonicWriter Create(SubsonicFormat format, string? callback) => format switch
    {
        SubsonicFormat.Json => new JsonSubsonicWriter(new ArrayBufferWriter<byte>(4096), null),
        SubsonicFormat.Jsonp => new JsonSubsonicWriter(new ArrayBufferWriter<byte>(4096), callback),
        _ => new XmlSubsonicWriter(new ArrayBufferWriter<byte>(4096)),
    };

    /// <summary>Opens the root with its status and the version fields.</summary>
    public void StartResponse(bool ok, string serverVersion)
    {
        StartRoot();
        Attr("status", ok ? "ok" : "failed");
        Attr("version", ApiVersion);
        Attr("type", "musiclocker");
        Attr("serverVersion", serverVersion);
        Attr("openSubsonic", true);
    }

    protected abstract void StartRoot();

    /// <summary>Opens one child element (an object).</summary>
    public abstract void StartElement(string name);

    public abstract void EndElement();

    /// <summary>Opens a list of elements named <paramref name="name"/> (in XML, the items are siblings).</summary>
    public abstract void StartList(string name);

    /// <summary>Opens one item of the current list.</summary>
    public abstract void StartItem();

    public abstract void EndItem();

    public abstract void EndList();

    public abstract void Attr(string name, string? value);

    public abstract void Attr(string name, long value);

    public abstract void Attr(string name, bool value);

    public void Attr(string name, long? value)
    {
        if (value is { } v)
        {
            Attr(name, v);
        }
    }

    public void Attr(string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            Attr(name, v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The element's text (JSON: property <c>value</c>).</summary>
    public abstract void Text(string value);

    /// <summary>Repeated child elements holding a number each (JSON: an array of numbers).</summary>
    public abstract void NumberList(string name, ReadOnlySpan<int> values);

    /// <summary>Closes the document and returns its bytes.</summary>
    public abstract ReadOnlyMemory<byte> Finish();

    public abstract void Dispose();
}

/// <summary>The response formats (<c>f</c>).</summary>
internal enum SubsonicFormat
{
    Xml = 0,
    Json,
    Jsonp,
}

internal sealed class XmlSubsonicWriter : SubsonicWriter
{
    private static readonly XmlWriterSettings Settings = new() { Encoding = new UTF8Encoding(false), Indent = false, CloseOutput = false };
    private readonly BufferStream _stream;
    private readonly XmlWriter _xml;
    private readonly Stack<string> _lists = new();

    public XmlSubsonicWriter(ArrayBufferWriter<byte> buffer)
        : base(buffer)
    {
        _stream = new BufferStream(buffer);
        _xml = XmlWriter.Create(_stream, Settings);
    }

    public override string ContentType => "text/xml; charset=utf-8";

    protected override void StartRoot()
    {
        _xml.WriteStartDocument();
        _xml.WriteStartElement("subsonic-response", Namespace);
    }

    public override void StartElement(string name) => _xml.WriteStartElement(name, Namespace);

    public override void EndElement() => _xml.WriteEndElement();

    public override void StartList(string name) => _lists.Push(name);

    public override void StartItem() => _xml.WriteStartElement(_lists.Peek(), Namespace);

    public override void EndItem() => _xml.WriteEndElement();

    public override void EndList() => _lists.Pop();

    public override void Attr(string name, string? value)
    {
        if (value is not null)
        {
            _xml.WriteAttributeString(name, Sanitize(value));
        }
    }

    public override void Attr(string name, long value) => _xml.WriteAttributeString(name, value.ToString(CultureInfo.InvariantCulture));

    public override void Attr(string name, bool value) => _xml.WriteAttributeString(name, value ? "true" : "false");

    public override void Text(string value) => _xml.WriteString(Sanitize(value));

    public override void NumberList(string name, ReadOnlySpan<int> values)
    {
        foreach (int value in values)
        {
            _xml.WriteElementString(name, Namespace, value.ToString(CultureInfo.InvariantCulture));
        }
    }

    public override ReadOnlyMemory<byte> Finish()
    {
        _xml.WriteEndElement();
        _xml.WriteEndDocument();
        _xml.Flush();
        return Buffer.WrittenMemory;
    }

    public override void Dispose() => _xml.Dispose();

    /// <summary>Tag text may hold characters XML 1.0 cannot carry (control characters); they become U+FFFD instead of failing the response.</summary>
    private static string Sanitize(string value)
    {
        foreach (char c in value)
        {
            if (!XmlConvert.IsXmlChar(c) && !char.IsSurrogate(c))
            {
                var builder = new StringBuilder(value.Length);
                foreach (char d in value)
                {
                    builder.Append(XmlConvert.IsXmlChar(d) || char.IsSurrogate(d) ? d : '\uFFFD');
                }

                return builder.ToString();
            }
        }

        return value;
    }

    /// <summary>A write-only stream over the buffer, so that <see cref="XmlWriter"/> writes straight into it.</summary>
    private sealed class BufferStream(ArrayBufferWriter<byte> buffer) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => buffer.WrittenCount;

        public override long Position { get => buffer.WrittenCount; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer1) => buffer.Write(buffer1);
    }
}

internal sealed class JsonSubsonicWriter : SubsonicWriter
{
    private readonly Utf8JsonWriter _json;
    private readonly string? _callback;

    public JsonSubsonicWriter(ArrayBufferWriter<byte> buffer, string? callback)
        : base(buffer)
    {
        _callback = callback;
        if (callback is not null)
        {
            Encoding.UTF8.GetBytes(callback + "(", buffer);
        }

        _json = new Utf8JsonWriter(buffer);
    }

    public override string ContentType => _callback is null ? "application/json; charset=utf-8" : "text/javascript; charset=utf-8";

    protected override void StartRoot()
    {
        _json.WriteStartObject();
        _json.WriteStartObject("subsonic-response");
    }

    public override void StartElement(string name) => _json.WriteStartObject(name);

    public override void EndElement() => _json.WriteEndObject();

    public override void StartList(string name) => _json.WriteStartArray(name);

    public override void StartItem() => _json.WriteStartObject();

    public override void EndItem() => _json.WriteEndObject();

    public override void EndList() => _json.WriteEndArray();

    public override void Attr(string name, string? value)
    {
        if (value is not null)
        {
            _json.WriteString(name, value);
        }
    }

    public override void Attr(string name, long value) => _json.WriteNumber(name, value);

    public override void Attr(string name, bool value) => _json.WriteBoolean(name, value);

    public override void Text(string value) => _json.WriteString("value", value);

    public override void NumberList(string name, ReadOnlySpan<int> values)
    {
        _json.WriteStartArray(name);
        foreach (int value in values)
        {
            _json.WriteNumberValue(value);
        }

        _json.WriteEndArray();
    }

    public override ReadOnlyMemory<byte> Finish()
    {
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
        if (_callback is not null)
        {
            Buffer.Write(");"u8);
        }

        return Buffer.WrittenMemory;
    }

    public override void Dispose() => _json.Dispose();
}
