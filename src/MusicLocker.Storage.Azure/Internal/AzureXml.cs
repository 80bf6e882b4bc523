using System.Globalization;
using System.Text;
using System.Xml;

namespace MusicLocker.Storage.Azure.Internal;

/// <summary>Readers for the XML bodies of List Blobs and Get Block List, and the writer of Put Block List's body.</summary>
internal static class AzureXml
{
    private static readonly XmlReaderSettings Settings = new() { Async = true, DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true };

    /// <summary>One blob of a List Blobs page: its name (null when the service had to encode it) and properties.</summary>
    public readonly record struct ListedBlob(string? Name, long Length, string ETag, DateTimeOffset LastModified);

    /// <summary>Reads a List Blobs page: its blobs and the marker of the next page (null on the last).</summary>
    public static async Task<(List<ListedBlob> Blobs, string? NextMarker)> ReadBlobListAsync(Stream body, CancellationToken cancellationToken)
    {
        var blobs = new List<ListedBlob>();
        string? nextMarker = null;
        using var reader = XmlReader.Create(body, Settings);
        string? name = null, etag = null;
        long length = 0;
        var modified = DateTimeOffset.UnixEpoch;
        bool encoded = false;
        // ReadElementContentAsString moves to the node after the element: the loop reads on only when nothing was consumed.
        await reader.ReadAsync().ConfigureAwait(false);
        while (!reader.EOF)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reader.NodeType == XmlNodeType.EndElement && reader.Name == "Blob")
            {
                blobs.Add(new ListedBlob(encoded ? null : name, length, QuotedETag(etag), modified));
                name = etag = null;
                length = 0;
                encoded = false;
            }
            else if (reader.NodeType == XmlNodeType.Element)
            {
                switch (reader.Name)
                {
                    case "Name" when reader.Depth >= 3:
                        encoded = reader.GetAttribute("Encoded") == "true";
                        name = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                        continue;
                    case "Etag":
                        etag = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                        continue;
                    case "Content-Length":
                        length = long.Parse(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), NumberStyles.None, CultureInfo.InvariantCulture);
                        continue;
                    case "Last-Modified":
                        modified = DateTimeOffset.Parse(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                        continue;
                    case "NextMarker":
                        string marker = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                        nextMarker = marker.Length == 0 ? null : marker;
                        continue;
                }
            }

            await reader.ReadAsync().ConfigureAwait(false);
        }

        return (blobs, nextMarker);
    }

    /// <summary>Reads the uncommitted blocks of a Get Block List answer: base64 block ids decoded to text, and sizes.</summary>
    public static async Task<List<(string Id, long Size)>> ReadUncommittedBlocksAsync(Stream body, CancellationToken cancellationToken)
    {
        var blocks = new List<(string, long)>();
        using var reader = XmlReader.Create(body, Settings);
        bool uncommitted = false;
        string? id = null;
        await reader.ReadAsync().ConfigureAwait(false);
        while (!reader.EOF)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reader.NodeType == XmlNodeType.EndElement && reader.Name == "UncommittedBlocks")
            {
                uncommitted = false;
            }
            else if (reader.NodeType == XmlNodeType.Element)
            {
                switch (reader.Name)
                {
                    case "UncommittedBlocks":
                        uncommitted = !reader.IsEmptyElement;
                        break;
                    case "Name" when uncommitted:
                        id = DecodeBlockId(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false));
                        continue;
                    case "Size" when uncommitted:
                        long size = long.Parse(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), NumberStyles.None, CultureInfo.InvariantCulture);
                        if (id is not null)
                        {
                            blocks.Add((id, size));
                        }

                        id = null;
                        continue;
                }
            }

            await reader.ReadAsync().ConfigureAwait(false);
        }

        return blocks;
    }

    /// <summary>The body of Put Block List naming <paramref name="blockIds"/> (text ids, base64-encoded here) as latest blocks.</summary>
    public static byte[] BlockList(IEnumerable<string> blockIds)
    {
        var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in blockIds)
        {
            sb.Append("<Latest>").Append(EncodeBlockId(id)).Append("</Latest>");
        }

        sb.Append("</BlockList>");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>List Blobs gives ETags bare (<c>0x8D…</c>), the blob's headers quoted; the store reports them as the headers do.</summary>
    private static string QuotedETag(string? etag) =>
        string.IsNullOrEmpty(etag) ? "\"\"" : etag[0] == '"' ? etag : "\"" + etag + "\"";

    public static string EncodeBlockId(string id) => Convert.ToBase64String(Encoding.ASCII.GetBytes(id));

    private static string? DecodeBlockId(string base64)
    {
        try
        {
            return Encoding.ASCII.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return null; // a block some other client wrote with an id that is not base64 of text
        }
    }
}
